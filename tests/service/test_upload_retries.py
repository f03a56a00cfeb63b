"""Uploads are idempotent under client retries (issue 34): four client retries while the
object store hung once left four copies of an image and of an origin document. Every upload
(a product's images and dossier documents in the registry, origin documents in
traceability) is kept by the SHA-256 of its bytes within its product's folder
(``shared.files.content``): the same file again is the record already kept, and one object.

The objects are the embedded platform's directory store, counted on disk; the store is the
service tier's SQLite. The status each answer carries (201, then 200) is shown over HTTP by
``tests/platform/test_origin_documents.py``."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from services.registry.dossiers.commands import Dossiers
from services.registry.dossiers.rules import DocumentType
from services.registry.subjects.commands import Registry
from services.traceability.documents.commands import Filing
from services.traceability.documents.model import DocumentKind
from shared.files.content import Upload
from shared.ocop.vocabulary import SubjectType
from shared.ports.objects import ObjectStore, StoredObject
from shared.ports.objects.files import FileObjectStore
from tests.support.service_stories import OFFICE, Office
from tests.support.service_tier import Running

T = TypeVar("T")
REPORT = b"%PDF-1.7\n% Phieu ket qua thu nghiem so 118\n%%EOF\n"
OTHER_REPORT = b"%PDF-1.7\n% Phieu ket qua thu nghiem so 119\n%%EOF\n"
PDF = "application/pdf"


def photo(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (shade, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def objects_under(objects: ObjectStore, folder: str) -> list[str]:
    """The objects kept under ``folder`` (their keys), counted in the directory itself."""
    assert isinstance(objects, FileObjectStore)
    root = objects.root / folder
    return sorted(str(p.relative_to(objects.root)) for p in Path(root).rglob("*")
                  if p.is_file() and not p.name.endswith(".meta.json")
                  and not p.name.startswith(".tmp-"))


@dataclass
class HangingObjects:
    """The object store of a part, whose first ``put`` hangs until the test lets it go: S3
    stuck while the client, tired of waiting, sends the upload again."""

    inner: ObjectStore
    let_go: asyncio.Event = field(default_factory=asyncio.Event)
    hanging: asyncio.Event = field(default_factory=asyncio.Event)
    puts: int = 0

    @property
    def max_bytes(self) -> int:
        return self.inner.max_bytes

    async def stat(self, key: str) -> StoredObject | None:
        return await self.inner.stat(key)

    async def put(self, key: str, data: bytes, content_type: str, *,
                  disposition: str | None = None) -> StoredObject:
        self.puts += 1
        if self.puts == 1:
            self.hanging.set()
            await self.let_go.wait()
        return await self.inner.put(key, data, content_type, disposition=disposition)


async def retried_while_hanging(part: Any, upload: Callable[[], Awaitable[Upload[T]]]
                                ) -> list[Upload[T]]:
    """``upload`` sent, and sent three times more while its first write to the object store
    hangs; then the store recovers and every request ends. Their answers, first first."""
    hanging = HangingObjects(part.objects)
    part.objects = hanging
    try:
        first = asyncio.create_task(upload())
        await asyncio.wait_for(hanging.hanging.wait(), 10)
        retries = [await upload() for _ in range(3)]  # each ends: only the first hangs
        assert not first.done() and hanging.puts > 1  # the retries wrote meanwhile
        hanging.let_go.set()
        return [await asyncio.wait_for(first, 10), *retries]
    finally:
        part.objects = hanging.inner


async def a_product(registry: Running) -> str:
    subject = await registry.part(Registry).register_subject(
        OFFICE, type=SubjectType.COOPERATIVE_GROUP, name="Tổ hợp tác chè Tân Cương",
        code="THT-0042", province="Thái Nguyên", commune="Xã Tân Cương")
    product = await registry.part(Registry).register_product(
        OFFICE, subject_id=subject.id, name="Chè Tân Cương", group="food", subgroup="tea")
    return product.id


async def test_a_dossier_document_sent_four_times_is_one_document_and_one_object(
        registry: Running) -> None:
    product_id, dossiers = await a_product(registry), registry.part(Dossiers)
    folder = f"products/{product_id}/dossier"
    story = DocumentType.PRODUCT_STORY

    sent = [await dossiers.add_document(OFFICE, product_id, story, PDF, REPORT)
            for _ in range(4)]
    assert [s.new for s in sent] == [True, False, False, False]
    assert {s.kept["id"] for s in sent} == {sent[0].kept["id"]}
    assert len((await dossiers.view(product_id)).dossier.documents) == 1
    assert len(objects_under(registry.runtime.objects, folder)) == 1
    data, content_type, name = await dossiers.document(product_id, sent[0].kept["id"])
    assert (data, content_type, name) == (REPORT, PDF, f"{sent[0].kept['id']}.pdf")

    # Another file is a second document; the same file as another type is a document of
    # its own that names the object already kept, not a copy.
    other = await dossiers.add_document(OFFICE, product_id, story, PDF, OTHER_REPORT)
    standard = await dossiers.add_document(OFFICE, product_id,
                                           DocumentType.QUALITY_STANDARD, PDF, REPORT)
    assert other.new and standard.new
    assert standard.kept["key"] == sent[0].kept["key"] != other.kept["key"]
    assert len((await dossiers.view(product_id)).dossier.documents) == 3
    assert len(objects_under(registry.runtime.objects, folder)) == 2


async def test_a_dossier_document_retried_while_the_object_store_hangs_is_kept_once(
        registry: Running) -> None:
    product_id, dossiers = await a_product(registry), registry.part(Dossiers)
    answers = await retried_while_hanging(dossiers, lambda: dossiers.add_document(
        OFFICE, product_id, DocumentType.PRODUCT_STORY, PDF, REPORT))
    assert sum(a.new for a in answers) == 1
    assert {a.kept["id"] for a in answers} == {answers[0].kept["id"]}
    assert len((await dossiers.view(product_id)).dossier.documents) == 1
    assert len(objects_under(registry.runtime.objects,
                             f"products/{product_id}/dossier")) == 1


async def test_a_photo_sent_four_times_is_one_image_drawn_and_kept_once(
        registry: Running) -> None:
    product_id, images = await a_product(registry), registry.part(Registry)
    folder = f"products/{product_id}/images"

    sent = [await images.add_image(OFFICE, product_id, "image/png", photo(200))
            for _ in range(4)]
    assert [s.new for s in sent] == [True, False, False, False]
    assert {s.kept for s in sent} == {sent[0].kept}
    assert len((await images.product(product_id)).images) == 1
    kept = objects_under(registry.runtime.objects, folder)
    assert len(kept) == 3  # the upload as sent and its two web renditions, once
    assert all(k.endswith(("/original.png", ".webp")) for k in kept)

    other = await images.add_image(OFFICE, product_id, "image/png", photo(40))
    assert other.new and other.kept != sent[0].kept
    assert len((await images.product(product_id)).images) == 2
    assert len(objects_under(registry.runtime.objects, folder)) == 6


async def test_a_photo_retried_while_the_object_store_hangs_is_kept_once(
        registry: Running) -> None:
    product_id, images = await a_product(registry), registry.part(Registry)
    answers = await retried_while_hanging(images, lambda: images.add_image(
        OFFICE, product_id, "image/png", photo(200)))
    assert sum(a.new for a in answers) == 1 and len({a.kept for a in answers}) == 1
    assert len((await images.product(product_id)).images) == 1
    assert len(objects_under(registry.runtime.objects,
                             f"products/{product_id}/images")) == 3


async def test_an_origin_document_sent_four_times_and_retried_while_hanging_is_one(
        office: Office, traceability: Running) -> None:
    certificate = await office.certified(date(2026, 3, 2))
    await office.tier.settle()
    product_id, filing = certificate.product_id, traceability.part(Filing)
    folder = f"origin-documents/{product_id}"

    def file(data: bytes) -> Callable[[], Awaitable[Upload[Any]]]:
        return lambda: filing.add(OFFICE, product_id, DocumentKind.LAB_REPORT,
                                  "Phiếu kết quả thử nghiệm số 118", PDF, data)

    answers = await retried_while_hanging(filing, file(REPORT))
    answers += [await file(REPORT)() for _ in range(4)]
    assert [a.new for a in answers].count(True) == 1
    assert {a.kept.id for a in answers} == {answers[0].kept.id}
    assert len((await filing.of_product(product_id, 50, None))[0]) == 1
    assert len(objects_under(traceability.runtime.objects, folder)) == 1
    document, data = await filing.file(answers[0].kept.id)
    assert (data, document.sha256) == (REPORT, answers[0].kept.sha256)

    other = await file(OTHER_REPORT)()
    assert other.new and other.kept.id != answers[0].kept.id
    assert len((await filing.of_product(product_id, 50, None))[0]) == 2
    assert len(objects_under(traceability.runtime.objects, folder)) == 2
