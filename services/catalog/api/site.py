"""The public catalog website: the home page with search and filters, and a page per product.

Server-rendered HTML (Jinja2), no script: readable on any phone, by any search engine, on a
slow connection. Vietnamese unless the visitor asks for English (``?lang=en`` or their
browser's languages). A refusal (an unknown or withdrawn product, a stale page cursor) is
shown as a page in the visitor's language, with its status.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from services.catalog.api.caching import cache_headers
from services.catalog.api.deps import CatalogPart, PublisherPart, may
from services.catalog.site.card import MEDIA_TYPE, Cards, card_digest, card_url
from services.catalog.site.pages import (
    MIN_STARS,
    PAGE_SIZE,
    Filters,
    group_choices,
    name_in,
    product_json_ld,
    share_preview,
)
from shared.files.images import WebWidth, sized_url, srcset
from shared.i18n import install
from shared.i18n.language import LANGUAGE_NAMES, LANGUAGES, pick_language
from shared.i18n.text import day_shown
from shared.ocop.localities import provinces
from shared.platform.runtime import part
from shared.refusals import AppError
from shared.refusals.openapi import files

router = APIRouter(tags=["website"])
templates = Jinja2Templates(directory=FilePath(__file__).parent.parent / "templates")
templates.env.filters |= {"srcset": srcset, "sized": sized_url, "day": day_shown,
                          "named": name_in}
install(templates.env)
templates.env.globals |= {"phone": WebWidth.PHONE, "wide": WebWidth.WIDE,
                          "language_names": LANGUAGE_NAMES}

Lang = Annotated[str | None, Query(pattern=f"^({'|'.join(LANGUAGES)})$",
                                   description="vi (default) or en")]
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]
CardsPart = Annotated[Cards, Depends(part(Cards))]
A_YEAR = 365 * 24 * 3600


def _page(request: Request, template: str, lang: str, status: int = 200,
          headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {
        "lang": lang, "other_lang": "en" if lang == "vi" else "vi",
        **context}, status_code=status, headers=headers)


def _cached(etag: str | None = None) -> dict[str, str]:
    """A CDN may keep a page a minute; the language it is in depends on the browser's."""
    return cache_headers(None, etag) | {"Vary": "Accept-Language"}


def _refused(request: Request, lang: str, refusal: AppError) -> HTMLResponse:
    return _page(request, "missing.html", lang, refusal.status,
                 message=refusal.text(lang))


@router.get("/", response_class=HTMLResponse, summary="The catalog's home page: search and "
            "filter OCOP products (public, HTML)", **may("listing.read"))
async def home(request: Request, catalog: CatalogPart, publisher: PublisherPart,
               q: Annotated[str | None, Query(max_length=200)] = None,
               stars: Annotated[Literal["", "3", "4", "5"] | None, Query(description=(
                   "At least this many stars (empty: any, as the form sends it)"))] = None,
               group: Annotated[str | None, Query(max_length=40)] = None,
               province: Annotated[str | None, Query(max_length=100, description=(
                   "A province's or city's official name, as the form's list of the 34 "
                   "offers it (diacritics and case aside)"))] = None,
               after: Annotated[str | None, Query(max_length=2000, description=(
                   "The next page's cursor, from the page before"))] = None,
               lang: Lang = None, accept_language: AcceptLanguage = None) -> HTMLResponse:
    lang = pick_language(lang, accept_language)
    filters = Filters(q=q or None, min_stars=int(stars) if stars else None, group=group or None,
                      province=province or None)
    try:
        found, next_cursor = await catalog.search(
            q=filters.q, stars=filters.stars, group=filters.group, province=filters.province,
            sort="-stars", limit=PAGE_SIZE, after=after)
    except AppError as refusal:
        return _refused(request, lang, refusal)
    return _page(request, "home.html", lang, headers=_cached(),
                 listings=[publisher.state(listing) for listing in found], filters=filters,
                 groups=group_choices(lang), provinces=[name for _, name in provinces()],
                 min_stars=MIN_STARS, first_page=after is None,
                 switch_query=filters.query("en" if lang == "vi" else "vi"),
                 next_query=filters.query(lang, after=next_cursor) if next_cursor else None)


@router.get("/products/{product_id}", response_class=HTMLResponse,
            summary="A product's public page: photos, stars, producer, certificate, origin "
                    "and where to buy, with schema.org Product data (public, HTML)",
            **may("listing.read"))
async def product_page(product_id: str, request: Request, catalog: CatalogPart,
                       publisher: PublisherPart, lang: Lang = None,
                       accept_language: AcceptLanguage = None) -> Response:
    lang = pick_language(lang, accept_language)
    try:
        listing = await catalog.listing(product_id)
    except AppError as refusal:
        return _refused(request, lang, refusal)
    state = publisher.state(listing)
    return _page(request, "product.html", lang,
                 headers=_cached(f"{listing.id}-{listing.version}-{lang}"),
                 listing=state, json_ld=product_json_ld(state),
                 preview=share_preview(state, lang))


@router.get("/products/{product_id}/card/{digest}.png", response_class=Response,
            summary="The product's card as an image: name, OCOP stars, producer (public, "
                    "PNG 1200×630; a feed's image_link when the product has no photo)",
            responses=files(MEDIA_TYPE, description="The card"), **may("listing.read"))
async def product_card(product_id: str, catalog: CatalogPart, publisher: PublisherPart,
                       cards: CardsPart,
                       digest: Annotated[str, Path(pattern="^[0-9a-f]{16}$", description=(
                           "What the card shows, digested (the listing's card URL)"))]
                       ) -> Response:
    """Its URL changes whenever what it shows does, so it is cached for a year; an older
    card's URL (a feed fetched before a change) is sent on to the current one."""
    state = publisher.state(await catalog.listing(product_id))
    if digest != card_digest(state):
        return RedirectResponse(card_url(state), status_code=307,
                                headers={"Cache-Control": "public, max-age=60"})
    return Response(await cards.png(state), media_type=MEDIA_TYPE, headers={
        "Cache-Control": f"public, max-age={A_YEAR}, immutable", "ETag": f'"{digest}"'})


@router.get("/products/{product_id}/card.png", response_class=Response,
            summary="The product's current card (public, PNG 1200×630): for pages of other "
                    "services that link the product without knowing its card's version",
            responses=files(MEDIA_TYPE, description="The card"), **may("listing.read"))
async def current_product_card(product_id: str, catalog: CatalogPart,
                               publisher: PublisherPart, cards: CardsPart) -> Response:
    """The same image as the versioned URL, kept for minutes only (it may change)."""
    state = publisher.state(await catalog.listing(product_id))
    return Response(await cards.png(state), media_type=MEDIA_TYPE, headers={
        "Cache-Control": "public, max-age=300", "ETag": f'"{card_digest(state)}"'})
