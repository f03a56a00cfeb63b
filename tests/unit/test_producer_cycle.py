"""How the producer's pages read a certificate's state and which step of the annual cycle
they offer: plain functions on the services' answers."""

from __future__ import annotations

from datetime import date

from services.web.clients.rating import Certificate
from services.web.clients.registry import CycleStep
from services.web.producer.certificate import (
    Reading,
    certificate_seen,
    earlier_certificates,
)
from services.web.producer.decisions import cycle_view

TODAY = date(2026, 6, 1)


def _certificate(number: str, stars: int, decided: str, valid_until: str,
                 status: str = "active") -> Certificate:
    return Certificate.model_validate({
        "id": number, "number": number, "stars": stars, "status": status,
        "decision_date": decided, "valid_from": decided, "valid_until": valid_until})


def _step(stage: str, status: str) -> CycleStep:
    return CycleStep(stage=stage, status=status, note="", role="producer",
                     at="2026-05-01T02:00:00+00:00")


def test_a_certificate_reads_valid_expiring_or_ended_as_rating_says() -> None:
    def reading(valid_until: str, status: str = "active") -> Reading:
        seen = certificate_seen([_certificate("A", 4, "2025-01-01", valid_until, status)],
                                TODAY)
        assert seen is not None
        return seen.reading

    assert reading("2027-01-01") is Reading.VALID
    assert reading("2026-12-01") is Reading.EXPIRING  # six months from today
    assert reading("2026-12-02") is Reading.VALID
    assert reading("2026-12-01", "revoked") is Reading.REVOKED
    assert reading("2026-05-31", "expired") is Reading.EXPIRED
    assert certificate_seen([], TODAY) is None


def test_an_upgrade_speaks_for_the_product_and_names_the_stars_it_replaced() -> None:
    first = _certificate("A", 3, "2025-01-01", "2027-12-31", "superseded")
    second = _certificate("B", 4, "2026-01-01", "2028-12-31")
    seen = certificate_seen([second, first], TODAY)
    assert seen is not None and seen.certificate == second and seen.upgrade
    (earlier,) = earlier_certificates([second, first], TODAY)
    assert earlier.certificate == first and earlier.replaced_by == second
    assert earlier.reading is Reading.SUPERSEDED and not earlier.in_force


def test_the_page_offers_the_one_stage_the_registry_would_take() -> None:
    assert cycle_view("draft", []).to_propose == "idea"
    assert [s.stage for s in cycle_view("draft", []).stages] == ["idea", "plan", "dossier"]
    waiting = cycle_view("draft", [_step("idea", "proposed")])
    assert waiting.to_propose is None and not waiting.may_submit
    returned = cycle_view("draft", [_step("idea", "proposed"), _step("idea", "accepted"),
                                    _step("plan", "proposed"), _step("plan", "rejected")])
    assert returned.to_propose == "plan"
    done = [_step(s, t) for s in ("idea", "plan", "dossier") for t in ("proposed", "accepted")]
    assert cycle_view("draft", done).may_submit and cycle_view("draft", done).to_propose is None
    assert not cycle_view("submitted", done).may_submit
    assert cycle_view("submitted", []).stages == []  # submitted on a paper dossier
