"""The registry tells a producer each decision on a stage of its product's cycle:
``DossierStageDecided`` when the commune or the office accepts or rejects a proposed stage,
with the note they wrote, keyed by the product id, the dossier's version as its sequence, in
the decision's own transaction. A proposal is the producer's own doing: nothing is said."""

from __future__ import annotations

from services.registry.dossiers.commands import Dossiers
from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Product, Subject
from shared.identity.auth import Caller, Role
from shared.messaging.contracts.registry import DossierStageDecided
from shared.ocop.vocabulary import SubjectType
from shared.refusals import Conflict
from tests.support.refusals import refused
from tests.support.service_stories import OFFICE
from tests.support.service_tier import Running


async def tea_of_tan_cuong(registry: Running) -> tuple[Subject, Product]:
    registry_part = registry.part(Registry)
    subject = await registry_part.register_subject(
        OFFICE, type=SubjectType.COOPERATIVE_GROUP, name="Tổ hợp tác chè Tân Cương",
        code="THT-0001", province="Thái Nguyên", commune="Xã Tân Cương")
    product = await registry_part.register_product(
        OFFICE, subject_id=subject.id, name="Chè Tân Cương", group="food", subgroup="tea")
    await registry.relay()
    return subject, product


async def test_each_decision_is_said_with_its_note_and_who_took_it(
        registry: Running) -> None:
    subject, product = await tea_of_tan_cuong(registry)
    producer = Caller("che-tan-cuong", "che-tan-cuong", Role.PRODUCER, subject_id=subject.id)
    officer = Caller("xa-tan-cuong", "xa-tan-cuong", Role.COMMUNE_OFFICER,
                     commune=subject.commune_code, province=subject.province_code)
    dossiers = registry.part(Dossiers)

    await dossiers.move(producer, product.id, "idea", "proposed", "Chè búp khô")
    assert await registry.outbox() == []  # a proposal: the producer's own
    await dossiers.move(officer, product.id, "idea", "accepted", "Ý tưởng tốt")
    (accepted,) = await registry.outbox()
    assert accepted.type == DossierStageDecided.event_type
    assert (accepted.aggregate_id, accepted.sequence) == (product.id, 2)
    assert accepted.data == {
        "product_id": product.id, "subject_id": subject.id, "product_name": "Chè Tân Cương",
        "stage": "idea", "status": "accepted", "note": "Ý tưởng tốt", "decided_by": "commune",
        "decided_at": accepted.data["decided_at"]}
    assert accepted.data["decided_at"].startswith("2026-03-02")
    await registry.relay()

    await dossiers.move(producer, product.id, "plan", "proposed", "")
    assert await registry.outbox() == []
    await dossiers.move(OFFICE, product.id, "plan", "rejected", "Thiếu phương án tiêu thụ")
    (rejected,) = await registry.outbox()
    assert (rejected.sequence, rejected.data["stage"], rejected.data["status"]) == (
        4, "plan", "rejected")
    assert (rejected.data["decided_by"], rejected.data["note"]) == (
        "office", "Thiếu phương án tiêu thụ")


async def test_a_refused_decision_says_nothing(registry: Running) -> None:
    _, product = await tea_of_tan_cuong(registry)
    with refused(Conflict, "stage-not-proposed"):
        await registry.part(Dossiers).move(OFFICE, product.id, "idea", "accepted", "")
    assert await registry.outbox() == []
