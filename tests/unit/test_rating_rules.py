"""The rating rules of DOMAIN.md, as pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from services.rating.certificates import rules as certificate_rules
from services.rating.criteria import rules as criteria
from services.rating.evaluations import rules as evaluation_rules
from services.rating.evaluations.rules import Level
from shared.refusals import BadRequest, Conflict


@pytest.mark.parametrize(("score", "stars"), [
    (0, 1), (29.99, 1), (30, 2), (49.99, 2), (50, 3), (69.99, 3), (70, 4), (89.99, 4),
    (90, 5), (100, 5)])
def test_stars_follow_the_official_bands(score: float, stars: int) -> None:
    assert evaluation_rules.stars_for(score) == stars


def test_the_criteria_set_is_the_one_in_force_on_the_evaluation_date() -> None:
    assert criteria.criteria_set_on(date(2022, 6, 1)).maxima == {"A": 35, "B": 25, "C": 40}
    assert criteria.criteria_set_on(date(2023, 2, 23)).code == "1048/2019"
    assert criteria.criteria_set_on(date(2023, 2, 24)).maxima == {"A": 40, "B": 25, "C": 35}
    with pytest.raises(BadRequest, match="No OCOP criteria set"):
        criteria.criteria_set_on(date(2018, 1, 1))
    for criteria_set in criteria.CRITERIA_SETS:
        assert sum(criteria_set.maxima.values()) == 100


def test_scores_are_checked_against_their_sets_maxima() -> None:
    current = criteria.criteria_set_on(date(2025, 1, 1))
    criteria.check_part_scores(current, {"A": 40, "B": 25, "C": 35})
    with pytest.raises(BadRequest) as refused:
        criteria.check_part_scores(current, {"A": 40, "B": 26, "C": 36})
    assert [e.field for e in refused.value.errors] == ["part_b", "part_c"]
    old = criteria.criteria_set_on(date(2020, 1, 1))
    criteria.check_part_scores(old, {"A": 35, "B": 25, "C": 40})  # C's maximum was 40 in 2019
    with pytest.raises(BadRequest):
        criteria.check_part_scores(old, {"A": 36, "B": 0, "C": 0})


def test_who_recognises_what_changes_on_6_july_2025() -> None:
    before, after = date(2025, 7, 5), date(2025, 7, 6)
    assert certificate_rules.recognising_level(3, before) is Level.DISTRICT
    assert certificate_rules.recognising_level(4, before) is Level.PROVINCE
    assert certificate_rules.recognising_level(3, after) is Level.PROVINCE
    assert certificate_rules.recognising_level(4, after) is Level.PROVINCE
    assert certificate_rules.recognising_level(5, before) \
        is certificate_rules.recognising_level(5, after) is Level.CENTRAL
    with pytest.raises(BadRequest, match="province level, not district"):
        certificate_rules.check_level(3, after, Level.DISTRICT)
    with pytest.raises(BadRequest, match="central level, not province"):
        certificate_rules.check_level(5, after, Level.PROVINCE)
    assert certificate_rules.check_level(3, before, None) is Level.DISTRICT


def test_only_three_stars_and_above_are_recognised() -> None:
    certificate_rules.check_recognisable(3, 50)
    with pytest.raises(Conflict, match="only 3★ and above"):
        certificate_rules.check_recognisable(2, 49.5)


def test_certificates_are_valid_36_months_from_the_decision() -> None:
    assert certificate_rules.valid_until(date(2024, 3, 15)) == date(2027, 3, 14)
    # no 29 February in 2027
    assert certificate_rules.valid_until(date(2024, 2, 29)) == date(2027, 2, 27)
    assert certificate_rules.valid_until(date(2023, 12, 1)) == date(2026, 11, 30)


def test_shortfalls_name_the_parts_below_the_three_star_line() -> None:
    current = criteria.criteria_set_on(date(2025, 1, 1))
    short = criteria.shortfalls(current, {"A": 25, "B": 10, "C": 10})
    assert [(s["part"], s["needed_for_3_stars"]) for s in short] == [("B", 12.5), ("C", 17.5)]


def test_a_product_recognised_twice_in_a_year_counts_once_at_its_latest_stars() -> None:
    from services.rating.summaries.queries import Locality, annual_summary

    subjects = {"s1": {"type": "enterprise", "name": "A", "province": "Khánh Hòa",
                       "district": "Khánh Sơn", "commune": "Xã Sơn Bình"},
                "s2": {"type": "enterprise", "name": "B", "province": "Khánh Hòa",
                       "district": "Cam Lâm", "commune": "Xã Cam Hải"}}
    products = {"p1": {"subject_id": "s1", "group": "food", "subgroup": "tea",
                       "registered_on": "2024-01-01", "name": "P1"},
                "p2": {"subject_id": "s2", "group": "food", "subgroup": "tea",
                       "registered_on": "2024-01-01", "name": "P2"}}

    def cert(i: str, product: str, subject: str, stars: int, day: str) -> dict:
        return {"id": i, "number": i, "product_id": product, "subject_id": subject,
                "stars": stars, "decision_date": day, "valid_until": "2027-01-01",
                "status": "active"}

    certificates = [cert("c1", "p1", "s1", 3, "2024-02-01"), cert("c2", "p1", "s1", 4,
                                                                  "2024-11-01"),
                    cert("c3", "p2", "s2", 5, "2024-03-01")]
    postmart = {"channel_id": "pm", "channel_name": "Postmart"}
    on_sale = {"p1": [postmart, {"channel_id": "vp", "channel_name": "Vỏ Sò"}],
               "p2": [postmart]}  # p2 is outside the locality asked for
    summary = annual_summary(2024, Locality("khanh hoa", "KHÁNH SƠN"), subjects, products,
                             certificates, on_sale, as_of=date(2026, 12, 1),
                             expiring_within_months=1)
    assert summary["on_sale"]["by_channel"] == [
        {"channel_id": "pm", "channel_name": "Postmart", "products": 1, "subjects": 1},
        {"channel_id": "vp", "channel_name": "Vỏ Sò", "products": 1, "subjects": 1}]
    assert summary["registered"] == {"products": 1, "subjects": 1}
    assert summary["recognised"]["by_stars"] == {"3": 0, "4": 1, "5": 0}
    assert [c["number"] for c in summary["expiring"]["certificates"]] == ["c1", "c2"]


def test_from_6_july_2025_the_commune_proposes_and_90_points_go_to_the_centre() -> None:
    province, central = Level.PROVINCE, Level.CENTRAL
    assert not evaluation_rules.needs_commune_proposal(date(2025, 7, 5), None)
    assert evaluation_rules.needs_commune_proposal(date(2025, 7, 6), None)
    assert evaluation_rules.needs_commune_proposal(date(2025, 7, 6), province)
    assert not evaluation_rules.needs_commune_proposal(date(2025, 7, 6), central)
    assert evaluation_rules.commune_shortfalls({"origin": True, "local_labour": True, "idea": True,
                                      "local_identity": True}) == []
    assert evaluation_rules.commune_shortfalls({"origin": True}) == ["local_labour", "idea",
                                                           "local_identity"]
    assert evaluation_rules.proposed_to_central(90, province)
    assert not evaluation_rules.proposed_to_central(89.99, province)
    assert not evaluation_rules.proposed_to_central(95, central)
    certificate_rules.check_recognising_council(5, central)
    certificate_rules.check_recognising_council(4, province)
    with pytest.raises(Conflict, match="proposed to the central level"):
        certificate_rules.check_recognising_council(5, province)
    with pytest.raises(Conflict):
        certificate_rules.check_recognising_council(5, None)
    assert evaluation_rules.round_levels(date(2025, 7, 5)) == (Level.DISTRICT, province, central)
    assert evaluation_rules.round_levels(date(2025, 7, 6)) == (province, central)


def test_an_evaluation_cannot_use_a_criteria_set_not_in_force_on_its_date() -> None:
    assert criteria.check_criteria_set(None, date(2024, 1, 1)).code == "148/2023"
    assert criteria.check_criteria_set("1048/2019", date(2022, 1, 1)).code == "1048/2019"
    with pytest.raises(BadRequest, match="in force is 148/2023") as refused:
        criteria.check_criteria_set("1048/2019", date(2024, 1, 1))
    assert refused.value.errors[0].field == "criteria_set"
