"""Each person's notifications in the workspace, whatever their role: the inbox (newest
first, unread marked, each with its link; mark one or all as read) and the settings (the
address e-mail goes to, its language, which kinds come by e-mail)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from services.web.front import Visitor, Writer, back_to, language, render
from services.web.notifications.commands import Notifier, PreferencesRefused
from services.web.notifications.queries import Inbox
from services.web.notifications.rules import kinds_told_to
from services.web.notifications.texts import KIND_NAMES, said
from shared.i18n import words
from shared.platform.runtime import part

router = APIRouter(include_in_schema=False)
Notifications = Annotated[Notifier, Depends(part(Notifier))]
Inboxes = Annotated[Inbox, Depends(part(Inbox))]


@router.get("/notifications", response_class=HTMLResponse)
async def inbox(request: Request, session: Visitor, inboxes: Inboxes,
                after: str | None = None) -> Response:
    lang = language(request)
    page = await inboxes.page(session.username, after=after)
    items = [(notification, said(notification, lang)) for notification in page.items]
    unread = getattr(request.state, "unread", 0)
    return render(request, "notifications/inbox.html", session, items=items,
                  next_cursor=page.next_cursor, unread=unread)


@router.post("/notifications/read-all", response_class=HTMLResponse)
async def read_all(session: Writer, notifier: Notifications) -> Response:
    await notifier.mark_all_read(session.username)
    return back_to("/notifications?done=notifications_read")


@router.post("/notifications/{notification_id}/read", response_class=HTMLResponse)
async def read_one(session: Writer, notifier: Notifications, notification_id: str) -> Response:
    await notifier.mark_read(session.username, notification_id)  # another's: nothing
    return back_to(f"/notifications?done=notification_read#n-{notification_id}")


@router.get("/notifications/settings", response_class=HTMLResponse)
async def settings(request: Request, session: Visitor, notifier: Notifications) -> Response:
    chosen = await notifier.preferences(session.username)
    return render(request, "notifications/settings.html", session, kinds=_kinds(session.role),
                  form={"email": chosen.email or "", "language": chosen.language,
                        "kinds": [kind.value for kind in chosen.by_email]})


@router.post("/notifications/settings", response_class=HTMLResponse)
async def save_settings(request: Request, session: Writer, notifier: Notifications,
                        email: Annotated[str, Form()] = "",
                        language_: Annotated[str, Form(alias="language")] = "vi",
                        kinds: Annotated[list[str] | None, Form()] = None) -> Response:
    try:
        await notifier.set_preferences(session.username, email, language_, kinds or [])
    except PreferencesRefused as refused:
        said_ = words(language(request))
        return render(request, "notifications/settings.html", session, status=422,
                      kinds=_kinds(session.role), errors={k: said_.gettext(v)
                                              for k, v in refused.fields.items()},
                      form={"email": email, "language": language_, "kinds": kinds or []})
    return back_to("/notifications/settings?done=notification_settings")


def _kinds(role: str) -> list[tuple[str, str]]:
    """The kinds this person's role is told of: only those are theirs to choose."""
    return [(kind.value, KIND_NAMES[kind]) for kind in kinds_told_to(role)]
