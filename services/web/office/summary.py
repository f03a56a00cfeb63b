"""The office's annual summary (báo cáo tổng kết) as charts people would rather look at than
read: stars by commune and by product group, this year against last, certificates expiring
month by month; each chart's figures in a table beneath it, the page printable under the
national heading, and the rating service's XLSX and PDF of it downloaded through the front
with the office's own token. The figures are the rating service's (``GET
/summaries/{year}``); this page only draws them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.rating import Summary
from services.web.front import Front, Office, language, render
from services.web.office.charts import (
    Chart,
    change,
    grouped_columns,
    per_month,
    stacked_rows,
)
from services.web.plain import plain
from shared.i18n import N_, words
from shared.ocop.localities import provinces

router = APIRouter(include_in_schema=False)
FIRST_YEAR = 2018
"""The first year the rating service summarises."""
STARS = ("3", "4", "5")
FILES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}
FIGURES = (("registered", N_("Products registered"), N_("Registered")),
           ("recognised", N_("Products recognised"), N_("Recognised")),
           ("3", N_("3-star products"), ""), ("4", N_("4-star products"), ""),
           ("5", N_("5-star products"), ""))
"""This year against last: each figure's key, name in the table and under its bars (the
stars' named by ``%(stars)s stars``)."""


@dataclass(frozen=True)
class Comparison:
    name: str
    short: str
    """Its name under its bars."""
    now: int
    before: int
    change: str
    """up, down or same."""


@dataclass(frozen=True)
class SummaryView:
    """The summary as the page draws it."""

    summary: Summary
    last: Summary | None
    by_commune: Chart
    by_group: Chart
    years: Chart
    comparison: list[Comparison]
    expiring: Chart
    expiring_months: list[tuple[date, int]]


def _figures(summary: Summary) -> dict[str, int]:
    r = summary.recognised
    return {"registered": summary.registered.products, "recognised": r.products,
            **{s: r.by_stars.get(s, 0) for s in STARS}}


def summary_view(summary: Summary, last: Summary | None, lang: str) -> SummaryView:
    said = words(lang)
    stars = [said.gettext("%(stars)s stars", stars=s) for s in STARS]
    r = summary.recognised
    now, before = _figures(summary), _figures(last) if last else {}
    comparison = [Comparison(said.gettext(name), said.gettext(short) if short
                             else said.gettext("%(stars)s stars", stars=key), now[key],
                             before.get(key, 0), change(now[key], before.get(key, 0)))
                  for key, name, short in FIGURES]
    months = per_month([c.valid_until for c in summary.expiring.certificates],
                       summary.as_of, summary.expiring.until)
    return SummaryView(
        summary, last,
        by_commune=stacked_rows([(c.commune, [c.by_stars.get(s, 0) for s in STARS])
                                 for c in r.by_commune], stars, lang),
        by_group=stacked_rows([(g.name_vi if lang == "vi" else g.name_en,
                                [g.by_stars.get(s, 0) for s in STARS]) for g in r.by_group],
                              stars, lang),
        years=grouped_columns([(c.short, [c.now, c.before]) for c in comparison],
                              [str(summary.year), str(summary.year - 1)], lang),
        comparison=comparison,
        expiring=grouped_columns([(f"{m:%m/%Y}", [n]) for m, n in months],
                                 [said.gettext("Certificates expiring")], lang),
        expiring_months=months)


SUMMARY_FORM = ("year", "province")
"""The chooser's fields: a refusal's note stands beside the one it is about."""
YEAR_ASKED = N_("Choose a year from the list.")
Year = Annotated[str | None, Query(max_length=10)]
"""Any year: one the rating service does not summarise is refused there, in plain words."""
Province = Annotated[str | None, Query(max_length=100)]


@router.get("/office/summary", response_class=HTMLResponse)
async def summary_page(request: Request, front: Front, session: Office, year: Year = None,
                       province: Province = None) -> Response:
    today, lang = front.clock.today(), language(request)
    context: dict[str, Any] = {
        "year": today.year, "years": list(range(today.year, FIRST_YEAR - 1, -1)),
        "province": province or "", "provinces": [name for _, name in provinces()],
        "today": today, "view": None}
    try:
        shown = context["year"] = int(year) if year else today.year
    except ValueError:
        return render(request, "office/summary.html", session, status=400, **context,
                      errors={"year": words(lang).gettext(YEAR_ASKED)})
    if not province:
        return render(request, "office/summary.html", session, **context)
    rating = front.rating(session.token)
    try:
        this, last = await asyncio.gather(
            rating.summary(shown, province),
            rating.summary(shown - 1, province) if shown > FIRST_YEAR else _nothing())
    except Refused as refusal:
        said = plain(refusal, lang, SUMMARY_FORM)
        if "year" in said.fields:
            said.fields["year"] = words(lang).gettext(YEAR_ASKED)
        return render(request, "office/summary.html", session, status=refusal.status,
                      **context, errors=said.fields, refusal=said.message)
    return render(request, "office/summary.html", session,
                  **context | {"view": summary_view(this, last, lang)})


async def _nothing() -> None:
    return None


@router.get("/office/summary/{year}.{format}")
async def summary_file(front: Front, session: Office, year: int, format: str,
                       province: Annotated[str, Query(max_length=100)]) -> Response:
    """The rating service's XLSX or PDF of the summary, with the office's token."""
    if format not in FILES:
        return Response(status_code=404)
    answer = await front.rating(session.token).summary_file(year, province, format)
    return Response(answer.content, media_type=FILES[format], headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment"),
        "Cache-Control": "private, no-store"})
