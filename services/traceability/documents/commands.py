"""Filing the documents behind a batch's records (``documents``): the file in the object
store, its record in the store, its public URL."""

from __future__ import annotations

from dataclasses import dataclass

from services.traceability.documents.model import DocumentKind, OriginDocument
from services.traceability.origin.model import check_certified
from services.traceability.store import DOCUMENT_FILES, DOCUMENTS, documents, profiles
from shared.files.content import Upload, content_key, digest_of, keep
from shared.files.documents import attachment, check_document
from shared.http.uploads import media_type
from shared.identity.auth import Caller
from shared.platform.clock import Clock
from shared.platform.ids import new_id
from shared.ports.objects import ObjectStore
from shared.ports.store import DocumentStore, Reader, Transaction, retried


@dataclass
class Filing:
    store: DocumentStore
    objects: ObjectStore
    clock: Clock
    public_url: str

    async def add(self, caller: Caller, product_id: str, kind: DocumentKind, title: str,
                  content_type: str, data: bytes) -> Upload[OriginDocument]:
        """Keep a document of a certified product (its producer's, or the office's).

        The same file filed again for the same product (the same SHA-256, whatever its kind
        or title) is the one already kept, answered as it was filed: a phone that resends a
        photo after losing the signal mid-upload, or a client retrying while the object
        store hangs, files nothing twice (``shared.files.content``: the object is named by
        the digest, and the claim ``{product_id}:{sha256}`` makes a racing second record a
        ``DocumentExists``, retried into finding the first)."""
        profile = await profiles.get(self.store, product_id)
        check_certified(profile, self.clock.today())
        assert profile.subject  # certified
        subject_id = profile.subject.id
        extension = check_document(content_type, data)
        digest = digest_of(data)
        if (filed := await self._filed(self.store, product_id, digest)) is not None:
            return Upload(filed, new=False)
        stored = await keep(self.objects,
                            content_key(f"origin-documents/{product_id}", digest, extension),
                            data, media_type(content_type),
                            disposition=attachment(f"{digest}.{extension}"))

        async def file(tx: Transaction) -> Upload[OriginDocument]:
            if (filed := await self._filed(tx, product_id, digest)) is not None:
                return Upload(filed, new=False)
            document = OriginDocument(new_id(), product_id, subject_id, kind, title,
                                      stored.key, stored.content_type, stored.size, digest,
                                      self.clock.stamp(), caller.user_id)
            await tx.insert(DOCUMENT_FILES.name, f"{product_id}:{digest}",
                            {"document_id": document.id})
            return Upload(await documents.add(tx, document), new=True)

        return await retried(self.store, file)

    @staticmethod
    async def _filed(reader: Reader, product_id: str, digest: str) -> OriginDocument | None:
        """The document of the product whose file has ``digest``, if one is filed."""
        kept = await reader.find(DOCUMENTS.name, {"product_id": product_id, "sha256": digest},
                                 limit=1)
        return documents.load(kept.items[0]) if kept.items else None

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
