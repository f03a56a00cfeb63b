"""The office's sales channels (kênh bán hàng): which online shops may carry the province's
OCOP listings, what each may carry, its API keys and its webhooks. Each page loads what it
shows from the catalog with the office's own token and each form sends one call; the
catalog keeps every rule (what a channel needs, how many keys it may hold).

An API key is in one answer of the catalog only: the page that shows it is made from that
answer, sent ``no-store``, and the web front keeps no copy of it (no session, no URL, no
log)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.datastructures import FormData
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.catalog import IssuedKey
from services.web.front import Front, Office, OfficeWriter, WebFront, back_to, language, render
from services.web.office.registration_form import GROUPS, for_the_form
from services.web.plain import plain
from services.web.sessions import WebSession
from shared.i18n import N_
from shared.ocop.localities import provinces

router = APIRouter(include_in_schema=False)
CHANNEL_FORM = ("name", "website", "contact_name", "contact_email", "provinces", "groups")
SCOPE_FORM = ("provinces", "groups")
ASKS = {
    "name": N_("Enter the channel's name, up to 200 characters."),
    "website": N_("Enter the channel's website address, e.g. https://postmart.vn."),
    "contact_name": N_("Enter the person or department to contact, up to 200 characters."),
    "contact_email": N_("Enter an email address such as name@example.vn."),
    "provinces": N_("Choose among the provinces listed."),
    "groups": N_("Choose among the product groups listed."),
}
"""A form field → what it asks for, where the catalog's words are not for people."""
NAMES = {"provinces": [name for _, name in provinces()], "groups": GROUPS}
_NESTED = re.compile(r"^(?:body\.)?(?:scope\.)?([a-z_]+).*$")


def form_name(path: str) -> str:
    """The form field a catalog's field path fills: ``scope.groups.0`` → ``groups``."""
    return _NESTED.sub(r"\1", path)


def for_the_page(refusal: Refused, lang: str, form: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """The refusal's message and its notes beside the form's fields."""
    said = plain(for_the_form(refusal, {p: form_name(p) for p in refusal.fields}, ASKS),
                 lang, form)
    return said.message, said.fields


def typed(sent: FormData) -> dict[str, Any]:
    """The channel form as typed: its texts, and the provinces and groups ticked."""
    form: dict[str, Any] = {name: str(sent.get(name) or "").strip()
                            for name in CHANNEL_FORM[:4]}
    return form | scope_typed(sent)


def scope_typed(sent: FormData) -> dict[str, list[str]]:
    return {name: [str(v) for v in sent.getlist(name) if str(v).strip()]
            for name in SCOPE_FORM}


def body(form: dict[str, Any]) -> dict[str, Any]:
    """``POST /channels`` from the form: a blank website is sent as blank, for the catalog
    to say what it needs."""
    return {**{k: form[k] for k in CHANNEL_FORM[:4]},
            "scope": {k: form[k] for k in SCOPE_FORM}}


def _page(request: Request, template: str, session: WebSession, status: int = 200,
          **context: Any) -> Response:
    return render(request, template, session, status=status, **NAMES, **context)


def _key_page(request: Request, session: WebSession, issued: IssuedKey, *,
              first: bool) -> Response:
    """The one page that shows a key: never cached, never kept."""
    page = _page(request, "office/channels_key.html", session, issued=issued, first=first)
    page.headers["Cache-Control"] = "no-store"
    return page


# -- the list and registering -------------------------------------------------------------

@router.get("/office/channels", response_class=HTMLResponse)
async def channels(request: Request, front: Front, session: Office) -> Response:
    catalog = front.catalog(session.token)
    found = await catalog.channels()
    hooks = await asyncio.gather(*(catalog.webhooks(c.id) for c in found))
    return _page(request, "office/channels.html", session, channels=found,
                 webhooks={c.id: h for c, h in zip(found, hooks, strict=True)})


@router.get("/office/channels/new", response_class=HTMLResponse)
async def new_channel(request: Request, session: Office) -> Response:
    return _page(request, "office/channels_new.html", session,
                 form={"provinces": [], "groups": []})


@router.post("/office/channels", response_class=HTMLResponse)
async def register_channel(request: Request, front: Front, session: OfficeWriter) -> Response:
    form = typed(await request.form())
    try:
        issued = await front.catalog(session.token).register_channel(body(form))
    except Refused as refusal:
        message, notes = for_the_page(refusal, language(request), CHANNEL_FORM)
        return _page(request, "office/channels_new.html", session, status=refusal.status,
                     form=form, errors=notes, refusal=message)
    return _key_page(request, session, issued, first=True)


# -- one channel ----------------------------------------------------------------------------

async def _channel_page(request: Request, front: WebFront, session: WebSession,
                        channel_id: str, status: int = 200, **context: Any) -> Response:
    catalog = front.catalog(session.token)
    channel, hooks = await asyncio.gather(catalog.channel(channel_id),
                                          catalog.webhooks(channel_id))
    context.setdefault("form", {k: getattr(channel.scope, k) for k in SCOPE_FORM})
    return _page(request, "office/channels_one.html", session, status=status,
                 channel=channel, webhooks=hooks, **context)


@router.get("/office/channels/{channel_id}", response_class=HTMLResponse)
async def channel_page(request: Request, front: Front, session: Office,
                       channel_id: str) -> Response:
    return await _channel_page(request, front, session, channel_id)


@router.post("/office/channels/{channel_id}/scope", response_class=HTMLResponse)
async def rescope(request: Request, front: Front, session: OfficeWriter,
                  channel_id: str) -> Response:
    scope = scope_typed(await request.form())
    try:
        await front.catalog(session.token).rescope(channel_id, scope)
    except Refused as refusal:
        message, notes = for_the_page(refusal, language(request), SCOPE_FORM)
        return await _channel_page(request, front, session, channel_id,
                                   status=refusal.status, form=scope, errors=notes,
                                   refusal=message)
    return back_to(f"/office/channels/{channel_id}?done=channel_rescoped")


@router.post("/office/channels/{channel_id}/keys", response_class=HTMLResponse)
async def issue_key(request: Request, front: Front, session: OfficeWriter,
                    channel_id: str) -> Response:
    try:
        issued = await front.catalog(session.token).issue_key(channel_id)
    except Refused as refusal:  # too many active keys: said on the channel's page
        message, _ = for_the_page(refusal, language(request), ())
        return await _channel_page(request, front, session, channel_id,
                                   status=refusal.status, refusal=message)
    return _key_page(request, session, issued, first=False)


@router.get("/office/channels/{channel_id}/keys/{key_id}/revoke",
            response_class=HTMLResponse)
async def revoke_asked(request: Request, front: Front, session: Office, channel_id: str,
                       key_id: str) -> Response:
    """The confirmation: what revoking the key does, and the form that does it."""
    channel = await front.catalog(session.token).channel(channel_id)
    return _page(request, "office/channels_revoke.html", session, channel=channel,
                 key=next((k for k in channel.keys if k.id == key_id), None), key_id=key_id)


@router.post("/office/channels/{channel_id}/keys/{key_id}/revoke",
             response_class=HTMLResponse)
async def revoke_key(front: Front, session: OfficeWriter, channel_id: str,
                     key_id: str) -> Response:
    await front.catalog(session.token).revoke_key(channel_id, key_id)
    return back_to(f"/office/channels/{channel_id}?done=key_revoked")
