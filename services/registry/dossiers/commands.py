"""Dossier commands: a product's documents (files in the object store) with the checklist
of what is missing, and its path through the annual cycle with who moved it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.registry.dossiers.model import Dossier, DossierDocument
from services.registry.dossiers.rules import DocumentType
from services.registry.store import dossiers, products, subjects
from shared.files.content import Upload, content_key, digest_of, keep, same_file
from shared.files.documents import attachment, check_document
from shared.history import History
from shared.http.uploads import media_type
from shared.identity.auth import Caller
from shared.messaging import Outbox
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.objects import ObjectStore
from shared.ports.store import DocumentStore, Reader, Transaction, retried
from shared.refusals import N_, NotFound


async def _dossier(reader: Reader, product_id: str) -> Dossier:
    """The product's dossier, or an empty one (version 0) not yet stored."""
    return await dossiers.get_or_new(reader, product_id, lambda: Dossier(product_id))


@dataclass(frozen=True)
class DossierView:
    """A product's dossier with its checklist: what the product's group requires and the
    dossier lacks."""

    dossier: Dossier
    missing: list[DocumentType]


@dataclass
class Dossiers:
    store: DocumentStore
    objects: ObjectStore
    clock: Clock
    history: History
    outbox: Outbox

    async def add_document(self, caller: Caller, product_id: str, kind: DocumentType,
                           content_type: str, data: bytes) -> Upload[DossierDocument]:
        """The file kept under the product's dossier folder by its SHA-256, and a document
        of ``kind`` naming it; the same file sent again as the same kind (a retry, even one
        racing the first request) is the document already added
        (``shared.files.content``): the dossier's version makes a concurrent second save
        stale, and ``retried`` reads it again and finds the first."""
        await products.get(self.store, product_id)
        extension = check_document(content_type, data)
        digest = digest_of(data)
        if (kept := same_file((await _dossier(self.store, product_id)).documents, digest,
                              type=kind)) is not None:
            return Upload(kept, new=False)
        stored = await keep(self.objects,
                            content_key(f"products/{product_id}/dossier", digest, extension),
                            data, media_type(content_type),
                            disposition=attachment(f"{digest}.{extension}"))
        entry: DossierDocument = {
            "id": new_id(), "type": kind, "key": stored.key, "size": stored.size,
            "content_type": stored.content_type, "by": caller.user_id,
            "at": self.clock.stamp(), "sha256": digest}

        async def add(tx: Transaction) -> Upload[DossierDocument]:
            dossier = await _dossier(tx, product_id)
            before = dossiers.dump(dossier)
            if (held := dossier.add_document(entry)) is not entry:
                return Upload(held, new=False)
            await self._keep(tx, dossier, before, caller, "document-added")
            return Upload(entry, new=True)

        return await retried(self.store, add)

    async def document(self, product_id: str, document_id: str) -> tuple[bytes, str, str]:
        """The document's bytes, content type and file name."""
        await products.get(self.store, product_id)
        entry = (await _dossier(self.store, product_id)).document(document_id)
        if entry is None:
            raise NotFound(N_("Product %(product)s has no document %(document)s."),
                           product=product_id, document=document_id)
        content = await self.objects.get(entry["key"])
        extension = entry["key"].rsplit(".", 1)[-1]  # the key names the file's digest
        return content.data, content.content_type, f"{document_id}.{extension}"

    async def view(self, product_id: str) -> DossierView:
        """The dossier with its checklist."""
        product = await products.get(self.store, product_id)
        dossier = await _dossier(self.store, product_id)
        return DossierView(dossier, dossier.missing(product.group))

    async def move(self, caller: Caller, product_id: str, stage: str, status: str,
                   note: str) -> DossierView:
        async with self.store.transaction() as tx:
            product = await products.get(tx, product_id)
            subject = await subjects.get(tx, product.subject_id)
            dossier = await _dossier(tx, product_id)
            before = dossiers.dump(dossier)
            decided = dossier.move(caller, subject.ref(), product.group, stage=stage,
                                   status=status, note=note, at=self.clock.stamp(),
                                   product_name=product.name)
            await self._keep(tx, dossier, before, caller, f"{stage}-{status}")
            if decided is not None:  # keyed by the product: the dossier is the product's
                await self.outbox.emit(tx, decided, aggregate_id=product_id,
                                       sequence=dossier.version)
        return await self.view(product_id)

    async def _keep(self, tx: Transaction, dossier: Dossier, before: dict[str, Any],
                    caller: Caller, action: str) -> None:
        await dossiers.keep(tx, dossier)
        await self.history.record(tx, "dossier", dossier.id, dossier.version, before,
                                  dossiers.dump(dossier), caller.user_id, action)
