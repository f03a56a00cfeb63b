"""Composition root of the web front (the producers' workspace): the one place its parts are
wired. It keeps no data of its own beyond sign-in sessions; every page is made from the
services' public APIs, called with the producer's own token."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from services.web.backend import Backend, Refused, SignedOut
from services.web.front import (
    HERE,
    NeedsSignIn,
    StaleForm,
    WebFront,
    language,
    refused_json,
    render,
    templates,
    wants_json,
)
from services.web.pages import router, sign_in_form
from services.web.plain import plain
from services.web.sessions import COOKIE, SESSIONS, Sessions, TokenBox
from shared.clock import Clock, SystemClock
from shared.config import Settings
from shared.i18n import words
from shared.request_guard import GuardPolicy, RequestGuard
from shared.security_headers import SecurityHeaders
from shared.store import DocumentStore, open_store
from shared.telemetry import make_tracer_provider

NAME = "web"
log = logging.getLogger(__name__)
SWEEP_SECONDS = 3600

WEB_POLICY = ("default-src 'self'; img-src 'self' https: http: data: blob:; "
              "script-src 'self'; style-src 'self'; connect-src 'self'; worker-src 'self'; "
              "manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
              "form-action 'self'; object-src 'none'")
"""Scripts and styles only from the front itself (no inline code); photos may show from
the services' object stores."""


def build(settings: Settings, *, clock: Clock | None = None,
          store: DocumentStore | None = None) -> FastAPI:
    clock = clock or SystemClock()
    store = store or open_store(settings.store_url_for(NAME), [SESSIONS], service=NAME)
    sessions = Sessions(store, clock, settings.session_hours,
                        TokenBox.kept_in(settings.data_dir))
    urls = {"registry": settings.registry_url, "rating": settings.rating_url,
            "traceability": settings.traceability_url}
    client = httpx.AsyncClient(timeout=30)
    front = WebFront(Backend(client, {k: v.rstrip("/") for k, v in urls.items()}), sessions,
                     clock, templates(),
                     secure_cookies=secure_cookies(settings.public_url))

    async def sweep() -> None:
        while True:
            try:
                await sessions.sweep()
            except Exception:
                log.exception("web: sweeping ended sessions failed; trying again later")
            await asyncio.sleep(SWEEP_SECONDS)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await store.open()
        sweeping = asyncio.create_task(sweep(), name="web:sweep")
        try:
            yield
        finally:
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping
            await client.aclose()
            await store.close()

    app = FastAPI(title="OCOP producers' workspace", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.front = front
    _install_handlers(app)
    _install_app_shell(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": NAME}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            await asyncio.wait_for(store.check(), 3)
        except Exception as exc:
            return JSONResponse({"service": NAME, "ready": False,
                                 "error": f"{type(exc).__name__}: {exc}"[:300]}, 503)
        return JSONResponse({"service": NAME, "ready": True, "status": "ok"})

    app.include_router(router)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=make_tracer_provider(NAME, otlp_endpoint=settings.otlp_endpoint),
        excluded_urls="healthz,readyz,static")
    # Every write is the person's own, checked by session and CSRF token in the pages: the
    # guard here caps bodies and paces each address, as for every service.
    app.add_middleware(RequestGuard, verifier=None, policy=GuardPolicy(
        open_writes=("/",), json_limit=settings.json_max_bytes,
        upload_limit=settings.objects_max_bytes, rate_limit=settings.rate_limit))
    app.add_middleware(SecurityHeaders, page_policy=WEB_POLICY, api_policy=WEB_POLICY)
    return app


def secure_cookies(public_url: str) -> bool:
    """Cookies go over HTTPS only — except a one-machine demo served as plain HTTP on a
    network address (a phone on the office's Wi-Fi), where no Secure cookie would ever be
    sent back. Browsers count loopback addresses as secure."""
    parts = urlsplit(public_url)
    return parts.scheme == "https" or parts.hostname in ("127.0.0.1", "localhost", "::1")


def _install_app_shell(app: FastAPI) -> None:
    """The installable app: its manifest, its service worker (at the root, so it serves
    every page offline) and its static files."""
    static = HERE / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/sw.js", include_in_schema=False)
    async def service_worker() -> Response:
        return FileResponse(static / "sw.js", media_type="text/javascript",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/manifest.webmanifest", include_in_schema=False)
    async def manifest() -> Response:
        return FileResponse(static / "manifest.webmanifest",
                            media_type="application/manifest+json",
                            headers={"Cache-Control": "public, max-age=86400"})


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NeedsSignIn)
    async def needs_sign_in(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NeedsSignIn)
        return _signed_out(request, ended=exc.ended)

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, _: Exception) -> Response:
        return _signed_out(request, ended=True)

    @app.exception_handler(StaleForm)
    async def stale_form(request: Request, _: Exception) -> Response:
        message = words(language(request)).gettext(
            "The form is out of date. Reload the page and send it again.")
        if wants_json(request):
            return JSONResponse({"message": message, "fields": {}}, status_code=403)
        return render(request, "error.html", None, status=403, message=message)

    app.add_exception_handler(Exception, _unexpected)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        if wants_json(request):
            return refused_json(exc, language(request))
        return render(request, "error.html", None, status=exc.status,
                      message=plain(exc, language(request)).message)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("web: unhandled error on %s %s", request.method, request.url.path)
    message = words(language(request)).gettext(
        "Something went wrong on our side; nothing was changed. Try again later.")
    if wants_json(request):
        return JSONResponse({"message": message, "fields": {}}, status_code=500)
    return render(request, "error.html", None, status=500, message=message)


def _signed_out(request: Request, *, ended: bool) -> Response:
    """The sign-in page; a session that has ended is told so, a first visit only asked to
    sign in."""
    said = words(language(request))
    message = said.gettext(
        "Your sign-in has ended. Sign in again; events waiting to send stay on this phone."
    ) if ended else said.gettext("Sign in to open your workspace.")
    if wants_json(request):
        response: Response = JSONResponse({"message": message, "fields": {}, "sign_in": True},
                                          status_code=401)
    elif ended:
        response = sign_in_form(request, status=401, refusal=message)
    else:
        response = sign_in_form(request, status=401, notice=message)
    response.delete_cookie(COOKIE, path="/")
    return response
