"""Dossier rules: what a product's dossier must hold by its group, and the path through the
annual cycle (idea → plan → dossier) with who may move each step. Pure functions, no I/O."""

from __future__ import annotations

from enum import StrEnum
from typing import NotRequired

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from services.registry.access import RULES
from shared.i18n import listed
from shared.identity.access import SubjectRef, check
from shared.identity.auth import Caller, Role
from shared.refusals import N_, Conflict, Term, invalid


class DocumentType(StrEnum):
    """What a product's dossier (hồ sơ) holds."""

    PRODUCT_STORY = "product_story"
    QUALITY_STANDARD = "quality_standard"
    TEST_RESULTS = "test_results"
    FOOD_SAFETY = "food_safety_certificate"
    LABEL_PACKAGING = "label_packaging"
    STANDARD_HELD = "standard_held"


DOCUMENT_NAMES = {
    DocumentType.PRODUCT_STORY: N_("Product story"),
    DocumentType.QUALITY_STANDARD: N_("Quality standard"),
    DocumentType.TEST_RESULTS: N_("Laboratory test results"),
    DocumentType.FOOD_SAFETY: N_("Food-safety certificate"),
    DocumentType.LABEL_PACKAGING: N_("Label and packaging"),
    DocumentType.STANDARD_HELD: N_("Standards held (VietGAP, organic, HACCP, ISO…)"),
}
_EDIBLE = (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD,
           DocumentType.TEST_RESULTS, DocumentType.FOOD_SAFETY, DocumentType.LABEL_PACKAGING)
REQUIRED_DOCUMENTS: dict[str, tuple[DocumentType, ...]] = {
    "food": _EDIBLE, "beverages": _EDIBLE, "herbal": _EDIBLE,
    "handicrafts": (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD,
                    DocumentType.LABEL_PACKAGING),
    "ornamental": (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD),
    "tourism": (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD),
}
"""Per product group: what the dossier must hold (standards held are optional)."""
def missing_documents(group: str, present: set[DocumentType]) -> list[DocumentType]:
    return [t for t in REQUIRED_DOCUMENTS.get(group, ()) if t not in present]


STAGES = ("idea", "plan", "dossier")
"""The producer's path: product idea (ý tưởng) → business plan (phương án) → dossier."""
STAGE_TERMS = {"idea": N_("product idea"), "plan": N_("business plan"), "dossier": N_("dossier")}
STATUS_TERMS = {"proposed": N_("proposed"), "accepted": N_("accepted"),
                "rejected": N_("returned")}
"""A stage and its status as a refusal's sentence says them (the codes are the API's)."""


class CycleStep(TypedDict):
    """One step of the annual cycle: a stage (idea, plan, dossier) proposed, accepted or
    rejected, by whom (``role``: as whom), when, with the note the producer reads."""

    stage: str
    status: str
    note: str
    by: str
    role: NotRequired[str]
    """The mover's role (``Role``): admin (the provincial office), commune_officer (the
    commune), producer; absent on steps recorded before it was kept."""
    at: str


class Decider(StrEnum):
    """Whose decision a proposed stage waits for."""

    OFFICE = "office"
    COMMUNE = "commune"


def decider(caller: Caller) -> Decider:
    """Who decided a stage, as the producer reads it: the provincial office (an admin) or
    the commune (its officer; ``RULES['product.cycle.decide']`` lets no one else)."""
    return Decider.COMMUNE if caller.role is Role.COMMUNE_OFFICER else Decider.OFFICE


WAITS_FOR = {"idea": Decider.COMMUNE, "plan": Decider.COMMUNE, "dossier": Decider.OFFICE}
"""Whose queue a proposed stage is in: the commune screens the ideas and plans made on its
land (it pre-assesses and proposes under 1489/QĐ-TTg), the province's office the dossier it
puts before the council. Either may still decide any stage (``RULES['product.cycle.decide']``)."""


class WaitingStage(TypedDict):
    """The stage proposed and not yet decided (at most one: each is proposed only once the
    one before is accepted): who proposed it and when, whose decision it waits for, and the
    product's subject (what a commune's queue is narrowed on)."""

    stage: str
    waiting_for: Decider
    subject_id: str
    note: str
    by: str
    at: str


def stage_statuses(cycle: list[CycleStep]) -> dict[str, str]:
    """Each stage's latest status in a product's cycle."""
    return {step["stage"]: step["status"] for step in cycle}


def check_cycle_move(caller: Caller, owner: SubjectRef, held: dict[str, str], stage: str,
                     status: str, missing: list[DocumentType]) -> None:
    """The producer proposes each stage in order — the dossier only once the checklist is
    complete (``missing`` empty); the office, or the subject's own commune, accepts or
    rejects what was proposed (``RULES['product.cycle.*']``). ``held``: each stage's
    current status."""
    if stage not in STAGES:
        raise invalid("stage", N_("use one of %(known)s"), known=", ".join(STAGES))
    earlier = STAGES[STAGES.index(stage) - 1] if stage != STAGES[0] else None
    if status == "proposed":
        check(RULES["product.cycle.propose"], caller, owner)
        if earlier and held.get(earlier) != "accepted":
            raise Conflict(N_("The %(earlier)s must be accepted before the %(stage)s is "
                              "proposed."), code="stage-out-of-order",
                           earlier=Term(STAGE_TERMS[earlier]), stage=Term(STAGE_TERMS[stage]))
        if held.get(stage) in ("proposed", "accepted"):
            raise Conflict(N_("The %(stage)s is already %(state)s."),
                           code="stage-already-moved", stage=Term(STAGE_TERMS[stage]),
                           state=Term(STATUS_TERMS[held[stage]]))
        if stage == "dossier" and missing:
            raise Conflict(N_("The dossier still lacks: %(missing)s."),
                           code="dossier-incomplete",
                           missing=listed([DOCUMENT_NAMES[t] for t in missing]))
        return
    if status not in ("accepted", "rejected"):
        raise invalid("status", N_("use proposed, accepted or rejected"))
    check(RULES["product.cycle.decide"], caller, owner)
    if held.get(stage) != "proposed":
        raise Conflict(N_("Nothing proposed to decide on: the %(stage)s is %(state)s."),
                       code="stage-not-proposed", stage=Term(STAGE_TERMS[stage]),
                       state=Term(STATUS_TERMS.get(held.get(stage) or "", N_("not proposed"))))
