"""The pages every signed-in person shares, whatever their role: signing in and out, the
language, the password; the installable app's manifest and offline page. After signing in
each person lands on their own workspace (``front.HOMES``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.web.backend import Refused
from services.web.front import (
    HOMES,
    LANG_COOKIE,
    Front,
    Visitor,
    Writer,
    back_to,
    front_of,
    language,
    render,
)
from services.web.plain import plain
from services.web.sessions import (
    COOKIE,
    SIGN_IN_COOKIE,
    sign_in_accepts,
    sign_in_token,
)
from shared.i18n import N_, words
from shared.i18n.language import LANGUAGES, pick_language

router = APIRouter(include_in_schema=False)
PASSWORD_FORM = ("current_password", "new_password")
APP_WORDS = {"name": N_("The producer's OCOP workspace"), "short_name": N_("OCOP workspace"),
             "description": N_("An OCOP producer's products, batches and origin records — "
                               "even without signal.")}
"""What the installed app is called on the phone, and how it is described."""
APP_LOOK = {
    "start_url": "/", "scope": "/", "display": "standalone", "background_color": "#f6f7f5",
    "theme_color": "#0b6e4f", "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"}]}


# -- signing in ---------------------------------------------------------------------------

def sign_in_form(request: Request, status: int = 200, **context: Any) -> Response:
    """The sign-in page, its form carrying a CSRF token that the browser holds in a cookie
    too: a sign-in posted from another site (login CSRF) has not got it."""
    token = sign_in_token(request.cookies.get(SIGN_IN_COOKIE))
    response = render(request, "sign_in.html", None, status=status, csrf=token, **context)
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True,
                        secure=front_of(request).secure_cookies, samesite="strict",
                        path="/sign-in")
    return response


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request) -> Response:
    return sign_in_form(request)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, front: Front, username: Annotated[str, Form()] = "",
                  password: Annotated[str, Form()] = "",
                  csrf: Annotated[str, Form()] = "") -> Response:
    lang = language(request)
    if not sign_in_accepts(request.cookies.get(SIGN_IN_COOKIE), csrf):
        return sign_in_form(request, status=403, form={"username": username},
                            refusal=words(lang).gettext(
                                "The sign-in form is out of date, or was sent from another "
                                "site. Sign in again here."))
    address = request.client.host if request.client else ""
    try:
        # The registry counts failed sign-ins per client address: it is told the
        # person's, not the web front's. It believes the header only from the addresses
        # in its OCOP_TRUSTED_PROXIES, which name the web front's; this address is the
        # person's as the web front's own server found it (from its trusted proxies).
        issued = await front.registry(None).sign_in(username, password, address)
        me = await front.registry(issued.access_token).me()
    except Refused as refusal:
        return sign_in_form(request, status=refusal.status, form={"username": username},
                            refusal=plain(refusal, lang).message)
    if me.role not in HOMES:
        return sign_in_form(request, status=403, form={"username": username},
                            refusal=words(lang).gettext(
                                "This account has no workspace to sign in to: a sales "
                                "channel calls the catalog with its key."))
    key, _ = await front.sessions.open(issued.access_token, issued.expires_in, me)
    response = back_to(HOMES[me.role])
    response.set_cookie(COOKIE, key, httponly=True, secure=front.secure_cookies,
                        samesite="lax", max_age=front.sessions.hours * 3600, path="/")
    return response


@router.post("/sign-out")
async def sign_out(front: Front, session: Writer) -> Response:
    await front.sessions.close(session)
    response = back_to("/sign-in")
    response.delete_cookie(COOKIE, path="/")
    # The phone may be shared: what the pages kept for offline use goes too.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@router.get("/language/{lang}")
async def choose_language(lang: str, back: str = "/") -> Response:
    response = back_to(back if back.startswith("/") and not back.startswith("//") else "/")
    response.set_cookie(LANG_COOKIE, lang if lang in LANGUAGES else "vi",
                        max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
async def password_page(request: Request, session: Visitor) -> Response:
    return render(request, "password.html", session)


@router.post("/password", response_class=HTMLResponse)
async def change_password(request: Request, front: Front, session: Writer,
                          current_password: Annotated[str, Form()] = "",
                          new_password: Annotated[str, Form()] = "") -> Response:
    try:
        issued = await front.registry(session.token).change_password(current_password,
                                                                      new_password)
    except Refused as refusal:
        said = plain(refusal, language(request), PASSWORD_FORM)
        return render(request, "password.html", session, status=refusal.status,
                      refusal=said.message, errors=said.fields)
    await front.sessions.renew_token(session, issued.access_token)
    return back_to("/?done=password_changed")


@router.get("/app.webmanifest")
async def app_manifest(request: Request, lang: str | None = None) -> Response:
    """The installable app's manifest in the language of the page that links it: named by
    ``?lang=``, as a browser fetches a manifest without cookies."""
    said = words(pick_language(lang, request.headers.get("accept-language")))
    return JSONResponse({**{key: said.gettext(message) for key, message in APP_WORDS.items()},
                         "lang": said.lang, **APP_LOOK},
                        media_type="application/manifest+json",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/offline", response_class=HTMLResponse)
async def offline(request: Request) -> Response:
    """What the phone shows for a page it has not kept, without signal."""
    return render(request, "offline.html", None)
