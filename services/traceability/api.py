"""Traceability endpoints: the public scan page (GS1 Digital Link paths) and label artwork."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from services.traceability import domain
from services.traceability.access import RULES
from services.traceability.handlers import Traceability
from services.traceability.model import TraceProfile
from services.traceability.store import profiles
from shared.access import Gate
from shared.images import WebWidth, sized_url, srcset
from shared.language import pick_language
from shared.runtime import part
from shared.text import day_shown
from shared.vocabulary import SUBJECT_TYPE_NAMES, SubjectType, group_names

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters |= {"srcset": srcset, "sized": sized_url}
templates.env.globals["phone"] = WebWidth.PHONE

PAGE_TEXT = {
    "vi": {"producer": "Chủ thể sản xuất", "locality": "Địa phương", "group": "Nhóm sản phẩm",
           "certificate": "Giấy chứng nhận", "decision": "theo quyết định",
           "validity": "Hiệu lực", "reason": "Lý do", "stars": "sao", "switch": "English",
           "not_found": "Không tìm thấy sản phẩm",
           "not_found_text": "Mã này không thuộc sản phẩm OCOP nào trên hệ thống. Hãy cẩn "
                             "thận với sản phẩm mang nhãn OCOP không rõ nguồn gốc."},
    "en": {"producer": "Producer", "locality": "Locality", "group": "Product group",
           "certificate": "Certificate", "decision": "by decision", "validity": "Valid",
           "reason": "Reason", "stars": "stars", "switch": "Tiếng Việt",
           "not_found": "Product not found",
           "not_found_text": "This code belongs to no OCOP product on the platform. Be wary "
                             "of products carrying an OCOP label of unknown origin."},
}
LEVEL_NAMES = {"vi": {"district": "cấp huyện", "province": "cấp tỉnh", "central": "Trung ương"},
               "en": {"district": "district level", "province": "provincial level",
                      "central": "central level"}}

Lang = Annotated[str | None, Query(description="vi (default) or en")]
Format = Annotated[str | None, Query(alias="format", description="json for machine reading")]


def _wants_json(accept: str | None, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "json"
    accept = accept or ""
    return "application/json" in accept and "text/html" not in accept


def scan_view(profile: TraceProfile, today: date) -> dict[str, Any]:
    """What a scan shows: product, producer, locality, and the live certificate."""
    assert profile.certificate  # only certified products have a scan page
    state = profile.certificate.state_on(today)
    shown = profiles.dump(profile)
    certificate = shown["certificate"]
    active = state is domain.CertificateState.ACTIVE
    return {"product_id": profile.id, "gtin": profile.gtin,
            "product": shown["product"], "subject": shown["subject"],
            "ocop": {"certified": active, "state": state.value,
                     "stars": profile.certificate.stars if active else None,
                     "certificate": certificate,
                     "message_vi": domain.state_text("vi", state, certificate),
                     "message_en": domain.state_text("en", state, certificate)}}


TracingPart = Annotated[Traceability, Depends(part(Traceability))]
router = APIRouter()
may = Gate(RULES).rule



def render(request: Request, profile: TraceProfile | None, today: date, lang: str | None,
           accept_language: str | None, accept: str | None, fmt: str | None) -> Response:
    """The scan page of ``profile`` as it stands ``today``, in HTML or JSON."""
    language = pick_language(lang, accept_language)
    text = PAGE_TEXT[language]
    headers = {"Cache-Control": "no-cache", "Vary": "Accept, Accept-Language"}
    if profile is None or not profile.certified:
        if _wants_json(accept, fmt):
            return JSONResponse({"detail": "No OCOP product has this code.",
                                 "detail_vi": "Không có sản phẩm OCOP nào mang mã này."},
                                status_code=404, headers=headers)
        return templates.TemplateResponse(
            request, "not_found.html", {"lang": language, "title": text["not_found"],
                                        "message": text["not_found_text"]},
            status_code=404, headers=headers)
    view = scan_view(profile, today)
    if _wants_json(accept, fmt):
        return JSONResponse(view, headers=headers)
    certificate = view["ocop"]["certificate"]
    subject, product = view["subject"], view["product"]
    names = group_names(product["group"], product["subgroup"])
    subject_type = SUBJECT_TYPE_NAMES[SubjectType(subject["type"])]
    index = 0 if language == "vi" else 1
    return templates.TemplateResponse(request, "scan.html", {
        "lang": language, "other_lang": "en" if language == "vi" else "vi", "t": text,
        "product": product, "subject": subject, "certificate": certificate,
        "state": view["ocop"]["state"], "state_text": view["ocop"][f"message_{language}"],
        "group": names[index], "subject_type": subject_type[index],
        "level": LEVEL_NAMES[language].get(certificate["level"], certificate["level"]),
        "valid_from": day_shown(certificate["valid_from"]),
        "valid_until": day_shown(certificate["valid_until"])}, headers=headers)


@router.get("/01/{gtin}", tags=["scan"], response_class=HTMLResponse,
            summary="Scan page of a GTIN (GS1 Digital Link), HTML or JSON",
            **may("scan.read"))
async def scan_gtin(tracing: TracingPart, request: Request, gtin: str, lang: Lang = None,
                    fmt: Format = None,
                    accept: Annotated[str | None, Header()] = None,
                    accept_language: Annotated[str | None, Header()] = None) -> Response:
    profile = await tracing.profile_by_gtin(gtin) if domain.is_gtin14(gtin) else None
    return render(request, profile, tracing.clock.today(), lang, accept_language, accept, fmt)


@router.get("/01/{gtin}/{qualifier}/{value}", tags=["scan"], response_class=HTMLResponse,
            summary="Scan page of a GTIN with a lot (10) or serial (21) qualifier",
            **may("scan.read"))
async def scan_gtin_qualified(tracing: TracingPart, request: Request, gtin: str,
                              qualifier: str, value: str,
                              lang: Lang = None, fmt: Format = None,
                              accept: Annotated[str | None, Header()] = None,
                              accept_language: Annotated[str | None, Header()] = None
                              ) -> Response:
    known = qualifier in ("10", "21") and domain.is_gtin14(gtin)
    profile = await tracing.profile_by_gtin(gtin) if known else None
    return render(request, profile, tracing.clock.today(), lang, accept_language, accept, fmt)


@router.get("/p/{product_id}", tags=["scan"], response_class=HTMLResponse,
            summary="Scan page of a product without a GTIN, HTML or JSON",
            **may("scan.read"))
async def scan_product(tracing: TracingPart, request: Request, product_id: str, lang: Lang = None,
                       fmt: Format = None, accept: Annotated[str | None, Header()] = None,
                       accept_language: Annotated[str | None, Header()] = None
                       ) -> Response:
    profile = await tracing.profile(product_id)
    return render(request, profile, tracing.clock.today(), lang, accept_language, accept, fmt)


@router.get("/labels/{product_id}", tags=["labels"], summary="A product's label (public)",
            **may("label.read"))
async def get_label(tracing: TracingPart, product_id: str) -> dict[str, Any]:
    label = await tracing.label(product_id)
    return label.issued(tracing.public_url).model_dump() | {"issued_at": label.issued_at}


@router.get("/labels/{product_id}/qr.{kind}", tags=["labels"],
            summary="The label's QR code as png or svg (public)", **may("label.read"))
async def get_artwork(tracing: TracingPart, product_id: str, kind: Literal["png", "svg"]
                      ) -> Response:
    label = await tracing.label(product_id)
    content = await tracing.objects.get(label.png_key if kind == "png" else label.svg_key)
    return Response(content.data, media_type=content.content_type,
                    headers={"Cache-Control": "public, max-age=300"})

