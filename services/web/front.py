"""What every page of the web front shares: the session, the language, the CSRF check, the
services' APIs and the templates, which say the catalog's words (``shared.i18n``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.web.backend import Backend, Refused
from services.web.clients.catalog import Catalog
from services.web.clients.rating import Rating
from services.web.clients.registry import Registry
from services.web.clients.traceability import Traceability
from services.web.plain import plain
from services.web.producer.workspace import STANDING_NAMES
from services.web.sessions import COOKIE, Sessions, WebSession
from shared.i18n import N_, install, words
from shared.i18n.language import LANGUAGE_NAMES, LANGUAGES
from shared.i18n.text import day_shown, moment_shown, number_shown
from shared.ocop.vocabulary import STEP_NAMES
from shared.platform.clock import Clock
from shared.platform.runtime import part

HERE = Path(__file__).parent
LANG_COOKIE = "ocop_lang"
CSRF_HEADER = "x-csrf-token"
WANTS_JSON = "application/json"


class NeedsSignIn(Exception):
    """No session (or an ended one): the person is sent to the sign-in page."""

    def __init__(self, *, ended: bool) -> None:
        super().__init__()
        self.ended = ended
        """The browser held a session that has ended (not a first visit)."""


class StaleForm(Exception):
    """A write whose CSRF token is missing or not the session's."""


class NotYourPage(Exception):
    """A page of another role's workspace: the person is sent to their own."""

    def __init__(self, home: str) -> None:
        super().__init__()
        self.home = home


HOMES = {"producer": "/", "admin": "/office", "commune_officer": "/commune",
         "council_member": "/council"}
"""Each role's workspace (a role not here has none: a sales channel calls with a key)."""
NAVIGATION = {
    "producer": (("/", N_("My products")), ("/products/new", N_("Register a product")),
                 ("/alerts", N_("Counterfeit alerts")), ("/notifications", N_("Notifications"))),
    "admin": (("/office", N_("Inbox")),
              ("/office/subjects", N_("Subjects")), ("/office/accounts", N_("Accounts")),
              ("/office/import", N_("Import from a spreadsheet")),
              ("/office/criteria", N_("Criteria tables")),
              ("/office/rounds", N_("Evaluation rounds")),
              ("/office/evaluations", N_("Evaluations")),
              ("/office/decisions", N_("Decisions")),
              ("/office/certificates", N_("Certificates")),
              ("/office/channels", N_("Sales channels")),
              ("/office/summary", N_("Annual summary")),
              ("/office/counterfeits", N_("Counterfeits")),
              ("/office/history", N_("History")),
              ("/notifications", N_("Notifications"))),
    "commune_officer": (("/commune", N_("The commune's products")),
                        ("/notifications", N_("Notifications"))),
    "council_member": (("/council", N_("To score")), ("/council/scored", N_("Scored")),
                       ("/notifications", N_("Notifications"))),
}
"""Each workspace's sections, in the order its menu shows them: the office's in the order of
its year (register, prepare the rating, decide, look back)."""


@dataclass
class WebFront:
    backend: Backend
    sessions: Sessions
    clock: Clock
    templates: Jinja2Templates
    secure_cookies: bool
    unread: Callable[[str], Awaitable[int]] = field(default=lambda person: _none())
    """How many of a person's notifications are unread (``notifications.queries``)."""

    def registry(self, token: str | None) -> Registry:
        """The registry's API with an account's token (none to sign in)."""
        return Registry(self.backend, token)

    async def certificate_pdf(self, token: str, certificate_id: str) -> Response:
        """A certificate's PDF as rating draws it today (stamped once no longer in force),
        passed on to the person who may read it, and kept by no cache on the way."""
        answer = await self.rating(token).certificate_pdf(certificate_id)
        return Response(answer.content, media_type="application/pdf", headers={
            "Content-Disposition": answer.headers.get("content-disposition", "inline"),
            "Cache-Control": "private, no-store"})

    def rating(self, token: str) -> Rating:
        return Rating(self.backend, token)

    def traceability(self, token: str) -> Traceability:
        return Traceability(self.backend, token)

    def catalog(self, token: str) -> Catalog:
        return Catalog(self.backend, token)


async def _none() -> int:
    return 0


front_of = part(WebFront)
"""The front's parts, as its runtime holds them (``Runtime.provide``)."""


Front = Annotated[WebFront, Depends(front_of)]


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "vi")
    return chosen if chosen in LANGUAGES else "vi"


async def visitor(request: Request) -> WebSession:
    key = request.cookies.get(COOKIE)
    session = await front_of(request).sessions.find(key)
    if session is None:
        raise NeedsSignIn(ended=bool(key))
    # the badge every page's header shows: one count per page
    request.state.unread = await front_of(request).unread(session.username)
    return session


Visitor = Annotated[WebSession, Depends(visitor)]


async def checked_visitor(request: Request) -> WebSession:
    """A signed-in person's write: its form (or the offline queue's request) carries the
    session's CSRF token."""
    session = await visitor(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = str((await request.form()).get("csrf") or "")
    if not session.accepts(sent):
        raise StaleForm
    return session


Writer = Annotated[WebSession, Depends(checked_visitor)]


def visitor_in(role: str) -> Callable[[Request], Awaitable[WebSession]]:
    """A page of ``role``'s workspace; anyone else is sent to their own."""
    async def of_role(request: Request) -> WebSession:
        session = await visitor(request)
        if session.role != role:
            raise NotYourPage(HOMES.get(session.role, "/sign-in"))
        return session
    return of_role


def writer_in(role: str) -> Callable[[Request], Awaitable[WebSession]]:
    """A write of ``role``'s workspace, with the session's CSRF token."""
    async def of_role(request: Request) -> WebSession:
        session = await checked_visitor(request)
        if session.role != role:
            raise NotYourPage(HOMES.get(session.role, "/sign-in"))
        return session
    return of_role


Producer = Annotated[WebSession, Depends(visitor_in("producer"))]
ProducerWriter = Annotated[WebSession, Depends(writer_in("producer"))]
Office = Annotated[WebSession, Depends(visitor_in("admin"))]
"""The provincial OCOP office (văn phòng điều phối OCOP tỉnh)."""
OfficeWriter = Annotated[WebSession, Depends(writer_in("admin"))]
CommuneOfficer = Annotated[WebSession, Depends(visitor_in("commune_officer"))]
"""A commune officer (cán bộ xã)."""
CommuneWriter = Annotated[WebSession, Depends(writer_in("commune_officer"))]
CouncilMember = Annotated[WebSession, Depends(visitor_in("council_member"))]
"""A council member (thành viên hội đồng đánh giá)."""
CouncilWriter = Annotated[WebSession, Depends(writer_in("council_member"))]


def wants_json(request: Request) -> bool:
    return WANTS_JSON in request.headers.get("accept", "")


NOTICES = {"password_changed": N_("Password changed. Your other devices were signed out."),
           "sheet_submitted": N_("Score sheet submitted. The draft on this tablet is cleared."),
           "proposed": N_("Pre-assessment recorded: the product is proposed to the province."),
           "held_back": N_("Pre-assessment recorded: the product is not proposed; see what it "
                           "lacks."),
           "change_sent": N_("Sent. The office reviews it before it applies."),
           "change_saved": N_("Change saved."),
           "uploaded_document": N_("The document is uploaded."),
           # the producer's annual cycle (producer/cycle.py)
           "product_registered": N_("The product is registered. Propose its product idea "
                                    "to the commune to start its annual cycle."),
           "stage_proposed": N_("Proposed. The page shows the decision and its note once "
                                "it is taken."),
           "product_submitted": N_("Submitted for evaluation: the council will score it."),
           "record_corrected": N_("Corrected. The scan page now shows the corrected record."),
           "evaluation_closed": N_("The evaluation is closed: its result is final."),
           "recognised": N_("Recognised. The certificate is ready to print."),
           "renewed": N_("Renewed: this is the new certificate."),
           "revoked": N_("The certificate is revoked. The producer and the scan page show "
                         "the reason."),
           # the office's inbox (office/inbox.py)
           "stage_accepted": N_("The stage is accepted. The producer sees it with your note."),
           "stage_returned": N_("The stage is returned to the producer with your note."),
           "identity_accepted": N_("The change is accepted: the product now carries it."),
           "identity_refused": N_("The change is refused. The producer sees your note."),
           # the office's registers (office/registration.py)
           "subject_registered": N_("The subject is registered."),
           "account_created": N_("The account is created: give the person its username "
                                 "and password."),
           "account_disabled": N_("The account is disabled: it can no longer sign in."),
           "account_enabled": N_("The account is enabled: it may sign in again."),
           # the office prepares the rating (office/rounds.py)
           "criteria_loaded": N_("The criteria table is loaded: evaluations opened from now "
                                 "on are scored on it."),
           "round_opened": N_("The round is opened with its council."),
           "evaluation_opened": N_("The evaluation is opened: the council may score it."),
           # the office's sales channels (office/channels.py)
           "channel_rescoped": N_("Saved: the channel now carries only what you chose."),
           "key_revoked": N_("The key is revoked: the channel can no longer call with it."),
           # each person's notifications (notifications/pages.py)
           "notification_read": N_("Marked as read."),
           "notifications_read": N_("All notifications are marked as read."),
           "notification_settings": N_("Your notification settings are saved.")}
"""What a page may announce after a form was taken (``?done=``)."""
ALERT_NAMES = {"copied_serial": N_("A code that looks copied"),
               "unknown_serial": N_("A code never printed"),
               "unknown_lot": N_("A lot that does not exist"),
               "consumer_report": N_("A shopper reported a code")}
"""A counterfeit alert's kind (traceability's anomalies)."""
CONFIDENCE_NAMES = {"low": N_("low confidence"), "medium": N_("medium confidence"),
                    "high": N_("high confidence")}


def render(request: Request, template: str, session: WebSession | None, status: int = 200,
           **context: Any) -> HTMLResponse:
    lang = language(request)
    front = front_of(request)
    done = request.query_params.get("done", "")
    return front.templates.TemplateResponse(request, template, {
        "lang": lang, "session": session,
        "csrf": session.csrf if session else "", "errors": {}, "form": {},
        "notice": words(lang).gettext(NOTICES[done]) if done in NOTICES else "",
        "path": request.url.path, **context}, status_code=status,
        headers={"Cache-Control": "private, no-cache", "Vary": "Cookie"})


def refused_json(refusal: Refused, lang: str, form: tuple[str, ...] = ()) -> Response:
    """A refusal for the page's script (the phone's queue, an upload): notes by form
    field."""
    said = plain(refusal, lang, form)
    return JSONResponse({"message": said.message, "fields": said.fields},
                        status_code=refusal.status)


def unit_name(code: str, lang: str) -> str:
    """A batch's UN/ECE unit as the page's reader writes it: litres and tonnes by the
    symbols the scan page writes them with."""
    said = words(lang)
    match code:
        case "KGM":
            return "kg"
        case "LTR":
            return said.pgettext("unit symbol", "L")
        case "TNE":
            return said.pgettext("unit symbol", "t")
        case "H87":
            return said.gettext("pieces")
    return code


def templates() -> Jinja2Templates:
    """The pages, in the catalog's words (``_()`` in the page's ``lang``), with every date
    written as people in Việt Nam write it (``day``: a date, dd/mm/yyyy; ``moment``: an
    instant, dd/mm/yyyy hh:mm in Việt Nam). The tables of names hold message ids, each
    said in the page's language where it is shown."""
    made = Jinja2Templates(HERE / "templates")
    install(made.env)
    made.env.filters |= {"day": day_shown, "moment": moment_shown, "unit": unit_name,
                          "number": number_shown}
    made.env.globals |= {"language_names": LANGUAGE_NAMES, "step_names": STEP_NAMES,
                         "standing_names": STANDING_NAMES, "alert_names": ALERT_NAMES,
                         "confidence_names": CONFIDENCE_NAMES, "navigation": NAVIGATION}
    return made


def back_to(path: str) -> RedirectResponse:
    """After a form is taken: the page to see it (303, so a reload does not send it again)."""
    return RedirectResponse(path, status_code=303)
