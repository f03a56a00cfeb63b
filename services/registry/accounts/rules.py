"""Account rules: what a username and a password must be, how an account is bound to a
subject or a commune, and how failed sign-ins slow the guesser. Pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from services.registry.accounts.passwords import Weakness, weakness
from shared.identity.auth import Caller, Role
from shared.refusals import N_, Conflict, Term, TooManyRequests, Unauthorized, invalid

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 10


# --- sign-in throttling -------------------------------------------------------------------
# Brute force is slowed where it comes from, never by locking an account: a stranger who
# guesses the office's password from one address slows only that address, and the office
# signs in from its own. Counts live in the store, so every replica sees them.

FREE_FAILURES_PER_PAIR = 5
"""Failed sign-ins of one username from one address before each further try waits."""
FREE_FAILURES_PER_ADDRESS = 20
"""Failed sign-ins from one address, whatever the usernames (password spraying)."""
FAILURE_WINDOW = timedelta(hours=1)
"""A quiet hour forgets the failures before it; longer than the longest wait."""
LONGEST_WAIT = timedelta(minutes=15)
FAILED_SIGN_INS_PER_MINUTE = 300
"""The whole service's ceiling: past it, addresses that failed recently wait out the minute
(a distributed attack), while addresses without failures still sign in."""


def failure_key(kind: str, *parts: str) -> str:
    return f"{kind}:" + "|".join(parts)


def minute_key(now: datetime) -> str:
    return failure_key("minute", now.strftime("%Y-%m-%dT%H:%M"))


def after_failed_sign_in(held: dict[str, Any] | None, now: datetime,
                         free: int) -> dict[str, Any]:
    """One more failure: while failures keep coming (each within the window of the one
    before), each past ``free`` doubles the wait before the next try (1 s, 2 s, 4 s … at
    most 15 minutes); a quiet window starts the count again."""
    recent = (held if held and now - datetime.fromisoformat(held["last_at"]) < FAILURE_WINDOW
              else None)
    count = (recent["count"] if recent else 0) + 1
    wait = (min(timedelta(seconds=2 ** min(count - free - 1, 20)), LONGEST_WAIT)
            if count > free else timedelta(0))
    return {"count": count, "last_at": now.isoformat(),
            "retry_at": (now + wait).isoformat() if wait else None}


def check_may_try(held: list[dict[str, Any] | None], now: datetime, busy_minute: bool,
                  address_failed: bool) -> None:
    """Refuse a sign-in attempt while any of its counters (this username from this
    address, this address) says to wait, or during a minute of too many failures for an
    address that failed recently."""
    waits = [datetime.fromisoformat(h["retry_at"]) for h in held
             if h and h.get("retry_at") and now < datetime.fromisoformat(h["retry_at"])]
    if busy_minute and address_failed:
        waits.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
    if waits:
        seconds = max(1, int((max(waits) - now).total_seconds() + 0.999))
        raise SignInThrottled(seconds)


class SignInThrottled(TooManyRequests):
    def __init__(self, seconds: int) -> None:
        super().__init__(
            N_("Too many failed sign-ins from your address; try again in %(seconds)s s."),
            code="sign-in-throttled", seconds=seconds)
        self.retry_after = seconds


class SignInRefused(Unauthorized):
    """One answer for an unknown username, a wrong password and a disabled account: a
    guesser who tried a disabled account's right password must not learn that it was."""

    def __init__(self) -> None:
        super().__init__(
            N_("Wrong username or password, or the account is disabled (ask the provincial "
               "office)."), code="login-failed")


def check_may_set_access(caller: Caller, username: str, disabled: bool) -> None:
    """An admin never disables its own account: the office would lock itself out."""
    if disabled and caller.user_id == username:
        raise Conflict(N_("You cannot disable your own account; ask another admin."),
                       code="own-account")


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise invalid("username", N_("use 3–64 letters, digits, '.', '_' or '-', starting "
                                     "with a letter or digit"))
    return name


CHOOSE_INSTEAD = N_("choose instead three or four words that go together for you alone (a "
                     "place, a dish, a person you remember), with spaces or dashes between "
                     "them")
"""No example to copy: an example printed here would soon be a common password."""
WEAKNESSES = {
    Weakness.COMMON: N_("is one of the passwords people choose most often, which guessers "
                        "try first"),
    Weakness.TRIVIAL: N_("is one character or group repeated, or a run of letters, digits or "
                         "keys (such as 'aaaa', 'abcabc', '1234', 'qwerty')"),
    Weakness.USERNAME: N_("is the username, or built on it"),
}


def check_password(password: str, username: str, field: str = "password") -> None:
    """Long enough, and not easy to guess (``passwords.weakness``) for ``username``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid(field, N_("use at least %(least)s characters"),
                      least=MIN_PASSWORD_LENGTH)
    found = weakness(password, username)
    if found is not None:
        raise invalid(field, N_("%(weakness)s; %(instead)s"), weakness=Term(WEAKNESSES[found]),
                      instead=Term(CHOOSE_INSTEAD))


def check_account_binding(role: Role, subject_id: str | None,
                          commune: str | None = None, province: str | None = None) -> None:
    """A producer account belongs to exactly one subject, a commune officer to one commune
    of a province; other roles to neither. Sales channels sign in with the catalog's API
    keys, never with an account."""
    if role is Role.CHANNEL:
        raise invalid("role", N_("a sales channel is registered in the catalog (POST "
                                 "/channels), which gives it API keys; it has no account here"))
    if role is Role.COMMUNE_OFFICER and not (commune and province):
        raise invalid("commune", N_("a commune officer's account names its commune and "
                                    "province"))
    if role is not Role.COMMUNE_OFFICER and (commune or province):
        raise invalid("commune", N_("only commune officers are bound to a commune, not "
                                    "%(role)s"), role=role)
    if role is Role.PRODUCER and not subject_id:
        raise invalid("subject_id", N_("a producer account needs the subject it acts for"))
    if role is not Role.PRODUCER and subject_id:
        raise invalid("subject_id", N_("only producer accounts are bound to a subject, not "
                                       "%(role)s"), role=role)
