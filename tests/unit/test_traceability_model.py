"""Traceability's aggregates (``services/traceability/profiles/model.py``): the trace profile a scan
page shows and the QR label — every change they accept and every one they ignore, without
HTTP, a bus or a store."""

from __future__ import annotations

from datetime import date

import pytest

from services.traceability.origin.shown import check_shown
from services.traceability.profiles.model import Label, TraceProfile
from services.traceability.profiles.rules import CertificateState, state_text
from shared.ocop.validity import CertificateStatus
from shared.refusals import BadRequest
from tests.support.events import certified, expired, product_state, revoked


def shown(**changes: object) -> TraceProfile:
    profile = TraceProfile("p1")
    profile.show_certificate(certified(**changes))
    return profile


def test_a_profile_has_a_scan_page_once_certified() -> None:
    profile = TraceProfile("p1")
    assert profile.take_product(product_state(), 2) and not profile.certified
    profile.show_certificate(certified(product_version=3))
    assert profile.certified and profile.gtin == "08934563138165"
    assert profile.subject and profile.subject.commune == "Khánh Sơn"


def test_the_scan_state_is_live() -> None:
    profile = shown(valid_until=date(2027, 3, 14))
    assert profile.certificate
    assert profile.certificate.state_on(date(2027, 3, 14)) is CertificateState.ACTIVE
    assert profile.certificate.state_on(date(2027, 3, 15)) is CertificateState.EXPIRED
    text = state_text("vi", CertificateState.EXPIRED, 4, date(2027, 3, 14))
    assert text.startswith("KHÔNG còn là sản phẩm OCOP") and "14/03/2027" in text


def test_revocation_ends_the_certificate_shown_with_its_reason() -> None:
    profile = shown()
    assert not profile.revoke(revoked("another"))
    assert profile.revoke(revoked())
    assert profile.certificate and profile.certificate.status is CertificateStatus.REVOKED
    assert profile.certificate.revocation_reason == "Vi phạm an toàn thực phẩm"
    assert profile.certificate.state_on(date(2026, 1, 1)) is CertificateState.REVOKED


def test_expiry_ends_only_the_certificate_shown() -> None:
    profile = shown()
    assert not profile.expire(expired("another"))
    assert profile.expire(expired())
    assert profile.certificate and profile.certificate.expired_on == date(2029, 10, 15)
    assert not TraceProfile("p1").expire(expired())  # never certified: nothing to end


def test_a_newer_registry_product_is_kept_over_an_older_snapshot() -> None:
    profile = TraceProfile("p1")
    profile.take_product(product_state("Tên mới", gtin=None), 5)
    profile.show_certificate(certified(product_version=4))
    assert profile.product and profile.product.name == "Tên mới" and profile.gtin is None
    assert not profile.take_product(product_state("Cũ"), 4)
    assert profile.take_product(product_state("Mới hơn"), 6)
    assert profile.product.name == "Mới hơn" and profile.gtin == "08934563138165"


def test_a_renewal_shows_the_new_certificate_active() -> None:
    profile = shown()
    profile.revoke(revoked())
    profile.show_certificate(certified("c2", valid_until=date(2032, 1, 1)))
    assert profile.certificate and profile.certificate.id == "c2"
    assert profile.certificate.status is CertificateStatus.ACTIVE


def test_a_label_keeps_its_id_when_drawn_again_for_a_new_url() -> None:
    label = Label("p1")
    assert not label.encodes("https://scan/p/p1")
    label.issue("https://scan/p/p1", at="t1", new_label_id="l1")
    assert label.encodes("https://scan/p/p1") and not label.encodes("https://scan/01/1")
    first_art = label.artwork_key("png")
    label.issue("https://scan/01/1", at="t2", new_label_id="l2")
    assert label.artwork_key("png") != first_art  # the old code is never shown again
    assert label.artwork_key("svg").startswith("labels/p1/")
    assert label.label_id == "l1" and label.scan_url == "https://scan/01/1"
    event = label.issued("https://trace.example/")
    assert event.png_url == "https://trace.example/labels/p1/qr.png"
    assert (event.label_id, event.scan_url) == ("l1", "https://scan/01/1")


def test_a_captured_field_a_page_cannot_show_is_refused_in_both_languages() -> None:
    with pytest.raises(BadRequest) as refused:
        check_shown({"ocop:placeName": "  "}, lambda field: field)
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": "ocop:placeName", "message": "must not be blank",
         "message_vi": "không được để trống"}]
