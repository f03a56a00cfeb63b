"""Registry commands on subjects (chủ thể) and products: each loads the aggregate
(``model``), lets it check its rules and change, and keeps it with its history entry and
the event that announces it, in one transaction. Accounts: ``accounts/``; dossiers:
``dossiers/``; imports: ``imports/``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.registry.access import RULES
from services.registry.accounts.model import User
from services.registry.store import (
    CLAIMS,
    PRODUCTS,
    SUBJECTS,
    dossiers,
    products,
    subjects,
    subjects_shown,
    users,
)
from services.registry.subjects import rules
from services.registry.subjects.model import (
    Located,
    Product,
    ProductImage,
    Representative,
    Subject,
)
from shared.files.content import Upload, digest_of, keep, same_file
from shared.files.images import web_renditions
from shared.history import History
from shared.http.uploads import media_type
from shared.identity.access import Visibility, check
from shared.identity.auth import Caller, Role
from shared.messaging import Outbox
from shared.messaging.contracts.registry import (
    ProductGtinRetired,
    ProductRegistered,
    ProductSubmitted,
    ProductUpdated,
    SubjectRegistered,
    SubjectUpdated,
)
from shared.ocop.vocabulary import SubjectType
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.platform.workers import PUBLIC_SHARE, Worker, share_of
from shared.ports.objects import ObjectStore
from shared.ports.store import Document, DocumentExists, DocumentStore, Transaction, retried
from shared.ports.store.repository import Repository
from shared.refusals import N_, Conflict, NotFound, invalid

log = logging.getLogger(__name__)


async def _check_gtin_free(tx: Transaction, gtin: str, product_id: str) -> bool:
    """Conflict if another product holds ``gtin`` (now or formerly: its labels carry it);
    whether ``product_id`` holds it already."""
    claim = await tx.get(CLAIMS.name, f"gtin:{gtin}")
    if claim is not None and claim.data["owner"] != product_id:
        raise _gtin_taken(gtin)
    return claim is not None


async def _claim_gtin(tx: Transaction, gtin: str, product_id: str) -> None:
    """``gtin`` is ``product_id``'s from now on (and for good); Conflict if another's."""
    if not await _check_gtin_free(tx, gtin, product_id):
        await _claim(tx, f"gtin:{gtin}", product_id, _gtin_taken(gtin))


async def _claim(tx: Transaction, key: str, owner: str, taken: Conflict) -> None:
    try:
        await tx.insert(CLAIMS.name, key, {"owner": owner})
    except DocumentExists:
        raise taken from None


@dataclass
class Registry:
    store: DocumentStore
    outbox: Outbox
    objects: ObjectStore
    public_url: str
    clock: Clock
    history: History
    photos: Worker
    """Where uploaded photos are decoded and drawn again, one at a time."""

    # --- subjects -------------------------------------------------------------------------

    async def register_subject(self, caller: Caller, **fields: Any) -> Subject:
        async with self.store.transaction() as tx:
            return await self.add_subject(tx, caller, **fields)

    async def add_subject(self, tx: Transaction, caller: Caller, *, type: SubjectType,
                           name: str, code: str, province: str | None = None,
                           commune: str | None = None, province_code: str | None = None,
                           commune_code: str | None = None, district: str | None = None,
                           registered_on: date | None = None,
                           representatives: list[Representative] | None = None) -> Subject:
        today = self.clock.today()
        subject = Subject.register(
            new_id(), type=type, name=name, code=code, province=province, commune=commune,
            province_code=province_code, commune_code=commune_code, district=district,
            registered_on=registered_on or today, representatives=representatives or [],
            today=today, by=caller.user_id, at=self.clock.stamp())
        await _claim(tx, f"subject-code:{subject.code}", subject.id, _code_taken(subject.code))
        await subjects.add(tx, subject)
        await self._recorded(tx, subject, {}, caller.user_id, SubjectRegistered, "created")
        return subject

    async def keep_locality_codes(self) -> int:
        """Give subjects and commune officers stored with names only (before localities were
        kept by code) their official codes and names. One whose names name no single commune
        is reported (logged, its ``locality_problem`` shown) and matches no one until the
        office corrects it. How many were given codes."""
        given = 0
        for repository, where in ((subjects, {}),
                                  (users, {"role": Role.COMMUNE_OFFICER.value})):
            pending = where | {"commune_code": None, "locality_problem": None}
            while (page := await self.store.find(repository.collection, pending,
                                                 limit=100)).items:
                async with self.store.transaction() as tx:
                    for doc in page.items:
                        given += await self._keep_codes(tx, repository, doc)
        return given

    async def _keep_codes(self, tx: Transaction, repository: Repository[Any],
                          doc: Document) -> bool:
        record: Located = repository.load(doc)
        before = repository.dump(record)
        state = record.state() if isinstance(record, User) else None
        problem = record.keep_codes()
        await repository.save(tx, record)
        action = "locality-resolved" if problem is None else "locality-unresolved"
        if isinstance(record, Subject):  # its readers get its official names
            await self._recorded(tx, record, before, "registry", SubjectUpdated, action)
        else:
            await self.history.record(tx, "user", doc.id, record.version, before,
                                      repository.dump(record), "registry", action)
        if isinstance(record, User) and state is not None and (
                changed := record.changed_since(state)) is not None:  # bound by its codes
            await self.outbox.emit(tx, changed, aggregate_id=record.id,
                                   sequence=record.version)
        if problem is not None:
            log.warning("%s %s keeps the names it was stored with and matches no commune "
                        "officer until they are corrected: %s", repository.collection,
                        doc.id, problem)
        return problem is None

    async def subjects(self, visibility: Visibility, province: str | None, *, limit: int,
                       after: str | None) -> tuple[list[Subject], str | None]:
        """A page of the subjects ``visibility`` shows, optionally of one province."""
        where: dict[str, Any] = {"province": province} if province else {}
        if visibility.subject_id:
            where["id"] = visibility.subject_id
        elif not visibility.everything:
            where["commune_code"] = visibility.commune_code
        page = await self.store.find(SUBJECTS.name, where or None, limit=limit, after=after)
        return [subjects.load(d) for d in page.items], page.next_cursor

    async def products(self, visibility: Visibility, subject_id: str | None, *, limit: int,
                       after: str | None, identity_pending: bool = False,
                       certification: str | None = None
                       ) -> tuple[list[Product], str | None, int]:
        """A page of the products ``visibility`` shows, optionally of one subject, only
        those with a change of identity waiting for the office, or only those whose
        certification is ``certification`` ("none": never certified); and how many match."""
        where: dict[str, Any] = {}
        if (shown := await subjects_shown(self.store, visibility, subject_id)) is not None:
            where["subject_id"] = shown
        if identity_pending:
            where["identity_pending"] = True
        if certification:
            where["certification.status"] = None if certification == "none" else certification
        page = await self.store.find(PRODUCTS.name, where or None, limit=limit, after=after)
        return ([products.load(d) for d in page.items], page.next_cursor,
                await self.store.count(PRODUCTS.name, where or None))

    async def subject(self, subject_id: str) -> Subject:
        return await subjects.get(self.store, subject_id)

    async def update_subject(self, caller: Caller, subject_id: str,
                             changes: dict[str, Any]) -> Subject:
        async with self.store.transaction() as tx:
            subject = await subjects.get(tx, subject_id)
            before = subjects.dump(subject)
            former_code = subject.change(changes, today=self.clock.today(), by=caller.user_id,
                                         at=self.clock.stamp())
            if former_code is not None:  # the new code is claimed, the old one let go
                await _claim(tx, f"subject-code:{subject.code}", subject_id,
                             _code_taken(subject.code))
                await tx.delete(CLAIMS.name, f"subject-code:{former_code}")
            await subjects.save(tx, subject)
            await self._recorded(tx, subject, before, caller.user_id, SubjectUpdated,
                                 "updated")
        return subject

    async def _recorded(self, tx: Transaction, subject: Subject, before: dict[str, Any],
                        by: str, event: type[SubjectRegistered | SubjectUpdated],
                        action: str) -> None:
        await self.history.record(tx, "subject", subject.id, subject.version, before,
                                  subjects.dump(subject), by, action)
        await self.outbox.emit(tx, event(**subject.state().model_dump()),
                               aggregate_id=subject.id, sequence=subject.version)

    # --- products -------------------------------------------------------------------------

    async def register_product(self, caller: Caller, **fields: Any) -> Product:
        async with self.store.transaction() as tx:
            return await self.add_product(tx, caller, **fields)

    async def add_product(self, tx: Transaction, caller: Caller, *, subject_id: str,
                           name: str, group: str, subgroup: str, description: str = "",
                           gtin: str | None = None,
                           registered_on: date | None = None) -> Product:
        subject = await subjects.get_or_none(tx, subject_id)
        if subject is None:
            raise invalid("subject_id", N_("no subject '%(subject)s'"), subject=subject_id)
        check(RULES["product.change"], caller, subject.ref())
        today = self.clock.today()
        product = Product.register(
            new_id(), subject_id, name=name, group=group, subgroup=subgroup,
            description=description, gtin=gtin, registered_on=registered_on or today,
            today=today, by=caller.user_id, at=self.clock.stamp())
        if product.gtin:
            await _claim_gtin(tx, product.gtin, product.id)
        await products.add(tx, product)
        await self.history.record(tx, "product", product.id, product.version, {},
                                  products.dump(product), caller.user_id, "created")
        await self.outbox.emit(tx, ProductRegistered(**self.product_state(product)),
                               aggregate_id=product.id, sequence=product.version)
        return product

    async def product(self, product_id: str) -> Product:
        return await products.get(self.store, product_id)

    async def update_product(self, caller: Caller, product_id: str,
                             changes: dict[str, Any]) -> Product:
        """Change a product. Once it is submitted, a producer's change to its identity
        (name, group, sub-group, GTIN) waits for the office (``decide_identity``); the rest
        applies at once."""
        async with self.store.transaction() as tx:
            product = await products.get(tx, product_id)
            before = products.dump(product)
            held = product.change(caller, changes, self.clock.stamp())
            if gtin := held.get("gtin"):
                await _check_gtin_free(tx, gtin, product_id)
            await self._settle_identity(tx, product, before["gtin"])
            await self._save_product(tx, product, before, caller, ProductUpdated,
                                     "identity-change-proposed" if held else "updated")
        return product

    async def decide_identity(self, caller: Caller, product_id: str, approve: bool,
                              note: str) -> Product:
        """The office approves or rejects a producer's change to the product's identity."""
        async with self.store.transaction() as tx:
            product = await products.get(tx, product_id)
            before = products.dump(product)
            decided = product.decide_identity(approve, note, caller.user_id,
                                              self.clock.stamp())
            await self._settle_identity(tx, product, before["gtin"])
            await self._save_product(
                tx, product, before, caller, ProductUpdated,
                "identity-change-approved" if approve else "identity-change-rejected")
            # After the product's new state, at its version: its producer is told.
            await self.outbox.emit(tx, decided, aggregate_id=product.id,
                                   sequence=product.version)
        return product

    async def _settle_identity(self, tx: Transaction, product: Product,
                               gtin_before: str | None) -> None:
        """A new GTIN is claimed; the one it replaces stays this product's for good (printed
        labels carry it) and is announced retired."""
        retired = product.settle_identity(gtin_before)
        if product.gtin and product.gtin != gtin_before:
            await _claim_gtin(tx, product.gtin, product.id)
        if retired:  # its own aggregate: a GTIN is retired once
            await self.outbox.emit(tx, ProductGtinRetired(product_id=product.id, gtin=retired),
                                   aggregate_id=f"gtin:{retired}", sequence=1)

    async def add_image(self, caller: Caller, product_id: str, content_type: str,
                        data: bytes) -> Upload[str]:
        """Keep the upload as sent, privately, and serve only its web renditions
        (``shared.files.images``): decoded and drawn again, without metadata. Its URL.

        Kept in a folder named by the upload's SHA-256: the same photo sent again for the
        product (a retry, even one racing the first request while the object store hangs)
        is the image already added, drawn and stored once (``shared.files.content``); the
        product's version makes a concurrent second save stale, and ``retried`` reads the
        product again and finds the first. A producer showing one photo twice means one."""
        product = await self.product(product_id)  # before storing a file for no product
        extension = rules.check_image(content_type, data)
        digest = digest_of(data)
        if (kept := same_file(product.images, digest)) is not None:
            return Upload(self.image_url(product_id, kept["id"]), new=False)
        renditions = await self.photos.run(web_renditions, data, share=share_of(caller))
        folder = f"products/{product_id}/images/{digest}"
        original = await keep(self.objects, f"{folder}/original.{extension}", data,
                              media_type(content_type))
        keys = {}
        for width, rendition in renditions.items():
            keys[str(width)] = f"{folder}/w{width}.webp"
            await keep(self.objects, keys[str(width)], rendition.data, rendition.content_type)
        largest = renditions[max(renditions)]
        image: ProductImage = {
            "id": new_id(), "renditions": keys, "width": largest.width,
            "height": largest.height, "sha256": digest, "original": {
                "key": original.key, "content_type": original.content_type,
                "size": original.size}}

        async def add(tx: Transaction) -> Upload[str]:
            product = await products.get(tx, product_id)
            before = products.dump(product)
            held = product.add_image(image)
            if held is image:
                await self._save_product(tx, product, before, caller, ProductUpdated)
            return Upload(self.image_url(product_id, held["id"]), new=held is image)

        return await retried(self.store, add)

    async def image(self, product_id: str, image_id: str, width: int) -> tuple[bytes, str]:
        """An image at one of the web widths. Images stored before renditions were made
        (``key``: the upload itself) are drawn again at each request, never sent as sent."""
        image = (await self.product(product_id)).image(image_id)
        if image is None:
            raise NotFound(N_("Product %(product)s has no image %(image)s."),
                           product=product_id, image=image_id)
        if "renditions" in image:
            content = await self.objects.get(image["renditions"][str(width)])
            return content.data, content.content_type
        upload = await self.objects.get(image["key"])
        rendition = (await self.photos.run(web_renditions, upload.data,
                                           share=PUBLIC_SHARE))[width]
        return rendition.data, rendition.content_type

    async def submit_product(self, caller: Caller, product_id: str,
                             paper_dossier: str | None = None) -> Product:
        async with self.store.transaction() as tx:
            product = await products.get(tx, product_id)
            before = products.dump(product)
            dossier = await dossiers.get_or_none(tx, product_id)
            stage = dossier.stages().get("dossier") if dossier else None
            product.submit(caller, stage, paper_dossier, self.clock.stamp())
            await self._save_product(tx, product, before, caller, ProductSubmitted,
                                     "submitted")
        return product

    async def _save_product(self, tx: Transaction, product: Product, before: dict[str, Any],
                            caller: Caller, event: type[ProductUpdated | ProductSubmitted],
                            action: str = "updated") -> None:
        product.touched(caller.user_id, self.clock.stamp())
        await products.save(tx, product)
        await self.history.record(tx, "product", product.id, product.version, before,
                                  products.dump(product), caller.user_id, action)
        await self.outbox.emit(tx, event(**self.product_state(product)),
                               aggregate_id=product.id, sequence=product.version)

    def image_url(self, product_id: str, image_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/products/{product_id}/images/{image_id}"

    def product_state(self, product: Product) -> dict[str, Any]:
        return product.state([self.image_url(product.id, i["id"]) for i in product.images]
                             ).model_dump(mode="json")


def _code_taken(code: str) -> Conflict:
    return Conflict(N_("A subject with code %(number)s is already registered."),
                    code="subject-code-taken", number=code)


def _gtin_taken(gtin: str) -> Conflict:
    return Conflict(N_("Another product already has the GTIN %(gtin)s."), code="gtin-taken",
                    gtin=gtin)
