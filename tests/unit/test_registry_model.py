"""The registry's aggregates (``services/registry/*/model.py``): every transition they allow and
every one they refuse, without HTTP or a store. Days and times are arguments, so nothing here
depends on the day the suite runs."""

from __future__ import annotations

from datetime import date

from services.registry.accounts.model import User
from services.registry.dossiers.model import Dossier
from services.registry.subjects.model import (
    CertificationStatus,
    Product,
    ProductStatus,
    Subject,
)
from shared.identity.auth import Caller, Role
from shared.ocop.vocabulary import SubjectType
from shared.refusals import BadRequest, Conflict, Forbidden
from tests.support.refusals import refused

AT = "2026-11-02T09:00:00+00:00"
TEA = "Chè Tân Cương"
TODAY = date(2026, 11, 2)
OFFICE = Caller("office", "office", Role.ADMIN)
PRODUCER = Caller("producer", "producer", Role.PRODUCER, subject_id="s1")
OFFICER = Caller("xa", "xa", Role.COMMUNE_OFFICER, commune="05503", province="19")
"""Xã Tân Cương's officer: its token carries the official codes."""
STRANGER = Caller("other", "other", Role.PRODUCER, subject_id="s2")


def cooperative(registered_on: date = date(2026, 1, 5), district: str | None = None,
                code: str = "0100109106") -> Subject:
    return Subject.register("s1", type=SubjectType.COOPERATIVE, name="HTX Chè Tân Cương",
                            code=code, province="Thái Nguyên", commune="Xã Tân Cương",
                            district=district, registered_on=registered_on,
                            representatives=[], today=TODAY, by="office", at=AT)


def tea(gtin: str | None = "8934563138165", **changes: object) -> Product:
    arguments: dict[str, object] = dict(name="Chè búp", group="food", subgroup="tea",
                                        description="", gtin=gtin,
                                        registered_on=date(2026, 2, 1), today=TODAY,
                                        by="producer", at=AT)
    return Product.register("p1", "s1", **arguments | changes)  # type: ignore[arg-type]


# --- accounts --------------------------------------------------------------------------

def test_an_account_is_bound_as_its_role_needs() -> None:
    user = User.create(" Phu-Khuong ", Role.PRODUCER, "hash", at=AT, subject_id="s1")
    assert user.id == "phu-khuong" and user.caller().subject_id == "s1"
    with refused(BadRequest, "invalid-field"):
        User.create("ab", Role.ADMIN, "hash", at=AT)
    with refused(BadRequest, "invalid-field"):
        User.create("producer", Role.PRODUCER, "hash", at=AT)  # without its subject
    with refused(BadRequest, "invalid-field"):
        User.create("officer", Role.COMMUNE_OFFICER, "hash", at=AT, province="Thái Nguyên")


def test_disabling_ends_the_tokens_and_refuses_sign_in_enabling_does_not() -> None:
    user = User.create("producer", Role.PRODUCER, "hash", at=AT, subject_id="s1")
    ended = user.set_disabled(OFFICE, True)
    assert ended and (ended.token_generation, ended.disabled) == (1, True)
    assert not user.may_sign_in
    assert user.set_disabled(OFFICE, False) is None and user.token_generation == 1
    assert user.may_sign_in


def test_an_admin_cannot_disable_itself() -> None:
    office = User.create("office", Role.ADMIN, "hash", at=AT)
    with refused(Conflict, "own-account"):
        office.set_disabled(OFFICE, True)
    assert not office.disabled


def test_a_new_password_ends_every_earlier_token() -> None:
    user = User.create("producer", Role.PRODUCER, "old", at=AT, subject_id="s1")
    ended = user.change_password("new")
    assert user.password_hash == "new" and ended.token_generation == user.token_generation == 1


# --- subjects --------------------------------------------------------------------------

def test_a_subject_is_registered_under_its_checked_code_and_locality() -> None:
    subject = cooperative(code="0100109106")
    assert subject.code == "0100109106"
    assert (subject.province_code, subject.commune_code) == ("19", "05503")
    assert subject.ref().commune == "Xã Tân Cương"
    with refused(BadRequest, "invalid-field"):
        cooperative(code="0100109107")  # wrong check digit
    with refused(BadRequest, "invalid-field"):
        cooperative(registered_on=date(2026, 11, 3))  # after today


def test_records_before_two_level_government_name_their_district() -> None:
    assert cooperative(date(2024, 1, 15), district="Đại Từ").district == "Đại Từ"
    with refused(BadRequest, "invalid-field"):
        cooperative(date(2024, 1, 15))
    with refused(BadRequest, "invalid-field"):
        cooperative(date(2025, 7, 1), district="Đại Từ")


def test_a_changed_code_is_returned_so_its_claim_moves() -> None:
    subject = cooperative()
    assert subject.change({"name": "HTX Chè Tân Cương mới"}, today=TODAY, by="o", at=AT) is None
    former = subject.change({"code": "0101243150"}, today=TODAY, by="o", at=AT)
    assert former == "0100109106" and subject.code == "0101243150"
    assert subject.updated_by == "o"
    with refused(BadRequest, "invalid-field"):
        subject.change({"registered_on": "2024-01-15"}, today=TODAY, by="o", at=AT)


# --- products --------------------------------------------------------------------------

def test_a_product_is_registered_in_a_known_group_with_a_padded_gtin() -> None:
    product = tea()
    assert product.status is ProductStatus.DRAFT and product.gtin == "08934563138165"
    with refused(BadRequest, "invalid-field"):
        tea(subgroup="no-such")
    with refused(BadRequest, "invalid-field"):
        tea(gtin="8934563138166")


def test_a_product_shows_its_latest_certificate_and_how_it_ended() -> None:
    product = tea()
    assert product.certification is None
    product.certify("c1", 4, date(2029, 11, 1))
    product.certify("c2", 5, date(2030, 3, 1))  # upgraded: c1 superseded
    assert not product.end_certification("c1", CertificationStatus.EXPIRED)
    assert product.certification == {"status": CertificationStatus.CERTIFIED, "stars": 5,
                                     "certificate_id": "c2", "valid_until": date(2030, 3, 1)}
    assert product.end_certification("c2", CertificationStatus.REVOKED)
    assert product.certification and (product.certification["status"],
                                      product.certification["stars"]) == (
        CertificationStatus.REVOKED, 5)


def test_a_draft_changes_at_once_even_its_identity() -> None:
    product = tea()
    assert product.change(PRODUCER, {"name": "Chè búp Tân Cương"}, AT) == {}
    assert product.name == "Chè búp Tân Cương" and not product.identity_pending


def submitted() -> Product:
    product = tea()
    product.submit(OFFICE, None, "Hồ sơ giấy", AT)
    return product


def test_a_submitted_products_identity_change_waits_for_the_office() -> None:
    product = submitted()
    held = product.change(PRODUCER, {"name": "Tên mới", "description": "Mô tả mới"}, AT)
    assert held == {"name": "Tên mới"} and product.name == "Chè búp"
    assert product.description == "Mô tả mới" and product.identity_pending
    product.decide_identity(True, "đồng ý", "office", AT)
    assert product.name == "Tên mới" and not product.identity_pending
    assert product.last_identity_decision and product.last_identity_decision["approved"]
    with refused(Conflict, "nothing-pending"):
        product.decide_identity(True, "", "office", AT)


def test_a_rejected_identity_change_leaves_the_product_as_it_was() -> None:
    product = submitted()
    product.change(PRODUCER, {"gtin": "8934563138172"}, AT)
    product.decide_identity(False, "không", "office", AT)
    assert product.gtin == "08934563138165" and product.pending_identity is None


def test_the_office_changes_a_submitted_products_identity_at_once() -> None:
    product = submitted()
    assert product.change(OFFICE, {"name": "Tên mới"}, AT) == {}
    assert product.name == "Tên mới"


def test_a_proposed_identity_must_be_a_known_group() -> None:
    with refused(BadRequest, "invalid-field"):
        submitted().change(PRODUCER, {"subgroup": "no-such"}, AT)


def test_a_replaced_gtin_is_kept_for_good_and_returned_as_retired() -> None:
    product = tea()
    product.change(PRODUCER, {"gtin": "8934563138172"}, AT)
    assert product.settle_identity("08934563138165") == "08934563138165"
    assert product.former_gtins == ["08934563138165"]
    product.change(PRODUCER, {"gtin": "8934563138165"}, AT)  # back to the first
    assert product.settle_identity("08934563138172") == "08934563138172"
    assert product.former_gtins == ["08934563138172"]
    assert product.settle_identity(product.gtin) is None


def test_submission_needs_an_accepted_dossier_or_the_offices_paper_one() -> None:
    product = tea()
    with refused(Conflict, "dossier-not-accepted"):
        product.submit(PRODUCER, "proposed", None, AT)
    with refused(Conflict, "dossier-not-accepted"):
        product.submit(PRODUCER, None, "Hồ sơ giấy", AT)  # only the office holds paper
    product.submit(PRODUCER, "accepted", None, AT)
    assert product.status is ProductStatus.SUBMITTED and product.paper_dossier is None
    with refused(Conflict, "already-submitted"):
        product.submit(OFFICE, "accepted", None, AT)
    on_paper = tea()
    on_paper.submit(OFFICE, None, "Hồ sơ giấy", AT)
    assert on_paper.paper_dossier == "Hồ sơ giấy"


# --- dossiers --------------------------------------------------------------------------

def document(kind: str) -> dict[str, object]:
    return {"id": kind, "type": kind, "key": f"k/{kind}", "size": 1, "by": "producer", "at": AT}


def test_the_cycle_goes_idea_plan_dossier_each_proposed_then_decided() -> None:
    dossier, owner = Dossier("p1"), cooperative().ref()
    with refused(Conflict, "stage-out-of-order"):
        dossier.move(PRODUCER, owner, "food", stage="plan", status="proposed", note="", at=AT,
                     product_name=TEA)
    with refused(Conflict, "stage-not-proposed"):
        dossier.move(OFFICE, owner, "food", stage="idea", status="accepted", note="", at=AT,
                     product_name=TEA)
    dossier.move(PRODUCER, owner, "food", stage="idea", status="proposed", note="", at=AT,
                 product_name=TEA)
    with refused(Conflict, "stage-already-moved"):
        dossier.move(PRODUCER, owner, "food", stage="idea", status="proposed", note="", at=AT,
                     product_name=TEA)
    with refused(Forbidden, "not-permitted"):
        dossier.move(PRODUCER, owner, "food", stage="idea", status="accepted", note="", at=AT,
                     product_name=TEA)
    assert dossier.waiting == {"stage": "idea", "waiting_for": "commune", "subject_id": "s1",
                               "note": "", "by": "producer", "at": AT}
    dossier.move(OFFICER, owner, "food", stage="idea", status="accepted", note="", at=AT,
                 product_name=TEA)
    assert dossier.stages() == {"idea": "accepted"}
    assert dossier.cycle[-1]["by"] == "xa"
    assert dossier.waiting is None


def test_the_dossier_is_proposed_only_once_its_checklist_is_complete() -> None:
    dossier, owner = Dossier("p1"), cooperative().ref()
    for stage in ("idea", "plan"):
        dossier.move(PRODUCER, owner, "ornamental", stage=stage, status="proposed", note="",
                     at=AT, product_name=TEA)
        dossier.move(OFFICE, owner, "ornamental", stage=stage, status="accepted", note="",
                     at=AT, product_name=TEA)
    assert [t.value for t in dossier.missing("ornamental")] == [
        "product_story", "quality_standard"]
    with refused(Conflict, "dossier-incomplete"):
        dossier.move(PRODUCER, owner, "ornamental", stage="dossier", status="proposed",
                     note="", at=AT, product_name=TEA)
    dossier.add_document(document("product_story"))
    dossier.add_document(document("quality_standard"))
    assert dossier.missing("ornamental") == [] and dossier.document("product_story")
    dossier.move(PRODUCER, owner, "ornamental", stage="dossier", status="proposed", note="",
                 at=AT, product_name=TEA)
    assert dossier.stages()["dossier"] == "proposed"
    assert dossier.waiting and dossier.waiting["waiting_for"] == "office"


def test_a_stranger_cannot_propose_another_subjects_stage() -> None:
    with refused(Forbidden, "not-permitted"):
        Dossier("p1").move(STRANGER, cooperative().ref(), "food", stage="idea",
                           status="proposed", note="", at=AT, product_name=TEA)


def test_a_decided_stage_is_announced_by_who_decided_it_and_a_proposal_is_not() -> None:
    dossier, owner = Dossier("p1"), cooperative().ref()
    for stage, decider in (("idea", OFFICER), ("plan", OFFICE)):
        assert dossier.move(PRODUCER, owner, "tourism", stage=stage, status="proposed",
                            note="", at=AT, product_name=TEA) is None
        decided = dossier.move(decider, owner, "tourism", stage=stage, status="rejected",
                               note="Thiếu bảng giá", at=AT, product_name=TEA)
        assert decided is not None
        assert decided.model_dump(mode="json") == {
            "product_id": "p1", "subject_id": "s1", "product_name": TEA, "stage": stage,
            "status": "rejected", "note": "Thiếu bảng giá",
            "decided_by": "commune" if decider is OFFICER else "office",
            "decided_at": "2026-11-02T09:00:00Z"}
        assert dossier.move(PRODUCER, owner, "tourism", stage=stage, status="proposed",
                            note="", at=AT, product_name=TEA) is None
        assert dossier.move(decider, owner, "tourism", stage=stage, status="accepted",
                            note="", at=AT, product_name=TEA) is not None
