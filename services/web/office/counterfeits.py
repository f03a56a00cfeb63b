"""The office's counterfeit dashboard: the traceability service's counterfeit signals
(``GET /anomalies``: copied codes, codes never printed, lots that do not exist, shoppers'
reports) per province, newest first, counted by kind and confidence at the top, charted
per week, and listed per product and batch in a table that filters as one types. The
service decides what is a signal and how sure it is; this page only shows them."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.traceability import SignalSeen
from services.web.front import (
    ALERT_NAMES,
    CONFIDENCE_NAMES,
    Front,
    Office,
    WebFront,
    language,
    render,
)
from services.web.office.charts import Chart, grouped_columns, per_week
from services.web.plain import plain
from services.web.typed import typed_day
from shared.i18n import N_, words

router = APIRouter(include_in_schema=False)
WEEKS = 12
"""The dashboard opens on the last twelve weeks."""
PAGES = 5
"""At most this many pages of signals (``SIGNALS_PAGE`` each) on one dashboard."""
NAMED = 50
"""Products named at most (each name is one call to the registry)."""
FILTERS = ("province", "kind", "since")
"""The filter's fields: a refusal's note stands beside the one it is about."""
DAY_FORMAT = N_("Write the day as dd/mm/yyyy, for example 01/09/2026.")


@dataclass(frozen=True)
class Dashboard:
    signals: list[SignalSeen]
    by_kind: dict[str, int]
    by_confidence: dict[str, int]
    weekly: Chart
    weeks: list[tuple[date, int]]
    product_names: dict[str, str]


def dashboard(signals: list[SignalSeen], since: date, today: date,
              names: dict[str, str], lang: str) -> Dashboard:
    kinds, sureness = Counter(s.kind for s in signals), Counter(s.confidence for s in signals)
    weeks = per_week([s.day for s in signals], since, today)
    said = words(lang)
    return Dashboard(
        signals, {k: kinds[k] for k in ALERT_NAMES},
        {c: sureness[c] for c in CONFIDENCE_NAMES}, grouped_columns(
            [(f"{w:%d/%m}", [n]) for w, n in weeks], [said.gettext("Counterfeit signals")],
            lang), weeks, names)


Text = Annotated[str | None, Query(max_length=100)]


@router.get("/office/counterfeits", response_class=HTMLResponse)
async def counterfeits(request: Request, front: Front, session: Office, province: Text = None,
                       kind: Text = None, confidence: Text = None,
                       since: Text = None) -> Response:
    today = front.clock.today()
    first, errors = today - timedelta(weeks=WEEKS), {}
    try:
        first = typed_day(since or "", "since") or first
    except Refused:
        errors["since"] = words(language(request)).gettext(DAY_FORMAT)
    traceability = front.traceability(session.token)
    context = {"province": province or "", "kind": kind or "", "confidence": confidence or "",
               "since": first, "today": today, "typed_since": since if errors else None}
    try:
        found, provinces = await asyncio.gather(
            _signals(front, session.token, province or None, kind or None, first),
            traceability.anomalies_by_province(first))
    except Refused as refusal:
        said = plain(refusal, language(request), FILTERS)
        if "since" in said.fields:  # the span's limit, in the service's words, beside it
            said.fields["since"] = said.message
        return render(request, "office/counterfeits.html", session, status=refusal.status,
                      board=dashboard([], first, today, {}, language(request)), provinces=[],
                      **context, errors=said.fields, refusal=said.message)
    shown = [s for s in found if not confidence or s.confidence == confidence]
    names = await _product_names(front, session.token, [s.product_id for s in shown])
    return render(request, "office/counterfeits.html", session, status=400 if errors else 200,
                  board=dashboard(shown, first, today, names, language(request)),
                  provinces=provinces, **context, errors=errors)


async def _signals(front: WebFront, token: str, province: str | None, kind: str | None,
                   since: date) -> list[SignalSeen]:
    traceability = front.traceability(token)
    found: list[SignalSeen] = []
    cursor: str | None = None
    for _ in range(PAGES):
        page = await traceability.province_anomalies(province=province, kind=kind,
                                                     since=since, cursor=cursor)
        found += page.items
        cursor = page.next_cursor
        if not cursor:
            break
    return found


async def _product_names(front: WebFront, token: str, product_ids: list[str]) -> dict[str, str]:
    """Each product's name, for the first ``NAMED`` products (the others show their id)."""
    wanted = list(dict.fromkeys(product_ids))[:NAMED]
    registry = front.registry(token)

    async def name(product_id: str) -> str:
        try:
            return (await registry.product(product_id)).name
        except Refused:
            return product_id

    return dict(zip(wanted, await asyncio.gather(*(name(p) for p in wanted)), strict=True))
