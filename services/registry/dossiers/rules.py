"""Dossier rules: what a product's dossier must hold by its group, and the path through the
annual cycle (idea → plan → dossier) with who may move each step. Pure functions, no I/O."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from services.registry.access import RULES
from shared.access import SubjectRef, check
from shared.auth import Caller
from shared.refusals import Conflict, invalid


class DocumentType(StrEnum):
    """What a product's dossier (hồ sơ) holds."""

    PRODUCT_STORY = "product_story"
    QUALITY_STANDARD = "quality_standard"
    TEST_RESULTS = "test_results"
    FOOD_SAFETY = "food_safety_certificate"
    LABEL_PACKAGING = "label_packaging"
    STANDARD_HELD = "standard_held"


DOCUMENT_NAMES = {
    DocumentType.PRODUCT_STORY: ("Câu chuyện sản phẩm", "Product story"),
    DocumentType.QUALITY_STANDARD: ("Tiêu chuẩn chất lượng (TCCS)", "Quality standard"),
    DocumentType.TEST_RESULTS: ("Phiếu kết quả kiểm nghiệm", "Laboratory test results"),
    DocumentType.FOOD_SAFETY: ("Giấy chứng nhận an toàn thực phẩm", "Food-safety certificate"),
    DocumentType.LABEL_PACKAGING: ("Nhãn và bao bì", "Label and packaging"),
    DocumentType.STANDARD_HELD: ("Chứng nhận VietGAP, hữu cơ, HACCP, ISO…",
                                 "Standards held (VietGAP, organic, HACCP, ISO…)"),
}
_EDIBLE = (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD,
           DocumentType.TEST_RESULTS, DocumentType.FOOD_SAFETY, DocumentType.LABEL_PACKAGING)
REQUIRED_DOCUMENTS: dict[str, tuple[DocumentType, ...]] = {
    "food": _EDIBLE, "beverages": _EDIBLE, "herbal": _EDIBLE,
    "handicrafts": (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD,
                    DocumentType.LABEL_PACKAGING),
    "ornamental": (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD),
    "tourism": (DocumentType.PRODUCT_STORY, DocumentType.QUALITY_STANDARD),
}
"""Per product group: what the dossier must hold (standards held are optional)."""
def missing_documents(group: str, present: set[DocumentType]) -> list[DocumentType]:
    return [t for t in REQUIRED_DOCUMENTS.get(group, ()) if t not in present]


STAGES = ("idea", "plan", "dossier")
"""The producer's path: product idea (ý tưởng) → business plan (phương án) → dossier."""


class CycleStep(TypedDict):
    """One step of the annual cycle: a stage (idea, plan, dossier) proposed, accepted or
    rejected, by whom, when."""

    stage: str
    status: str
    note: str
    by: str
    at: str


def stage_statuses(cycle: list[CycleStep]) -> dict[str, str]:
    """Each stage's latest status in a product's cycle."""
    return {step["stage"]: step["status"] for step in cycle}


def check_cycle_move(caller: Caller, owner: SubjectRef, held: dict[str, str], stage: str,
                     status: str, missing: list[DocumentType]) -> None:
    """The producer proposes each stage in order — the dossier only once the checklist is
    complete (``missing`` empty); the office, or the subject's own commune, accepts or
    rejects what was proposed (``RULES['product.cycle.*']``). ``held``: each stage's
    current status."""
    if stage not in STAGES:
        raise invalid("stage", f"use one of {', '.join(STAGES)}",
                      f"dùng một trong {', '.join(STAGES)}")
    earlier = STAGES[STAGES.index(stage) - 1] if stage != STAGES[0] else None
    if status == "proposed":
        check(RULES["product.cycle.propose"], caller, owner)
        if earlier and held.get(earlier) != "accepted":
            raise Conflict(f"The {earlier} must be accepted before the {stage} is proposed.",
                           f"Bước '{earlier}' cần được chấp nhận trước khi đề xuất "
                           f"'{stage}'.", code="stage-out-of-order")
        if held.get(stage) in ("proposed", "accepted"):
            raise Conflict(f"The {stage} is already {held[stage]}.",
                           f"Bước '{stage}' đã ở trạng thái {held[stage]}.",
                           code="stage-already-moved")
        if stage == "dossier" and missing:
            raise Conflict(
                "The dossier still lacks: " + ", ".join(DOCUMENT_NAMES[t][1] for t in missing)
                + ".", "Hồ sơ còn thiếu: " + ", ".join(DOCUMENT_NAMES[t][0] for t in missing)
                + ".", code="dossier-incomplete")
        return
    if status not in ("accepted", "rejected"):
        raise invalid("status", "use proposed, accepted or rejected",
                      "dùng proposed, accepted hoặc rejected")
    check(RULES["product.cycle.decide"], caller, owner)
    if held.get(stage) != "proposed":
        raise Conflict(f"Nothing proposed to decide on: the {stage} is "
                       f"{held.get(stage, 'not proposed')}.",
                       f"Chưa có gì để quyết định: bước '{stage}' đang "
                       f"{held.get(stage, 'chưa đề xuất')}.", code="stage-not-proposed")
