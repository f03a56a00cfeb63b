"""Every service's aggregates say what they hold: no field is, or holds, an untyped
``dict[str, Any]`` (issue 30); a payload free-form by nature is a named alias saying why
(``epcis.EpcisEvent``). The registry's and rating's typed records (TypedDicts) keep the stored
documents' shapes, those of earlier versions included: a document loads and is stored again
unchanged, no key dropped."""

from __future__ import annotations

import dataclasses
from datetime import date
from types import ModuleType
from typing import Any, get_args

import pytest
from typing_extensions import TypeAliasType, get_type_hints, is_typeddict

from services.catalog.channels import model as channels
from services.catalog.listings import model as catalog_model
from services.catalog.webhooks import model as webhooks
from services.rating.certificates import model as certificates_model
from services.rating.evaluations import model as evaluations_model
from services.rating.store import evaluations
from services.registry.accounts import model as accounts_model
from services.registry.dossiers import model as dossiers_model
from services.registry.store import products, subjects
from services.registry.subjects import model as subjects_model
from services.registry.subjects.model import Product, Subject
from services.traceability.documents import model as documents
from services.traceability.labels import model as label_sheets
from services.traceability.origin import model as batches
from services.traceability.profiles import model as traceability_model
from services.traceability.scans import model as scans
from shared.ocop.vocabulary import SubjectType
from shared.ports.store import Document

AT = "2026-11-02T09:00:00+00:00"


def _holds_any(hint: object) -> bool:
    if isinstance(hint, TypeAliasType):
        return False
    if hint is Any:
        return True
    if is_typeddict(hint):
        return any(_holds_any(h) for h in get_type_hints(hint).values())
    return any(_holds_any(arg) for arg in get_args(hint))


@pytest.mark.parametrize("module", [
    subjects_model, accounts_model, dossiers_model, evaluations_model, certificates_model,
    traceability_model, batches, label_sheets, documents, scans, catalog_model, channels,
    webhooks], ids=lambda m: m.__name__)
def test_no_aggregate_field_is_an_untyped_dict(module: ModuleType) -> None:
    aggregates = [kind for kind in vars(module).values()
                  if dataclasses.is_dataclass(kind) and isinstance(kind, type)
                  and {"id", "version"} <= {f.name for f in dataclasses.fields(kind)}]
    assert aggregates
    untyped = [f"{kind.__name__}.{name}" for kind in aggregates
               for name, hint in get_type_hints(kind).items() if _holds_any(hint)]
    assert not untyped


def test_a_subject_stored_with_a_partial_representative_is_stored_again_unchanged() -> None:
    data = subjects.dump(Subject.register(
        "s1", type=SubjectType.COOPERATIVE, name="HTX Chè Tân Cương", code="0100109106",
        province="Thái Nguyên", commune="Xã Tân Cương", district=None,
        registered_on=date(2026, 1, 5), representatives=[], today=date(2026, 11, 2),
        by="office", at=AT))
    data["representatives"] = [{"name": "Đinh Văn Quế", "phone": "0912 345 678"},
                               {"name": "Lò Thị Hoa", "title": "Giám đốc", "phone": None,
                                "email": "hoa@example.vn"}]
    assert subjects.dump(subjects.load(Document("s1", 2, data))) == data


def test_a_product_stored_in_every_shape_loads_and_is_stored_again_unchanged() -> None:
    data = products.dump(Product.register(
        "p1", "s1", name="Chè búp", group="food", subgroup="tea", description="", gtin=None,
        registered_on=date(2026, 2, 1), today=date(2026, 11, 2), by="producer", at=AT))
    data |= {
        "images": [
            {"id": "i1", "key": "products/p1/images/i1.jpg", "content_type": "image/jpeg",
             "size": 2048},  # stored before renditions were made
            {"id": "i2", "renditions": {"480": "products/p1/images/i2/w480.webp"},
             "width": 480, "height": 360, "original": {
                 "key": "products/p1/images/i2/original.png", "content_type": "image/png",
                 "size": 4096}}],
        "pending_identity": {"changes": {"name": "Chè búp Tân Cương", "gtin": None},
                             "by": "producer", "at": AT},
        "identity_pending": True,
        "last_identity_decision": {"changes": {"group": "beverages"}, "by": "producer",
                                   "at": AT, "approved": False, "note": "",
                                   "decided_by": "office"}}
    assert products.dump(products.load(Document("p1", 3, data))) == data


@pytest.mark.parametrize("result", [
    {"score": 74.5, "stars": 4, "parts": {"A": 30.0, "B": 19.5, "C": 25.0},
     "criteria": None, "members": 3, "recognisable": True, "proposed_to_central": False,
     "shortfalls": []},
    # closed before criteria tables and the central proposal: neither key
    {"score": 42.0, "stars": 2, "parts": {"A": 15.0, "B": 12.0, "C": 15.0}, "members": 1,
     "recognisable": False, "shortfalls": [
         {"part": "A", "name_vi": "Sản phẩm và sức mạnh cộng đồng",
          "name_en": "Product and community strength", "average": 15.0, "maximum": 40,
          "needed_for_3_stars": 20.0}]},
], ids=["current", "earliest"])
def test_an_evaluation_result_of_any_version_is_stored_again_unchanged(
        result: dict[str, Any]) -> None:
    data = {"product_id": "p1", "evaluation_date": "2026-10-01", "criteria_set": "148/2023",
            "criteria_table": None, "round_id": None, "level": None, "opened_by": "office",
            "opened_at": AT, "status": "closed", "result": result, "closed_by": "office",
            "closed_at": AT, "certificate_id": None}
    assert evaluations.dump(evaluations.load(Document("e1", 2, data))) == data
