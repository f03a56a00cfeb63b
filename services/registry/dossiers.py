"""Dossier commands: a product's documents (files in the object store) with the checklist
of what is missing, and its path through the annual cycle with who moved it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.registry import domain
from services.registry.history import History
from services.registry.store import DOSSIERS, PRODUCTS, SUBJECTS
from shared.access import SubjectRef
from shared.auth import Caller
from shared.clock import Clock
from shared.ids import new_id
from shared.objects import ObjectStore
from shared.refusals import NotFound
from shared.store import Document, DocumentStore, Transaction, get_existing


@dataclass
class Dossiers:
    store: DocumentStore
    objects: ObjectStore
    clock: Clock
    history: History

    async def add_document(self, caller: Caller, product_id: str, kind: domain.DocumentType,
                           content_type: str, data: bytes) -> dict[str, Any]:
        await get_existing(self.store, PRODUCTS.name, product_id, "product", "sản phẩm")
        extension = domain.check_document(content_type, data)
        document_id = new_id()
        key = f"products/{product_id}/dossier/{document_id}.{extension}"
        stored = await self.objects.put(key, data, content_type.split(";")[0].strip().lower())
        entry = {"id": document_id, "type": kind.value, "key": key, "size": stored.size,
                 "content_type": stored.content_type, "by": caller.user_id,
                 "at": self.clock.stamp()}
        async with self.store.transaction() as tx:
            held = await _dossier(tx, product_id)
            await self._save(tx, product_id, held, held.data | {
                "documents": [*held.data["documents"], entry]}, caller, "document-added")
        return entry

    async def document(self, product_id: str, document_id: str) -> tuple[bytes, str]:
        await get_existing(self.store, PRODUCTS.name, product_id, "product", "sản phẩm")
        held = await self.store.get(DOSSIERS.name, product_id)
        for entry in held.data["documents"] if held else []:
            if entry["id"] == document_id:
                content = await self.objects.get(entry["key"])
                return content.data, content.content_type
        raise NotFound(f"Product {product_id} has no document {document_id}.",
                       f"Sản phẩm {product_id} không có tài liệu {document_id}.")

    async def view(self, product_id: str) -> dict[str, Any]:
        """The dossier with its checklist: what the product's group requires and lacks."""
        product = await get_existing(self.store, PRODUCTS.name, product_id, "product",
                                     "sản phẩm")
        held = await self.store.get(DOSSIERS.name, product_id)
        data = held.data if held else {"documents": [], "cycle": []}
        missing = domain.missing_documents(product.data["group"],
                                           {d["type"] for d in data["documents"]})
        return {
            "product_id": product_id,
            "documents": [{k: v for k, v in d.items() if k != "key"}
                          | {"name_vi": domain.DOCUMENT_NAMES[domain.DocumentType(d["type"])][0]}
                          for d in data["documents"]],
            "missing": [{"type": t.value, "name_vi": domain.DOCUMENT_NAMES[t][0],
                         "name_en": domain.DOCUMENT_NAMES[t][1]} for t in missing],
            "complete": not missing,
            "stages": domain.stage_statuses(data["cycle"]), "cycle": data["cycle"]}

    async def move(self, caller: Caller, product_id: str, stage: str, status: str,
                   note: str) -> dict[str, Any]:
        async with self.store.transaction() as tx:
            product = await get_existing(tx, PRODUCTS.name, product_id, "product", "sản phẩm")
            held = await _dossier(tx, product_id)
            missing = domain.missing_documents(product.data["group"],
                                               {d["type"] for d in held.data["documents"]})
            subject = await get_existing(tx, SUBJECTS.name, product.data["subject_id"],
                                         "subject", "chủ thể")
            domain.check_cycle_move(caller, SubjectRef.of(subject.id, subject.data),
                                    domain.stage_statuses(held.data["cycle"]), stage, status,
                                    missing)
            step = {"stage": stage, "status": status, "note": note, "by": caller.user_id,
                    "at": self.clock.stamp()}
            await self._save(tx, product_id, held, held.data | {
                "cycle": [*held.data["cycle"], step]}, caller, f"{stage}-{status}")
        return await self.view(product_id)

    async def _save(self, tx: Transaction, product_id: str, held: Document,
                    data: dict[str, Any], caller: Caller, action: str) -> None:
        doc = (await tx.update(DOSSIERS.name, product_id, data, expected_version=held.version)
               if held.version else await tx.insert(DOSSIERS.name, product_id, data))
        await self.history.record(tx, "dossier", doc, held.data, caller.user_id, action)


async def _dossier(tx: Transaction, product_id: str) -> Document:
    """The product's dossier, or an empty one (version 0) not yet stored."""
    held = await tx.get(DOSSIERS.name, product_id)
    return held or Document(product_id, 0, {"documents": [], "cycle": []})

