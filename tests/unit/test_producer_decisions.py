"""What the producer's product page says of the decisions on its product
(``services.web.producer.decisions``): plain readings of the registry's answers."""

from __future__ import annotations

from datetime import date

from services.web.clients.registry import CycleStep, IdentityDecision
from services.web.producer.decisions import SOMEONE, refused_change, stage_states

LATE_EVENING = "2026-11-24T18:30:00+00:00"
"""Already the next day in Việt Nam (UTC+7)."""


def step(stage: str, status: str, role: str | None = None, note: str = "") -> CycleStep:
    return CycleStep(stage=stage, status=status, note=note, role=role, at=LATE_EVENING)


def test_a_product_never_in_the_cycle_shows_no_decision() -> None:
    assert stage_states([]) == []


def test_each_stage_by_its_latest_step_with_the_decider_in_words() -> None:
    idea, plan, dossier = stage_states([
        step("idea", "proposed", "producer"), step("idea", "accepted", "commune_officer"),
        step("plan", "proposed", "producer"),
        step("plan", "rejected", "admin", "Bổ sung thị trường.")])
    assert (idea.status, idea.by, idea.on) == ("accepted", "the commune", date(2026, 11, 25))
    assert (plan.status, plan.by, plan.note) == ("rejected", "the provincial OCOP office",
                                                 "Bổ sung thị trường.")
    assert plan.returned and plan.next_step and "business plan" in plan.next_step
    assert (dossier.status, dossier.by, dossier.next_step) == (None, None, None)


def test_a_proposal_says_whose_decision_it_waits_for_and_an_old_step_someone() -> None:
    idea, _, dossier = stage_states([
        step("idea", "accepted"), step("plan", "accepted"), step("dossier", "proposed")])
    assert idea.by == SOMEONE  # recorded before the registry kept the role
    assert (dossier.status, dossier.by) == ("proposed", "the provincial OCOP office")


def test_only_a_refused_change_of_identity_is_told() -> None:
    decided = IdentityDecision(changes={"name": "Chè thượng hạng", "gtin": None},
                               approved=False, note="Trùng tên.", at=LATE_EVENING)
    told = refused_change(decided)
    assert told is not None
    assert (told.asked, told.on, told.note) == (["Chè thượng hạng"], date(2026, 11, 25),
                                                "Trùng tên.")
    assert refused_change(decided.model_copy(update={"approved": True})) is None
    assert refused_change(None) is None
