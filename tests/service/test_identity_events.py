"""The registry tells a producer the office's decision on a change of its submitted
product's identity: ``ProductIdentityDecided``, keyed by the product id at the product's
version, after the ``ProductUpdated`` that carries the product's new state. The products
topic's readers (rating, traceability, the catalog) pass over the type they do not handle:
no error, no dead letter, and the state still reaches them."""

from __future__ import annotations

from services.rating.store import PRODUCTS
from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Product, Subject
from shared.identity.auth import Caller, Role
from shared.messaging import DEAD_LETTERS
from shared.messaging.contracts.registry import (
    PRODUCTS_TOPIC,
    ProductIdentityDecided,
    ProductUpdated,
)
from shared.ocop.vocabulary import SubjectType
from shared.ports.store import find_all
from tests.support.service_stories import OFFICE, PAPER_DOSSIER
from tests.support.service_tier import Running, ServiceTier


async def submitted_tea(registry: Running) -> tuple[Subject, Product, Caller]:
    registry_part = registry.part(Registry)
    subject = await registry_part.register_subject(
        OFFICE, type=SubjectType.COOPERATIVE_GROUP, name="Tổ hợp tác chè Tân Cương",
        code="THT-0001", province="Thái Nguyên", commune="Xã Tân Cương")
    product = await registry_part.register_product(
        OFFICE, subject_id=subject.id, name="Chè Tân Cương", group="food", subgroup="tea")
    await registry_part.submit_product(OFFICE, product.id, paper_dossier=PAPER_DOSSIER)
    producer = Caller("che-tan-cuong", "che-tan-cuong", Role.PRODUCER, subject_id=subject.id)
    return subject, product, producer


async def test_an_approved_change_is_said_after_the_products_new_state(
        registry: Running) -> None:
    subject, product, producer = await submitted_tea(registry)
    registry_part = registry.part(Registry)
    await registry_part.update_product(producer, product.id, {"name": "Chè búp Tân Cương"})
    await registry.relay()

    decided = await registry_part.decide_identity(OFFICE, product.id, True, "Đúng nhãn mới")
    updated, told = await registry.outbox()
    assert updated.type == ProductUpdated.event_type
    assert told.type == ProductIdentityDecided.event_type
    assert (told.aggregate_id, told.sequence) == (product.id, decided.version)
    assert updated.sequence == told.sequence
    assert told.data == {
        "product_id": product.id, "subject_id": subject.id,
        "product_name": "Chè búp Tân Cương", "approved": True, "note": "Đúng nhãn mới",
        "decided_at": told.data["decided_at"]}
    assert told.data["decided_at"].startswith("2026-03-02")


async def test_a_refused_change_is_said_with_the_name_that_stays(registry: Running) -> None:
    _, product, producer = await submitted_tea(registry)
    registry_part = registry.part(Registry)
    await registry_part.update_product(producer, product.id, {"name": "Trà ngon nhất"})
    await registry.relay()
    await registry_part.decide_identity(OFFICE, product.id, False, "Tên quảng cáo")
    told = [e for e in await registry.outbox() if e.type == ProductIdentityDecided.event_type]
    assert [(e.data["product_name"], e.data["approved"], e.data["note"]) for e in told] == [
        ("Chè Tân Cương", False, "Tên quảng cáo")]


async def test_a_change_proposed_or_applied_at_once_says_no_decision(
        registry: Running) -> None:
    _, product, producer = await submitted_tea(registry)
    registry_part = registry.part(Registry)
    await registry.relay()
    await registry_part.update_product(producer, product.id, {"name": "Chè búp Tân Cương"})
    await registry_part.update_product(OFFICE, product.id, {"description": "Chè búp"})
    assert {e.type for e in await registry.outbox()} == {ProductUpdated.event_type}


async def test_the_products_readers_pass_over_the_decision_without_a_dead_letter(
        tier: ServiceTier, registry: Running, rating: Running, traceability: Running,
        catalog: Running) -> None:
    _, product, producer = await submitted_tea(registry)
    registry_part = registry.part(Registry)
    await registry_part.update_product(producer, product.id, {"name": "Chè búp Tân Cương"})
    await registry_part.decide_identity(OFFICE, product.id, True, "")
    await tier.settle()

    heard = [m for m in tier.bus.log if m.topic == PRODUCTS_TOPIC
             and m.headers["ce_type"] == ProductIdentityDecided.event_type.encode()]
    assert len(heard) == 1  # on the topic they read
    for reader in (rating, traceability, catalog):
        assert [d.id async for d in find_all(reader.store, DEAD_LETTERS.name)] == []
    held = await rating.store.get(PRODUCTS.name, product.id)
    assert held is not None and held.data["name"] == "Chè búp Tân Cương"
