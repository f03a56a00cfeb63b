"""Rating's aggregates (``services/rating/evaluations/model.py`` and
``services/rating/certificates/model.py``): every transition they allow and every
one they refuse, without HTTP or a store. Days are arguments, so nothing here depends on the
day the suite runs."""

from __future__ import annotations

from datetime import date

import pytest

from services.rating.certificates.model import Certificate, CertificateCounter, Recognition
from services.rating.evaluations.model import (
    Evaluation,
    EvaluationStatus,
    Proposal,
    Round,
    ScoreSheet,
)
from services.rating.evaluations.rules import Level
from shared.messaging.contracts.rating import CertificateExpired, CertificateRevoked
from shared.ocop.validity import CertificateStatus
from shared.refusals import BadRequest, Conflict, Forbidden
from tests.support.refusals import refused

AT = "2026-01-01T09:00:00+00:00"
SUBMITTED = {"product_id": "p1", "status": "submitted"}
ALL_MET = {"origin": True, "local_labour": True, "idea": True, "local_identity": True}


def round_of(level: Level = Level.PROVINCE, opens_on: date = date(2026, 9, 1),
             closes_on: date = date(2026, 11, 30)) -> Round:
    return Round.open("r1", name="Đợt 2", level=level, province="Thái Nguyên",
                      opens_on=opens_on, closes_on=closes_on, council="Hội đồng",
                      members=["b", "a", "a"], by="office", at=AT)


def proposal(on: date = date(2026, 9, 20), checks: dict[str, bool] = ALL_MET) -> Proposal:
    return Proposal.assess("x1", "p1", subject_id="s1", commune_code=None, assessed_on=on,
                           today=date(2026, 11, 1), checks=checks, notes="", by="commune",
                           at=AT)


def opened(on: date = date(2026, 10, 1), **changes: object) -> Evaluation:
    arguments: dict[str, object] = dict(
        on=on, today=date(2026, 11, 1), criteria_set="148/2023", criteria_table=None,
        held_round=None, others=[], proposals=[proposal()], by="office", at=AT)
    return Evaluation.open("e1", SUBMITTED, **arguments | changes)  # type: ignore[arg-type]


def sheet(evaluation: Evaluation, member: str, a: float, b: float, c: float) -> ScoreSheet:
    return evaluation.score(member, None, parts={"A": a, "B": b, "C": c}, by_criterion=None,
                            comment="", at=AT)


def closed(a: float = 30, b: float = 20, c: float = 25, **changes: object) -> Evaluation:
    evaluation = opened(**changes)
    evaluation.close([sheet(evaluation, "m1", a, b, c)], None, by="office", at=AT)
    return evaluation


def certificate(decision: date = date(2024, 1, 10), stars: int = 4) -> Certificate:
    return Certificate.issue("c1", "OCOP-2024-00001", product_id="p1", subject_id="s1",
                             evaluation_id="e1", stars=stars, score=75, level=Level.PROVINCE,
                             decision_number="1/QĐ-UBND", decision_date=decision,
                             authority=("UBND tỉnh", "Province"), by="office", at=AT)


# --- rounds and proposals ----------------------------------------------------------------

def test_a_round_opens_with_its_council_and_holds_only_its_own_dates() -> None:
    held = round_of()
    assert held.members == ["a", "b"] and held.year == 2026
    held.check_holds(date(2026, 9, 1))
    held.check_holds(date(2026, 11, 30))
    with refused(BadRequest, "outside-round"):
        held.check_holds(date(2026, 8, 31))
    held.check_member("a")
    with refused(Forbidden, "not-a-member"):
        held.check_member("outsider")


def test_a_round_is_refused_backwards_or_at_a_level_that_no_longer_holds_rounds() -> None:
    with refused(BadRequest, "invalid-date"):
        round_of(opens_on=date(2026, 9, 1), closes_on=date(2026, 8, 1))
    with refused(BadRequest, "wrong-level"):
        round_of(level=Level.DISTRICT)
    assert round_of(Level.DISTRICT, date(2024, 3, 1), date(2024, 4, 30)).level is Level.DISTRICT


def test_the_commune_proposes_only_when_every_criterion_is_met_and_not_ahead_of_time() -> None:
    assert proposal().proposed and proposal().shortfalls == []
    short = proposal(checks=ALL_MET | {"idea": False})
    assert not short.proposed and short.shortfalls == ["idea"]
    with refused(BadRequest, "invalid-date"):
        proposal(on=date(2026, 11, 2))


# --- evaluations ---------------------------------------------------------------------------

def test_an_evaluation_opens_for_a_submitted_product_with_none_open() -> None:
    evaluation = opened()
    assert evaluation.status is EvaluationStatus.OPEN and evaluation.level is None
    in_round = opened(held_round=round_of())
    assert in_round.round_id == "r1" and in_round.level is Level.PROVINCE
    with refused(Conflict, "not-submitted"):
        Evaluation.open("e2", {"product_id": "p1", "status": "draft"}, on=date(2026, 10, 1),
                        today=date(2026, 11, 1), criteria_set="148/2023",
                        criteria_table=None, held_round=None, others=[],
                        proposals=[proposal()], by="office", at=AT)
    with refused(Conflict, "evaluation-open"):
        opened(others=[opened()])
    assert opened(others=[closed()]).status is EvaluationStatus.OPEN


def test_an_evaluation_is_refused_in_the_future_or_outside_its_round() -> None:
    with refused(BadRequest, "invalid-date"):
        opened(on=date(2026, 11, 2))
    with refused(BadRequest, "outside-round"):
        opened(on=date(2026, 8, 31), held_round=round_of(), proposals=[
            proposal(on=date(2026, 8, 1))])


def test_from_6_july_2025_the_commune_must_have_proposed_the_product_first() -> None:
    with refused(Conflict, "not-proposed-by-commune"):
        opened(proposals=[])
    with refused(Conflict, "not-proposed-by-commune"):
        opened(proposals=[proposal(checks=ALL_MET | {"origin": False})])
    with refused(Conflict, "not-proposed-by-commune"):
        opened(on=date(2026, 9, 19))  # proposed on the 20th: after this evaluation's date
    assert opened(on=date(2025, 7, 5), proposals=[]).evaluation_date == date(2025, 7, 5)


def test_the_central_council_evaluates_only_products_proposed_to_it() -> None:
    central = round_of(Level.CENTRAL)
    with refused(Conflict, "not-proposed-to-central"):
        opened(held_round=central, others=[closed()])
    ninety = closed(38, 24, 33)
    assert ninety.result is not None and ninety.result["proposed_to_central"]
    assert opened(held_round=central, others=[ninety]).level is Level.CENTRAL


def test_members_score_within_the_maxima_until_the_evaluation_closes() -> None:
    evaluation = opened()
    first = sheet(evaluation, "m1", 30, 20, 25)
    assert first.id == "e1:m1" and first.total == 75
    with refused(BadRequest, "score-out-of-range"):
        sheet(evaluation, "m2", 41, 20, 25)
    evaluation.close([first, sheet(evaluation, "m2", 20, 10, 15)], None, by="office", at=AT)
    assert evaluation.status is EvaluationStatus.CLOSED and evaluation.result is not None
    assert evaluation.result["score"] == 60 and evaluation.result["stars"] == 3
    with refused(Conflict, "evaluation-closed"):
        sheet(evaluation, "m3", 30, 20, 25)
    with refused(Conflict, "evaluation-closed"):
        evaluation.close([first], None, by="office", at=AT)


def test_an_evaluation_closes_only_with_sheets_and_says_what_fell_short() -> None:
    with refused(Conflict, "no-score-sheets"):
        opened().close([], None, by="office", at=AT)
    low = closed(10, 10, 10)
    assert low.result is not None and low.result["stars"] == 2
    assert not low.result["recognisable"] and low.result["shortfalls"]


def test_recognition_follows_a_closed_result_of_three_stars_once() -> None:
    evaluation = closed()
    assert evaluation.recognise(date(2026, 10, 15), date(2026, 11, 1), None) is Level.PROVINCE
    with refused(Conflict, "evaluation-not-closed"):
        opened().recognise(date(2026, 10, 15), date(2026, 11, 1), None)
    with refused(Conflict, "below-3-stars"):
        closed(10, 10, 10).recognise(date(2026, 10, 15), date(2026, 11, 1), None)
    with refused(Conflict, "proposed-to-central"):
        closed(38, 24, 33).recognise(date(2026, 10, 15), date(2026, 11, 1), None)
    with refused(BadRequest, "invalid-date"):
        evaluation.recognise(date(2026, 11, 2), date(2026, 11, 1), None)
    with refused(BadRequest, "invalid-date"):
        evaluation.recognise(date(2026, 9, 30), date(2026, 11, 1), None)
    with refused(BadRequest, "wrong-level"):
        evaluation.recognise(date(2026, 10, 15), date(2026, 11, 1), Level.DISTRICT)
    evaluation.certificate_id = "c1"
    with refused(Conflict, "already-recognised"):
        evaluation.recognise(date(2026, 10, 15), date(2026, 11, 1), None)


# --- certificates --------------------------------------------------------------------------

def test_a_certificate_is_in_force_36_months_and_expired_the_day_after() -> None:
    held = certificate(date(2024, 1, 10))
    assert held.valid_from == date(2024, 1, 10) and held.valid_until == date(2027, 1, 9)
    assert held.state_on(date(2027, 1, 9)) is CertificateStatus.ACTIVE
    assert held.state_on(date(2027, 1, 10)) is CertificateStatus.EXPIRED
    assert held.status is CertificateStatus.ACTIVE  # until the sweep marks it


def test_the_sweep_expires_a_certificate_once_and_only_when_due() -> None:
    held = certificate(date(2024, 1, 10))
    assert held.expire(date(2027, 1, 9)) is None
    event = held.expire(date(2027, 1, 10))
    assert isinstance(event, CertificateExpired) and event.expired_on == date(2027, 1, 10)
    assert held.status is CertificateStatus.EXPIRED and held.expired_on == date(2027, 1, 10)
    assert held.expire(date(2027, 1, 11)) is None


def test_only_a_certificate_in_force_is_revoked() -> None:
    held = certificate()
    event = held.revoke("Vi phạm an toàn thực phẩm", date(2025, 3, 1), "office")
    assert isinstance(event, CertificateRevoked) and event.certificate_number == held.number
    assert held.state_on(date(2025, 3, 2)) is CertificateStatus.REVOKED
    with refused(Conflict, "not-active"):
        held.revoke("again", date(2025, 3, 2), "office")
    lapsed = certificate(date(2020, 1, 10))
    lapsed.expire(date(2023, 1, 10))
    with refused(Conflict, "not-active"):
        lapsed.revoke("late", date(2023, 2, 1), "office")
    assert lapsed.expire(date(2023, 2, 1)) is None and revoked_stays(held)


def revoked_stays(held: Certificate) -> bool:
    return held.expire(date(2030, 1, 1)) is None and held.status is CertificateStatus.REVOKED


def test_renewal_is_decided_while_in_force_and_a_replaced_one_cannot_be_renewed() -> None:
    held = certificate(date(2024, 1, 10))
    held.check_renewable(date(2027, 1, 9))
    with refused(BadRequest, "renewal-too-late"):
        held.check_renewable(date(2027, 1, 10))
    held.supersede()
    assert held.state_on(date(2025, 1, 1)) is CertificateStatus.SUPERSEDED
    with refused(Conflict, "not-active"):
        held.check_renewable(date(2025, 1, 1))


def test_a_refusal_names_the_certificates_state_in_the_readers_language() -> None:
    held = certificate()
    held.revoke("Vi phạm an toàn thực phẩm", date(2025, 3, 1), "office")
    with pytest.raises(Conflict) as caught:
        held.check_renewable(date(2025, 3, 2))
    said = caught.value.in_every_language()
    assert said["en"].startswith("This certificate is revoked; only one in force")
    assert said["vi"].startswith("Giấy chứng nhận này đang ở trạng thái bị thu hồi;")


def test_the_in_force_event_says_how_a_certificate_relates_to_the_previous() -> None:
    product = {"name": "Chè", "description": "", "group": "food", "subgroup": "tea",
               "gtin": None, "image_urls": [], "registry_version": 3}
    subject = {"name": "HTX", "type": "cooperative", "province": "Thái Nguyên",
               "commune": "Tân Cương"}
    kinds = {previous: type(certificate(stars=4).in_force_event(product, subject, previous))
             for previous in (None, 3, 4, 5)}
    assert [k.__name__ for k in kinds.values()] == [
        "ProductCertified", "CertificateUpgraded", "CertificateRenewed",
        "CertificateDowngraded"]


def test_a_product_points_at_one_certificate_and_certificates_are_numbered_per_year() -> None:
    recognition = Recognition("p1")
    assert recognition.point_at("c1", AT) is None
    assert recognition.point_at("c2", AT) == "c1"
    assert recognition.point_at(None, AT) == "c2" and recognition.certificate_id is None
    counter = CertificateCounter("certificate-2026", value=41)
    assert counter.next_number(2026) == "OCOP-2026-00042"
    assert counter.next_number(2026) == "OCOP-2026-00043"
