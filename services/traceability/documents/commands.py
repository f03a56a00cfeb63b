"""Filing the documents behind a batch's records (``documents``): the file in the object
store, its record in the store, its public URL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from services.traceability.documents.model import DocumentKind, OriginDocument
from services.traceability.origin.model import check_certified
from services.traceability.store import DOCUMENTS, documents, profiles
from shared.files.documents import attachment, check_document
from shared.http.uploads import media_type
from shared.identity.auth import Caller
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.objects import ObjectStore
from shared.ports.store import DocumentStore


@dataclass
class Filing:
    store: DocumentStore
    objects: ObjectStore
    clock: Clock
    public_url: str

    async def add(self, caller: Caller, product_id: str, kind: DocumentKind, title: str,
                  content_type: str, data: bytes) -> OriginDocument:
        """Keep a document of a certified product (its producer's, or the office's).

        The same file filed again for the same product is the one already kept: a phone
        that resends a photo after losing the signal mid-upload files nothing twice."""
        profile = await profiles.get(self.store, product_id)
        check_certified(profile, self.clock.today())
        assert profile.subject  # certified
        extension = check_document(content_type, data)
        digest = hashlib.sha256(data).hexdigest()
        kept = await self.store.find(DOCUMENTS.name, {"product_id": product_id,
                                                      "sha256": digest}, limit=1)
        if kept.items:
            return documents.load(kept.items[0])
        document_id = new_id()
        key = f"origin-documents/{product_id}/{document_id}.{extension}"
        stored = await self.objects.put(key, data, media_type(content_type),
                                        disposition=attachment(f"{document_id}.{extension}"))
        document = OriginDocument(document_id, product_id, profile.subject.id, kind, title,
                                  key, stored.content_type, stored.size, digest,
                                  self.clock.stamp(), caller.user_id)
        async with self.store.transaction() as tx:
            return await documents.add(tx, document)

    async def file(self, document_id: str) -> tuple[OriginDocument, bytes]:
        document = await documents.get(self.store, document_id)
        return document, (await self.objects.get(document.key)).data

    async def of_product(self, product_id: str, limit: int, after: str | None
                         ) -> tuple[list[OriginDocument], str | None]:
        page = await self.store.find(DOCUMENTS.name, {"product_id": product_id},
                                     order_by="-id", limit=limit, after=after)
        return [documents.load(doc) for doc in page.items], page.next_cursor

    def url(self, document: OriginDocument) -> str:
        """Where anyone downloads it: what a lab-test event or an area certificate cites."""
        return f"{self.public_url.rstrip('/')}/origin-documents/{document.id}"
