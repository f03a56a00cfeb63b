"""Traceability endpoints: the public scan page (GS1 Digital Link paths) and label artwork."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.traceability.access import RULES
from services.traceability.api.models import PublicBatchOut, StepOut
from services.traceability.origin.model import ChainReport
from services.traceability.profiles import rules
from services.traceability.profiles.model import (
    Label,
    ShownCertificate,
    ShownProduct,
    ShownSubject,
    SoldAt,
    TraceProfile,
)
from services.traceability.reactions import Traceability
from services.traceability.scans import compression, resolver
from services.traceability.scans.commands import NOTHING_ASKED, Asked, Scanning
from services.traceability.scans.model import Visit
from services.traceability.scans.pages import ScanPages
from shared.files.images import WebWidth, sized_url, srcset
from shared.i18n import N_, Words, in_every_language, install, words
from shared.i18n.language import LANGUAGE_NAMES, LANGUAGES, pick_language
from shared.i18n.text import day_shown, moment_shown, number_shown
from shared.identity.access import Gate
from shared.ocop.gtin import gtin14
from shared.ocop.vocabulary import SUBJECT_TYPE_NAMES, SubjectType, group_names
from shared.platform.runtime import part
from shared.refusals import BadRequest, FieldError
from shared.refusals.http import problem
from shared.refusals.openapi import files

templates = Jinja2Templates(directory=Path(__file__).parents[1] / "templates")
UNITS = {"KGM": "kg", "H87": "", "CEL": "°C", "P1": "%", "GL": "g/l"}
"""UN/ECE unit codes as their symbols; litres and tonnes each language writes its own way."""
UNITS_IN = {lang: UNITS | {"LTR": words(lang).pgettext("unit symbol", "L"),
                           "TNE": words(lang).pgettext("unit symbol", "t")}
            for lang in LANGUAGES}
AREA_CERTIFICATE_NAMES = {"vietgap": "VietGAP", "globalgap": "GlobalG.A.P.", "other": ""}
"""The schemes by their own names; organic farming is said in the page's language."""


def _unit(text: str, lang: str) -> str:
    """Quantities and UN/ECE unit codes as the page's readers write them ('1200 KGM' ->
    '1.200 kg', '26.5 CEL' -> '26,5 °C' in Vietnamese)."""
    names = UNITS_IN[lang]
    return " ".join(_number(word, lang) or names.get(word, word) for word in text.split()
                    ).strip()


def _number(word: str, lang: str) -> str:
    """``word`` written as a number of the page's language, or nothing if it is not one."""
    try:
        return number_shown(float(word), lang)
    except ValueError:
        return ""


def _certificate_kind(kind: str, lang: str) -> str:
    """An area certificate's kind as its holders spell it (VietGAP, not VIETGAP)."""
    if kind == "organic":
        return words(lang).gettext("Organic")
    return AREA_CERTIFICATE_NAMES.get(kind, kind)


install(templates.env)
templates.env.auto_reload = False  # templates ship with the code: no stat() per page
templates.env.filters |= {"srcset": srcset, "sized": sized_url, "day": day_shown,
                          "moment": lambda when: when.strftime("%d/%m/%Y %H:%M"),
                          "unit": _unit, "instant": moment_shown, "number": number_shown,
                          "certificate_kind": _certificate_kind}
templates.env.globals |= {"phone": WebWidth.PHONE, "language_names": LANGUAGE_NAMES}

LEVEL_NAMES = {"district": N_("district level"), "province": N_("provincial level"),
               "central": N_("central level")}
NOT_FOUND = N_("Product not found")
NO_SUCH_CODE = N_("No OCOP product has this code.")
NOT_FOUND_TEXT = N_("This code belongs to no OCOP product on the platform. Be wary of "
                    "products carrying an OCOP label of unknown origin.")
UNKNOWN = {
    "lot": (N_("Warning: batch not on the platform"),
            N_("The product “%(product)s” is on the OCOP platform but batch “%(code)s” is "
               "not: the code on the package may be forged.")),
    "unit": (N_("Warning: code not issued by the platform"),
             N_("The product “%(product)s” is on the OCOP platform but code “%(code)s” was "
                "never printed for it: the code on the package may be forged."))}
"""A code of a known product that the platform never gave out: a warning and what it says."""
MALFORMED_TEXT = N_("This is not a valid GS1 Digital Link (a GTIN of 8, 12, 13 or 14 digits "
                    "with a correct check digit, then a lot code in GS1 syntax). The code was "
                    "misprinted or forged.")
CHAIN_STATES = {
    "intact": (N_("The records are intact"),
               N_("Records of batch %(lot)s checked again: %(records)s. None was altered, "
                  "removed or slipped in after it was written.")),
    "nothing_yet": (N_("No record yet"), N_("Batch %(lot)s has no record to check yet.")),
    "altered": (N_("The records were altered"),
                N_("Records of batch %(lot)s checked again: %(records)s. Places that no "
                   "longer match what was written: %(problems)s. Do not trust this batch's "
                   "journey; tell the provincial OCOP office."))}
"""A batch's chain check as a page says it: its title and text."""

Lang = Annotated[str | None, Query(description="vi (default) or en")]
Format = Annotated[str | None, Query(alias="format", description="json for machine reading")]


def _wants_json(accept: str | None, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "json"
    accept = accept or ""
    return "application/json" in accept and "text/html" not in accept


class OcopOut(BaseModel):
    """Whether the product is OCOP on the day of the scan, and why not."""

    certified: bool
    state: rules.CertificateState
    stars: int | None
    """While certified only."""
    certificate: ShownCertificate
    message_vi: str
    message_en: str


class UnitOut(BaseModel):
    """A unit's own code, printed by the platform: how often it was scanned."""

    serial: str | None
    genuine: bool
    scans: int
    first_scanned_at: str
    may_be_copied: bool


class ScanOut(BaseModel):
    """A scan page as JSON. ``batch`` and ``journey`` are there for a lot's code, ``unit``
    for a unit's; absent otherwise."""

    product_id: str
    gtin: str | None
    product: ShownProduct
    subject: ShownSubject
    where_to_buy: list[SoldAt]
    """Where to buy it online: only while it is OCOP."""
    ocop: OcopOut
    batch: PublicBatchOut | None = None
    journey: list[StepOut] | None = None
    unit: UnitOut | None = None


def scan_view(profile: TraceProfile, today: date) -> ScanOut:
    """What a scan shows: product, producer, locality, the live certificate, and where to buy
    it online (only while it is OCOP)."""
    # only certified products have a scan page, and the registry's product comes first
    assert profile.certificate and profile.product and profile.subject
    certificate = profile.certificate
    state = certificate.state_on(today)
    active = state is rules.CertificateState.ACTIVE
    said = {lang: rules.state_text(lang, state, certificate.stars, certificate.valid_until,
                                    certificate.revoked_on) for lang in ("vi", "en")}
    return ScanOut(product_id=profile.id, gtin=profile.gtin, product=profile.product,
                   subject=profile.subject, where_to_buy=profile.sold_at if active else [],
                   ocop=OcopOut(certified=active, state=state,
                                stars=certificate.stars if active else None,
                                certificate=certificate, message_vi=said["vi"],
                                message_en=said["en"]))


STEP_NAMES = {"harvest": N_("Harvest"), "processing": N_("Processing"),
              "lab_test": N_("Lab test"), "packing": N_("Packing"),
              "shipping": N_("Shipping"), "receiving": N_("Receiving"),
              "sensor_reading": N_("Measurement")}
"""A batch's steps, named as the producers' workspace names them."""
READING_NAMES = {"temperature": N_("Temperature"), "relative_humidity": N_("Humidity"),
                 "salinity": N_("Salinity")}


def _named(names: dict[str, str], said: Words) -> dict[str, str]:
    return {code: said.gettext(name) for code, name in names.items()}

TracingPart = Annotated[Traceability, Depends(part(Traceability))]
ScanningPart = Annotated[Scanning, Depends(part(Scanning))]
PagesPart = Annotated[ScanPages, Depends(part(ScanPages))]
router = APIRouter()
may = Gate(RULES).rule



def page_language(request: Request, lang: str | None) -> str:
    """The language of a page a shopper reads: ``?lang=``, else their phone's, as the
    catalog's pages (``shared.i18n.language``)."""
    return pick_language(lang, request.headers.get("accept-language"))


def render(request: Request, profile: TraceProfile | None, today: date, lang: str | None,
           accept: str | None, fmt: str | None, asked: Asked = NOTHING_ASKED,
           office_contact: str = "") -> Response:
    """The scan page of ``profile`` (and of the batch ``asked`` for) as it stands ``today``,
    in HTML or JSON: in the phone's language (Vietnamese by default), or ``?lang=``'s. A
    warning tells the shopper whom to tell (``office_contact``) and lets them report the
    code."""
    language = page_language(request, lang)
    said = words(language)
    headers = {"Cache-Control": "no-cache", "Vary": "Accept, Accept-Language"}
    as_json = _wants_json(accept, fmt)
    if profile is None or not profile.certified:
        return _refused(request, language, as_json, headers, said.gettext(NOT_FOUND),
                        said.gettext(NOT_FOUND_TEXT),
                        in_every_language(NO_SUCH_CODE))
    if asked.unknown:
        assert profile.product and profile.subject
        what, code = ("unit", asked.serial) if asked.serial else ("lot", asked.lot)
        title, told = UNKNOWN[what]
        told_everywhere = in_every_language(told, code=code, product=profile.product.name)
        return _refused(request, language, as_json, headers, said.gettext(title),
                        told_everywhere[language], told_everywhere,
                        warned=Warned(profile.id, profile.subject.province, office_contact,
                                      asked.lot, asked.serial))
    answer = scan_view(profile, today)
    if asked.batch is not None:
        answer.batch = PublicBatchOut.of(asked.batch)
        answer.journey = [StepOut.of(step) for step in asked.steps]
    if asked.unit is not None:
        answer.unit = UnitOut(serial=asked.serial, genuine=True, scans=asked.unit.scans,
                              first_scanned_at=asked.unit.first_scanned_at,
                              may_be_copied=asked.may_be_copied)
    view = answer.model_dump(mode="json", exclude_unset=True)
    if as_json:
        return JSONResponse(view, headers=headers)
    certificate = view["ocop"]["certificate"]
    subject, product = view["subject"], view["product"]
    names = group_names(product["group"], product["subgroup"])
    subject_type = SUBJECT_TYPE_NAMES[SubjectType(subject["type"])]
    index = 0 if language == "vi" else 1
    level = certificate["level"]
    return templates.TemplateResponse(request, "scan.html", {
        "lang": language, "product": product, "subject": subject, "certificate": certificate,
        "state": view["ocop"]["state"], "state_text": view["ocop"][f"message_{language}"],
        "group": names[index], "subject_type": subject_type[index],
        "level": said.gettext(LEVEL_NAMES[level]) if level in LEVEL_NAMES else level,
        "valid_from": day_shown(certificate["valid_from"]),
        "valid_until": day_shown(certificate["valid_until"]),
        "batch": asked.batch, "steps": asked.steps,
        "step_names": _named(STEP_NAMES, said),
        "serial": asked.serial, "unit": asked.unit, "may_be_copied": asked.may_be_copied,
        "reading_names": _named(READING_NAMES, said), "where_to_buy": view["where_to_buy"],
        "certificate_page": _in_language(certificate["verification_url"], language),
        "catalog_page": _in_language(profile.catalog_url, language),
        "warned": Warned(profile.id, subject["province"], office_contact, asked.lot,
                         asked.serial) if asked.may_be_copied else None},
        headers=headers)


def _in_language(url: str | None, language: str) -> str | None:
    """Another service's public page in the scan page's language (both take ``?lang=``)."""
    if not url or language == "vi":
        return url
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


@dataclass(frozen=True)
class Warned:
    """What a counterfeit warning offers: whom to tell, and the form reporting the code."""

    product_id: str
    province: str
    office_contact: str
    lot: str | None
    serial: str | None


def _refused(request: Request, language: str, as_json: bool, headers: dict[str, str],
             title: str, message: str, detail: dict[str, str] | None = None,
             warned: Warned | None = None) -> Response:
    """A warning instead of a product page (an unknown code, or an unknown lot); as JSON,
    ``detail`` in each language."""
    if as_json and detail:
        return JSONResponse({"detail": detail["en"], "detail_vi": detail["vi"]},
                            status_code=404, headers=headers)
    return templates.TemplateResponse(request, "not_found.html",
                                      {"lang": language, "title": title, "message": message,
                                       "warned": warned},
                                      status_code=404, headers=headers)


LinkType = Annotated[str | None, Query(
    alias="linkType", max_length=200,
    description="linkset (or all, its former name): the RFC 9264 linkset; gs1:pip, "
                "gs1:certificationInfo, gs1:traceability, gs1:defaultLink: a redirect to that "
                "link (404 when the code has none of that type); none: a redirect to the "
                "default link, the scan page")]
F = TypeVar("F", bound=Callable[..., Any])
# A scan page's answer is a page or, asked for, its JSON (ScanOut): the routes declare the
# JSON as their model and the page beside it (so the model's schema is the JSON's).
PAGE = {"text/html": {"schema": {"type": "string"}}}
SCANNED: dict[int | str, dict[str, Any]] = {
    200: {"model": ScanOut, "description": "The scan page, or its JSON", "content": PAGE}}
RESOLVED: dict[int | str, dict[str, Any]] = {
    200: {"model": ScanOut, "description": "The scan page's JSON (Accept: application/json "
                                           "or ?format=json), or the linkset "
                                           "(linkType=linkset, Accept: "
                                           "application/linkset+json)",
          "content": PAGE | {resolver.LINKSET_MEDIA: {"schema": {"type": "object"}}}},
    307: {"description": "The default link (the scan page, /p/…) or the link of the type "
                         "asked for, the query string passed on"},
    404: {"description": "No OCOP product has this GTIN, or it has no link of the type "
                         "asked for"}}
NO_SUCH_LINK = N_("This code has no link of type “%(link_type)s”. Its links: "
                  "%(link_types)s.")


def resolves(path: str, summary: str) -> Callable[[F], F]:
    """Register a resolver route for GET and HEAD (each its own OpenAPI operation)."""
    def register(endpoint: F) -> F:
        for method in ("get", "head"):
            getattr(router, method)(
                path, tags=["scan"], response_model=None, responses=RESOLVED,
                summary=summary, operation_id=f"{endpoint.__name__}_{method}",
                **may("scan.read"))(endpoint)
        return endpoint
    return register


@resolves("/01/{gtin}", "Resolve a GTIN (GS1 Digital Link): a redirect to its scan page, "
                        "its linkset, a link by type, or the page's JSON")
async def scan_gtin(tracing: TracingPart, scanning: ScanningPart, pages: PagesPart,
                    request: Request, gtin: str, lang: Lang = None, fmt: Format = None,
                    link_type: LinkType = None,
                    accept: Annotated[str | None, Header()] = None) -> Response:
    return await resolve(tracing, scanning, pages, request, gtin, {},
                         Shown(lang, accept, fmt), link_type)


@resolves("/01/{gtin}/{qualifiers:path}",
          "Resolve a GTIN with its key qualifiers (10/{lot}, 21/{serial}, 22/{variant}, "
          "in any order)")
async def scan_gtin_qualified(tracing: TracingPart, scanning: ScanningPart, pages: PagesPart,
                              request: Request, gtin: str, qualifiers: str, lang: Lang = None,
                              fmt: Format = None, link_type: LinkType = None,
                              accept: Annotated[str | None, Header()] = None) -> Response:
    return await resolve(tracing, scanning, pages, request, gtin, _raw_qualifiers(request),
                         Shown(lang, accept, fmt), link_type)


def _raw_qualifiers(request: Request) -> dict[str, str] | None:
    """The key qualifiers after ``/{prefix}/{key}/`` in the path as sent: a lot may hold an
    encoded "/", which the decoded path has lost. A trailing slash is tolerated."""
    raw = request.scope.get("raw_path", b"").decode("ascii", "replace").split("?")[0]
    rest = raw.split("/", 3)[3] if raw.count("/") >= 3 else ""
    return rules.qualifiers(rest) if rest.strip("/") else {}


@router.options("/01/{path:path}", tags=["scan"], status_code=204, response_class=Response,
                summary="CORS pre-flight of a GS1 Digital Link: the methods it answers, and "
                        "where its linkset is", **may("scan.read"))
async def scan_options(tracing: TracingPart, path: str) -> Response:
    gtin = gtin14(path.split("/", 1)[0])
    headers = dict(resolver.CORS) | {"Allow": "GET, HEAD, OPTIONS"}
    if gtin is not None:
        base = f"{tracing.scan_base_url.rstrip('/')}/01/{gtin}"
        headers["Link"] = resolver.linkset_link(f"{base}?linkType=linkset")
    return Response(status_code=204, headers=headers)


compressed = APIRouter()
"""Compressed GS1 Digital Links: one path segment at the root, so this router is included
after every other (``api.ROUTERS``) and shadows none of the service's own paths."""


@compressed.get("/{segment}", tags=["scan"], response_model=None, responses=RESOLVED,
                summary="Resolve a compressed GS1 Digital Link (GS1's compression of "
                        "/01/{gtin}[/22/…][/10/…][/21/…]): as the uncompressed link",
                operation_id="scan_compressed_get", **may("scan.read"))
@compressed.head("/{segment}", tags=["scan"], response_model=None, responses=RESOLVED,
                 summary="Resolve a compressed GS1 Digital Link, HEAD",
                 operation_id="scan_compressed_head", **may("scan.read"))
async def scan_compressed(tracing: TracingPart, scanning: ScanningPart, pages: PagesPart,
                          request: Request, segment: str, lang: Lang = None,
                          fmt: Format = None, link_type: LinkType = None,
                          accept: Annotated[str | None, Header()] = None) -> Response:
    gtin, keys = _decompressed(segment)
    return await resolve(tracing, scanning, pages, request, gtin, keys,
                         Shown(lang, accept, fmt), link_type)


@compressed.options("/{segment}", tags=["scan"], status_code=204, response_class=Response,
                    summary="CORS pre-flight of a compressed GS1 Digital Link",
                    **may("scan.read"))
async def scan_compressed_options(tracing: TracingPart, segment: str) -> Response:
    gtin, _ = _decompressed(segment)
    return await scan_options(tracing, gtin)


def _decompressed(segment: str) -> tuple[str, dict[str, str]]:
    """The GTIN and key qualifiers of a compressed Digital Link (its other AIs, data
    attributes such as an expiry date, change nothing here); any other path is not found,
    as an unrouted one is."""
    try:
        found = compression.decompress(segment)
    except compression.NotCompressed:
        raise StarletteHTTPException(404) from None
    if "01" not in found:
        raise StarletteHTTPException(404)
    return found["01"], {key: found[key] for key in rules.QUALIFIERS if key in found}


@dataclass(frozen=True)
class Shown:
    """How the asker wants the answer: ``?lang=``, ``Accept``, ``?format=``."""

    lang: str | None
    accept: str | None
    fmt: str | None


async def resolve(tracing: Traceability, scanning: Scanning, pages: ScanPages,
                  request: Request, gtin: str, keys: dict[str, str] | None, shown: Shown,
                  link_type: str | None) -> Response:
    """A GS1 Digital Link (every answer readable cross-origin): a malformed one is refused
    (400), an unknown GTIN warned about (404). A known one is resolved, walking up from a
    lot or serial the platform does not know to the GTIN: its linkset (``linkType=linkset``
    or ``Accept: application/linkset+json``), a redirect to the link of the type asked for
    (404 if it has none), the scan page's JSON when asked for, else a redirect to its
    default link, the scan page (``/p/…``), the query string passed on. Only the page
    counts a scan (and an unknown code's anomaly), so a redirect counts nothing."""
    response = await _resolved(tracing, scanning, pages, request, gtin, keys, shown,
                               link_type)
    response.headers.update(resolver.CORS)
    return response


async def _resolved(tracing: Traceability, scanning: Scanning, pages: ScanPages,
                    request: Request, gtin: str, keys: dict[str, str] | None, shown: Shown,
                    link_type: str | None) -> Response:
    normalized = gtin14(gtin)
    if normalized is None or keys is None or not rules.LOT.match(keys.get("10", "L")):
        return _malformed(request, shown)
    gtin = normalized  # a GTIN-8, -12 or -13 stands for its 14 digits
    generation = pages.generation
    profile = await tracing.profile_by_gtin(gtin)
    as_linkset = (link_type in resolver.LINKSET_TYPES
                  or (not link_type and resolver.LINKSET_MEDIA in (shown.accept or "")))
    as_page = not link_type and not as_linkset and _wants_json(shown.accept, shown.fmt)
    # The scan is counted where the shopper lands: the page (here for its JSON, else at
    # the default link), so the resolver's own answers count nothing.
    asked = await scanning.asked(profile, keys.get("10"), keys.get("21"),
                                 visit(scanning, request, counts=as_page))
    today = tracing.clock.today()
    if profile is None or not profile.certified or (as_page and asked.unknown):
        return render(request, profile, today, shown.lang, shown.accept, shown.fmt, asked,
                      scanning.office_contact)
    assert profile.product and profile.certificate
    # Walking up: a lot or serial the platform never gave out resolves as the GTIN does
    # (its linkset is the GTIN's); its page is still the one of the code, which warns.
    known = NOTHING_ASKED if asked.unknown else asked
    scan_root = tracing.scan_base_url.rstrip("/")
    qualified = [f"{key}/{quote(value, safe='')}" for key, value in
                 (("10", known.lot), ("21", known.serial)) if value]
    anchor = "/".join([f"{scan_root}/01/{gtin}", *qualified])
    links = resolver.links_of(_page_url(scan_root, profile.id, known), profile.product.name,
                              profile.certificate.verification_url,
                              resolver.events_url(tracing.public_url, profile.id,
                                                  known.batch.id if known.batch else None))
    linkset_url = f"{anchor}?linkType=linkset"
    if as_linkset:
        return JSONResponse(resolver.linkset(anchor, profile.product.name, links),
                            media_type=resolver.LINKSET_MEDIA,
                            headers={"Link": resolver.CONTEXT_LINK, "Vary": "Accept"})
    headers = {"Link": resolver.link_header(links, linkset_url)}
    if as_page:
        response = render(request, profile, today, shown.lang, shown.accept, shown.fmt,
                          asked, scanning.office_contact)
        response.headers.update(headers)
        return pages.keep(request, response, generation, profile.id, asked)
    target = resolver.chosen(links, link_type)
    if target is None:
        told = in_every_language(NO_SUCH_LINK, link_type=link_type or "",
                                 link_types=", ".join(f"gs1:{link.link_type}"
                                                      for link in links))
        refusal = problem(404, "no-such-link-type", told["en"], told["vi"],
                          extensions={"linkset": linkset_url})
        refusal.headers.update(headers)
        return refusal
    href = _page_url(scan_root, profile.id, asked) if target is links[0] else target.href
    return pages.keep_redirect(request, RedirectResponse(
        resolver.passed_on(href, request.query_params.multi_items()), status_code=307,
        headers=headers | dict(resolver.CORS)), generation, profile.id, not asked.unknown)


def _page_url(scan_root: str, product_id: str, asked: Asked) -> str:
    """The scan page of what a code names: ``/p/{id}``, then its lot and serial."""
    return "/".join([f"{scan_root}/p/{product_id}",
                     *(f"{key}/{quote(value, safe='')}" for key, value in
                       (("10", asked.lot), ("21", asked.serial)) if value)])


def _malformed(request: Request, shown: Shown) -> Response:
    language = page_language(request, shown.lang)
    told = in_every_language(MALFORMED_TEXT)
    if not _wants_json(shown.accept, shown.fmt) or "text/html" in (shown.accept or ""):
        return templates.TemplateResponse(
            request, "not_found.html", {"lang": language,
                                        "title": words(language).gettext("Invalid code"),
                                        "message": told[language]},
            status_code=400, headers={"Vary": "Accept, Accept-Language"})
    return problem(400, "malformed-digital-link", told["en"], told["vi"],
                   [FieldError("path", N_("not a GTIN with a valid check digit, followed "
                                          "by its key qualifiers 10/{lot}, 21/{serial}, "
                                          "22/{variant} in GS1 syntax"))])


@router.get("/.well-known/gs1resolver", tags=["scan"],
            summary="The GS1 resolver description file", **may("scan.read"))
async def resolver_description(tracing: TracingPart, response: Response
                               ) -> resolver.ResolverDescription:
    response.headers.update(resolver.CORS)
    return resolver.description(tracing.scan_base_url)


@router.options("/.well-known/gs1resolver", tags=["scan"], status_code=204,
                response_class=Response, summary="CORS pre-flight of the description file",
                **may("scan.read"))
async def resolver_description_options() -> Response:
    return Response(status_code=204, headers=dict(resolver.CORS))


def pages_of(path: str, summary: str) -> Callable[[F], F]:
    """Register a scan page's route for GET and HEAD (each its own OpenAPI operation)."""
    def register(endpoint: F) -> F:
        for method in ("get", "head"):
            getattr(router, method)(
                path, tags=["scan"], response_model=None, responses=SCANNED,
                summary=summary, operation_id=f"{endpoint.__name__}_{method}",
                **may("scan.read"))(endpoint)
        return endpoint
    return register


@pages_of("/p/{product_id}", "Scan page of a product (a GTIN's default link), HTML or JSON")
async def scan_product(tracing: TracingPart, scanning: ScanningPart, pages: PagesPart,
                       request: Request,
                       product_id: str, lang: Lang = None, fmt: Format = None,
                       accept: Annotated[str | None, Header()] = None) -> Response:
    return await _scan_product(tracing, scanning, pages, request, product_id, {},
                               Shown(lang, accept, fmt))


@pages_of("/p/{product_id}/{qualifiers:path}",
          "Scan page of a batch (10/{lot}) or a unit (21/{serial}) of a product: its "
          "journey, whether its code is genuine")
async def scan_product_qualified(tracing: TracingPart, scanning: ScanningPart,
                                 pages: PagesPart, request: Request, product_id: str,
                                 qualifiers: str, lang: Lang = None, fmt: Format = None,
                                 accept: Annotated[str | None, Header()] = None) -> Response:
    return await _scan_product(tracing, scanning, pages, request, product_id,
                               _raw_qualifiers(request), Shown(lang, accept, fmt))


async def _scan_product(tracing: Traceability, scanning: Scanning, pages: ScanPages,
                        request: Request, product_id: str, keys: dict[str, str] | None,
                        shown: Shown) -> Response:
    if keys is None:
        return _malformed(request, shown)
    generation = pages.generation
    profile = await tracing.profile(product_id)
    asked = await scanning.asked(profile, keys.get("10"), keys.get("21"),
                                 visit(scanning, request))
    return pages.keep(request, render(request, profile, tracing.clock.today(), shown.lang,
                                      shown.accept, shown.fmt, asked, scanning.office_contact),
                      generation, product_id, asked)


REPORTS_PATH = "/reports"


@router.post(REPORTS_PATH, tags=["scan"], response_class=HTMLResponse,
             summary="A shopper reports a code its scan page warned about (the warning's "
                     "form: no sign-in; one report per client, code and day)",
             **may("scan.report"))
async def report_code(tracing: TracingPart, scanning: ScanningPart, request: Request,
                      product_id: Annotated[str, Form(max_length=100)],
                      lot: Annotated[str | None, Form(max_length=80)] = None,
                      serial: Annotated[str | None, Form(max_length=80)] = None,
                      lang: Annotated[str | None, Form(max_length=5)] = None) -> Response:
    # A public write without a CSRF token: what it can do is bounded instead — the scan
    # pages' rate limit per address, and one report per client, code and day (scanning).
    code = serial or lot
    if not code:
        raise BadRequest(N_("Name the code you report: its lot or its serial."),
                         code="no-code-reported",
                         errors=[FieldError("serial", N_("a lot or a serial is needed"))])
    language = page_language(request, lang)
    said = words(language)
    profile = await tracing.profile(product_id)
    if profile is None or not profile.certified:
        return _refused(request, language, False, {}, said.gettext(NOT_FOUND),
                        said.gettext(NOT_FOUND_TEXT))
    assert profile.product and profile.subject
    counted = await scanning.report(profile, code, visit(scanning, request))
    named = {"code": code, "product": profile.product.name}
    return templates.TemplateResponse(request, "reported.html", {
        "lang": language, "title": said.gettext("Thank you for reporting"),
        "message": said.gettext(
            "Your report of code “%(code)s” of the product “%(product)s” was recorded; "
            "the producer and the OCOP office will see it.", **named) if counted else
        said.gettext("Your report of code “%(code)s” of the product “%(product)s” was "
                     "already recorded today: each code counts once a day.", **named),
        "warned": Warned(profile.id, profile.subject.province, scanning.office_contact,
                         lot, serial)}, headers={"Cache-Control": "no-store"})


def chain_page(request: Request, report: ChainReport, lot: str, lang: str | None
               ) -> Response:
    """A batch's chain check as a person reads it: intact or not, over how many records."""
    language = page_language(request, lang)
    said = words(language)
    named = {"records": report.records, "lot": lot, "problems": len(report.problems)}
    # Nothing recorded is nothing to vouch for: said plainly, not shown as "intact".
    state = "altered" if not report.intact else "intact" if report.records else "nothing_yet"
    title, told = CHAIN_STATES[state]
    return templates.TemplateResponse(request, "chain.html", {
        "lang": language, "title": said.gettext(title),
        "message": said.gettext(told, **named),
        "state": state,
        "problems": [(p.sequence, said.gettext(p.problem)) for p in report.problems]},
        headers={"Cache-Control": "no-cache", "Vary": "Accept, Accept-Language"})


def visit(scanning: Scanning, request: Request, *, counts: bool = True) -> Visit:
    """The scan as counted: a shopper's GET counts, a HEAD (a link checker) does not, nor
    a resolver's redirect (``counts``: the page it leads to counts)."""
    return scanning.visit((request.client or ("", 0))[0],
                          request.headers.get("user-agent", ""),
                          counts=counts and request.method == "GET")


class LabelOut(BaseModel):
    """A product's QR label: the URL it encodes, and where to download its artwork."""

    product_id: str
    label_id: str
    scan_url: str
    png_url: str
    svg_url: str
    issued_at: str

    @classmethod
    def of(cls, label: Label, public_url: str) -> LabelOut:
        issued = label.issued(public_url)
        return cls(product_id=issued.product_id, label_id=issued.label_id,
                   scan_url=issued.scan_url, png_url=issued.png_url, svg_url=issued.svg_url,
                   issued_at=label.issued_at)


@router.get("/labels/{product_id}", tags=["labels"], summary="A product's label (public)",
            **may("label.read"))
async def get_label(tracing: TracingPart, product_id: str) -> LabelOut:
    return LabelOut.of(await tracing.label(product_id), tracing.public_url)


@router.get("/labels/{product_id}/qr.{kind}", tags=["labels"],
            summary="The label's QR code as png or svg (public)", response_class=Response,
            responses=files("image/png", "image/svg+xml"), **may("label.read"))
async def get_artwork(tracing: TracingPart, product_id: str, kind: Literal["png", "svg"]
                      ) -> Response:
    content = await tracing.artwork(product_id, kind)
    return Response(content.data, media_type=content.content_type,
                    headers={"Cache-Control": "public, max-age=300"})

