"""Composition root of the web front (the workspaces): the one place its parts are wired.
Every page is made from the services' public APIs, called with the person's own token; what
it keeps is its own: sign-in sessions, and each person's notifications and preferences,
made from the events that concern them. So it runs on the services' runtime
(``ServiceRuntime``), a consumer of the bus like them, with its pages' own errors and
content policy (``FrontRuntime``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from services.web.backend import Backend, Refused, SignedOut
from services.web.commune.pages import router as commune
from services.web.council.pages import router as council
from services.web.entry import router as entry
from services.web.entry import sign_in_form
from services.web.front import (
    HERE,
    NeedsSignIn,
    NotYourPage,
    StaleForm,
    WebFront,
    back_to,
    language,
    refused_json,
    render,
    templates,
    wants_json,
)
from services.web.notifications.commands import Notifier
from services.web.notifications.delivery import Delivery
from services.web.notifications.hearing import KindKeyedConsumer
from services.web.notifications.pages import router as notifications
from services.web.notifications.queries import Inbox
from services.web.notifications.store import COLLECTIONS as NOTIFICATION_COLLECTIONS
from services.web.office.channels import router as office_channels
from services.web.office.counterfeits import router as office_counterfeits
from services.web.office.decisions import router as office_decisions
from services.web.office.inbox import router as office_inbox
from services.web.office.registration import router as office_registration
from services.web.office.rounds import router as office_rounds
from services.web.office.summary import router as office_summary
from services.web.plain import plain
from services.web.producer.cycle import router as producer_cycle
from services.web.producer.pages import router as producer
from services.web.sessions import COOKIE, SESSIONS, Sessions, TokenBox
from shared.http import tls
from shared.i18n import words
from shared.messaging.contracts.rating import (
    CERTIFICATE_IN_FORCE,
    CertificateExpired,
    CertificateExpiring,
    CertificateRevoked,
    EvaluationOpened,
)
from shared.messaging.contracts.registry import (
    ACCOUNT_STATES,
    PRODUCT_STATES,
    DossierStageDecided,
    ProductIdentityDecided,
)
from shared.messaging.contracts.traceability import ScanAnomalyDetected
from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.runtime import CLIENT_KEEP_ALIVE_SECONDS, Runtime, ServiceRuntime
from shared.platform.workers import WorkerFactory
from shared.ports.bus import EventBus
from shared.ports.mail import open_mail

NAME = "web"
log = logging.getLogger(__name__)
SWEEP_SECONDS = 3600
MAIL_POLL_SECONDS = 30.0
"""Retries falling due are looked for this often; a new notification's e-mail wakes the
sender at once."""

WEB_POLICY = ("default-src 'self'; img-src 'self' https: http: data: blob:; "
              "script-src 'self'; style-src 'self'; connect-src 'self'; worker-src 'self'; "
              "manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
              "form-action 'self'; object-src 'none'")
"""Scripts and styles only from the front itself (no inline code); photos may show from
the services' object stores."""


class FrontRuntime(ServiceRuntime):
    """A service's runtime (store, bus, consumer) serving pages: errors said as pages, not
    problem+json; no API document; no links to the object store's files."""

    consumer: KindKeyedConsumer

    def __init__(self, name: str, settings: Settings, **options: object) -> None:
        super().__init__(name, settings, **options)  # type: ignore[arg-type]
        self.page_policy = self.api_policy = WEB_POLICY
        self.consumer = KindKeyedConsumer(name, self.store, self.consumer.handlers,
                                          self.tracer, self.consumer.retry, self.clock)

    def _app(self, lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]
             ) -> FastAPI:
        return Runtime._app(self, lifespan)

    def _routers(self) -> list[APIRouter]:
        return self.routers


def build(settings: Settings, *, bus: EventBus | None = None, clock: Clock | None = None,
          workers: WorkerFactory | None = None) -> ServiceRuntime:
    # Every write is the person's own, checked by session and CSRF token in the pages: the
    # guard caps bodies and paces each address, as for every service, and needs no token.
    runtime = FrontRuntime(NAME, settings, collections=[SESSIONS, *NOTIFICATION_COLLECTIONS],
                           bus=bus, clock=clock, workers=workers, open_writes=("/",))
    inbox = notify(runtime, settings)
    sessions = Sessions(runtime.store, runtime.clock, settings.session_hours,
                        TokenBox.kept_in(settings.data_dir))
    runtime.every("sweep ended sessions", SWEEP_SECONDS, sessions.sweep)
    urls = {"registry": settings.registry_url, "rating": settings.rating_url,
            "traceability": settings.traceability_url, "catalog": settings.catalog_url}
    client = httpx.AsyncClient(timeout=30, verify=tls.verified(), limits=httpx.Limits(
        keepalive_expiry=CLIENT_KEEP_ALIVE_SECONDS))
    runtime.close_on_stop(client.aclose)
    runtime.provide(WebFront(Backend(client, {k: v.rstrip("/") for k, v in urls.items()}),
                             sessions, runtime.clock, templates(),
                             secure_cookies=secure_cookies(settings.public_url),
                             unread=inbox.unread))
    _install_handlers(runtime)
    runtime.include(app_shell())
    runtime.include(entry)
    runtime.include(notifications)
    runtime.include(producer_cycle)  # before the pages: /products/new is not a product
    runtime.include(producer)
    runtime.include(council)
    runtime.include(commune)
    runtime.include(office_inbox)
    runtime.include(office_decisions)
    runtime.include(office_registration)
    runtime.include(office_rounds)
    runtime.include(office_summary)
    runtime.include(office_counterfeits)
    runtime.include(office_channels)
    runtime.mount("/static", StaticFiles(directory=HERE / "static"))
    return runtime


def notify(runtime: FrontRuntime, settings: Settings) -> Inbox:
    """Each person's notifications, made from the events that concern them (exactly once:
    the consumer's inbox), and their e-mail sent where an SMTP server is set (none: the
    inbox alone, and no e-mail queued)."""
    sender = open_mail(settings.smtp_url, sender=settings.mail_from, password=(
        settings.smtp_password.get_secret_value() if settings.smtp_password else None))
    notifier = Notifier(runtime.store, runtime.clock, settings.public_url, sender is not None)
    if sender is not None:
        delivery = Delivery(runtime.store, runtime.clock, sender)
        notifier.wake = delivery.wake
        runtime.every("send notification e-mail", MAIL_POLL_SECONDS, delivery.round,
                      wakes=delivery.wakes)
    for account in ACCOUNT_STATES:
        runtime.handle(account, notifier.on_account)
    for product in PRODUCT_STATES:
        runtime.handle(product, notifier.on_product)
    for certificate in CERTIFICATE_IN_FORCE:
        runtime.handle(certificate, notifier.on_certificate_in_force)
    runtime.handle(DossierStageDecided, notifier.on_stage_decided)
    runtime.handle(ProductIdentityDecided, notifier.on_identity_decided)
    runtime.handle(CertificateExpiring, notifier.on_expiring)
    runtime.handle(CertificateRevoked, notifier.on_revoked)
    runtime.handle(CertificateExpired, notifier.on_expired)
    runtime.handle(ScanAnomalyDetected, notifier.on_anomaly)
    runtime.handle(EvaluationOpened, notifier.on_evaluation_opened)
    kept = {kind.event_type for kind in (*ACCOUNT_STATES, *PRODUCT_STATES)}
    # Every other event counts on its own key: a token revocation too, which the registry
    # says at the same version as the account's change beside it.
    runtime.consumer.told = frozenset(runtime.consumer.handlers) - kept
    inbox = Inbox(runtime.store)
    runtime.provide(notifier, inbox)
    return inbox


def secure_cookies(public_url: str) -> bool:
    """Cookies go over HTTPS only — except a one-machine demo served as plain HTTP on a
    network address (a phone on the office's Wi-Fi), where no Secure cookie would ever be
    sent back. Browsers count loopback addresses as secure."""
    parts = urlsplit(public_url)
    return parts.scheme == "https" or parts.hostname in ("127.0.0.1", "localhost", "::1")


def app_shell() -> APIRouter:
    """The installable app's service worker (at the root, so it serves every page offline);
    its manifest is a page's (``/app.webmanifest``, in the page's language), its other files
    are ``/static``."""
    static = HERE / "static"
    shell = APIRouter(include_in_schema=False)

    @shell.get("/sw.js")
    async def service_worker() -> Response:
        return FileResponse(static / "sw.js", media_type="text/javascript",
                            headers={"Cache-Control": "no-cache"})

    return shell


def _install_handlers(runtime: Runtime) -> None:
    async def needs_sign_in(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NeedsSignIn)
        return _signed_out(request, ended=exc.ended)

    async def signed_out(request: Request, _: Exception) -> Response:
        return _signed_out(request, ended=True)

    async def stale_form(request: Request, _: Exception) -> Response:
        message = words(language(request)).gettext(
            "The form is out of date. Reload the page and send it again.")
        if wants_json(request):
            return JSONResponse({"message": message, "fields": {}}, status_code=403)
        return render(request, "error.html", None, status=403, message=message)

    async def not_your_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotYourPage)
        return back_to(exc.home)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        if wants_json(request):
            return refused_json(exc, language(request))
        return render(request, "error.html", None, status=exc.status,
                      message=plain(exc, language(request)).message)

    for kind, answer in ((NeedsSignIn, needs_sign_in), (SignedOut, signed_out),
                         (StaleForm, stale_form), (NotYourPage, not_your_page),
                         (Exception, _unexpected), (Refused, refused)):
        runtime.on_error(kind, answer)


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
