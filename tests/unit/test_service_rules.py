"""Registry identifiers and permissions, catalog search folding, traceability labels and
scan states: pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from services.catalog.listings.rules import fold, search_terms
from services.registry.accounts import rules as accounts
from services.registry.subjects import rules as registry
from services.traceability.profiles import rules as traceability
from shared.i18n.language import pick_language
from shared.identity.auth import Role
from shared.ocop.gtin import gtin14
from shared.ocop.vocabulary import SubjectType
from shared.refusals import BadRequest


def test_tax_codes_are_checked_and_written_the_usual_way() -> None:
    assert registry.normalize_subject_code(SubjectType.ENTERPRISE, " 0100233488 ") == "0100233488"
    assert registry.normalize_subject_code(SubjectType.COOPERATIVE,
                                           "0100233488-001") == "0100233488-001"
    for bad in ("0100233489", "12345", "0100233488-01", "abc"):
        with pytest.raises(BadRequest) as refused:
            registry.normalize_subject_code(SubjectType.ENTERPRISE, bad)
        assert refused.value.errors[0].field == "code"
    assert registry.normalize_subject_code(SubjectType.HOUSEHOLD_BUSINESS,
                                           "37a8-001234") == "37A8-001234"


def test_gtins_are_checked_and_padded_to_14_digits() -> None:
    assert registry.normalize_gtin("8934563138165") == "08934563138165"
    assert registry.normalize_gtin("96385074") == "00000096385074"
    with pytest.raises(BadRequest, match="check digit"):
        registry.normalize_gtin("8934563138166")
    with pytest.raises(BadRequest):
        registry.normalize_gtin("00000000000000")
    assert gtin14("08934563138165") == gtin14("8934563138165") == "08934563138165"
    for malformed in ("08934563138166", "0893456313816A", "893456313816",
                      " 8934563138165", "089345631381650"):
        assert gtin14(malformed) is None, malformed


def test_accounts_are_bound_to_what_their_role_needs() -> None:
    with pytest.raises(BadRequest):
        accounts.check_account_binding(Role.PRODUCER, None)
    with pytest.raises(BadRequest):
        accounts.check_account_binding(Role.ADMIN, "s1")


def test_images_must_be_what_they_claim() -> None:
    assert registry.check_image("image/png", b"\x89PNG\r\n\x1a\nrest") == "png"
    assert registry.check_image("image/jpeg; charset=x", b"\xff\xd8\xff\xe0") == "jpg"
    assert registry.check_image("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    for content_type, data in (("image/png", b"\xff\xd8\xff"), ("image/gif", b"GIF89a"),
                               ("image/webp", b"RIFF\x00\x00\x00\x00WAVE")):
        with pytest.raises(BadRequest):
            registry.check_image(content_type, data)


def test_search_ignores_vietnamese_diacritics_and_case() -> None:
    assert fold("Sầu riêng Khánh Sơn") == "sau rieng khanh son"
    assert fold("Nước mắm Phú Khương") == "nuoc mam phu khuong"
    assert fold("ĐẶC SẢN Đà Nẵng!") == "dac san da nang"
    assert search_terms("  SẦU-riêng ") == ["sau", "rieng"]
    assert search_terms("!!!") == []


def test_labels_use_gs1_digital_link_when_the_product_has_a_gtin() -> None:
    assert traceability.scan_url("https://scan.ocop.vn/", "p1", "08934563138165") == \
        "https://scan.ocop.vn/01/08934563138165"
    assert traceability.scan_url("https://scan.ocop.vn", "p1", None) == \
        "https://scan.ocop.vn/p/p1"


def test_scan_pages_are_vietnamese_unless_english_is_asked_for() -> None:
    assert pick_language(None, None) == "vi"
    assert pick_language(None, "en-US,en;q=0.9") == "en"
    assert pick_language(None, "fr-FR, vi;q=0.8") == "vi"
    assert pick_language("en", "vi") == "en"
    assert pick_language("de", None) == "vi"


def test_records_before_1_july_2025_keep_their_district_later_ones_have_none() -> None:
    registry.check_district(date(2024, 3, 1), "Khánh Sơn")
    registry.check_district(date(2025, 7, 1), None)
    with pytest.raises(BadRequest, match="before 1 July 2025") as refused:
        registry.check_district(date(2025, 6, 30), None)
    assert refused.value.errors[0].field == "district"
    with pytest.raises(BadRequest, match="abolished"):
        registry.check_district(date(2025, 7, 1), "Khánh Sơn")


def test_registration_dates_lie_within_the_programme() -> None:
    registry.check_registered_on(date(2018, 5, 7), date(2026, 1, 1))
    for day in (date(2018, 5, 6), date(2026, 1, 2)):
        with pytest.raises(BadRequest):
            registry.check_registered_on(day, date(2026, 1, 1))


def test_commune_officers_are_bound_to_their_commune() -> None:
    accounts.check_account_binding(Role.COMMUNE_OFFICER, None, "Xã Sơn Bình", "Khánh Hòa")
    with pytest.raises(BadRequest, match="commune and province"):
        accounts.check_account_binding(Role.COMMUNE_OFFICER, None, "Xã Sơn Bình", None)
    with pytest.raises(BadRequest, match="only commune officers"):
        accounts.check_account_binding(Role.ADMIN, None, "Xã Sơn Bình", "Khánh Hòa")


def test_failed_sign_ins_past_the_free_ones_double_the_wait_never_lock() -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    held = None
    for second in range(5):
        accounts.check_may_try([held], start + timedelta(seconds=second), False, False)
        held = accounts.after_failed_sign_in(held, start + timedelta(seconds=second), 5)
    assert held["count"] == 5 and held["retry_at"] is None
    waits = []
    at = start + timedelta(seconds=5)
    for _ in range(12):
        held = accounts.after_failed_sign_in(held, at, 5)
        retry_at = datetime.fromisoformat(held["retry_at"])
        waits.append(int((retry_at - at).total_seconds()))
        with pytest.raises(accounts.SignInThrottled):
            accounts.check_may_try([held], retry_at - timedelta(milliseconds=1), False, False)
        accounts.check_may_try([held], retry_at, False, False)
        at = retry_at
    assert waits[:6] == [1, 2, 4, 8, 16, 32]
    assert waits[-2:] == [15 * 60, 15 * 60]  # a persistent guesser stays at the longest wait
    # failures spread beyond the window start counting again
    fresh = accounts.after_failed_sign_in({"count": 40, "last_at": start.isoformat(),
                                           "retry_at": None}, start + timedelta(minutes=61), 5)
    assert fresh["count"] == 1 and fresh["retry_at"] is None
    # a minute of too many failures holds back only addresses that failed recently
    with pytest.raises(accounts.SignInThrottled) as throttled:
        accounts.check_may_try([None], start + timedelta(seconds=20), True, True)
    assert throttled.value.retry_after == 40
    accounts.check_may_try([None], start + timedelta(seconds=20), True, False)

