"""An upload sent again is the one already kept (``shared.files.content``): the aggregates
that hold uploads answer the record of the same file instead of adding a second."""

from __future__ import annotations

from datetime import date

from services.registry.dossiers.model import Dossier, DossierDocument
from services.registry.dossiers.rules import DocumentType
from services.registry.subjects.model import Product, ProductImage
from shared.files.content import content_key, digest_of, same_file

AT = "2026-03-02T09:00:00+00:00"
REPORT = b"%PDF-1.7\n%%EOF\n"


def document(document_id: str, kind: DocumentType, data: bytes) -> DossierDocument:
    digest = digest_of(data)
    return {"id": document_id, "type": kind, "size": len(data), "content_type": "application/pdf",
            "key": content_key("products/p1/dossier", digest, "pdf"), "by": "producer",
            "at": AT, "sha256": digest}


def image(image_id: str, data: bytes) -> ProductImage:
    digest = digest_of(data)
    return {"id": image_id, "renditions": {"480": f"products/p1/images/{digest}/w480.webp"},
            "width": 480, "height": 360, "sha256": digest, "original": {
                "key": f"products/p1/images/{digest}/original.png",
                "content_type": "image/png", "size": len(data)}}


def test_the_key_names_the_digest_within_its_owners_folder() -> None:
    digest = digest_of(REPORT)
    assert len(digest) == 64 and content_key("origin-documents/p1", digest, "pdf") == (
        f"origin-documents/p1/{digest}.pdf")


def test_a_dossier_document_sent_again_as_its_type_is_the_one_kept() -> None:
    dossier, story = Dossier("p1"), DocumentType.PRODUCT_STORY
    first = document("d1", story, REPORT)
    assert dossier.add_document(first) is first
    assert dossier.add_document(document("d2", story, REPORT)) is first
    other = document("d3", story, REPORT + b"\n")
    assert dossier.add_document(other) is other
    # One PDF as two checklist items: two documents naming one stored file.
    standard = document("d4", DocumentType.QUALITY_STANDARD, REPORT)
    assert dossier.add_document(standard) is standard and standard["key"] == first["key"]
    assert [d["id"] for d in dossier.documents] == ["d1", "d3", "d4"]


def test_a_photo_sent_again_is_the_one_the_product_shows() -> None:
    product = Product.register(
        "p1", "s1", name="Chè búp", group="food", subgroup="tea", description="", gtin=None,
        registered_on=date(2026, 2, 1), today=date(2026, 3, 2), by="producer", at=AT)
    first = image("i1", b"photo")
    assert product.add_image(first) is first
    assert product.add_image(image("i2", b"photo")) is first
    assert product.add_image(image("i3", b"another")) is not first
    assert [i["id"] for i in product.images] == ["i1", "i3"]


def test_records_kept_before_digests_match_no_upload() -> None:
    legacy = [{"id": "i0", "key": "products/p1/images/i0.jpg"}]
    assert same_file(legacy, digest_of(b"photo")) is None
    assert same_file(legacy, "") is None
