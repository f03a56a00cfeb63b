"""Who may call what: each service's access table and the gate that applies it.

A service declares one table (``services/<name>/access.py``): for each rule, the parties
that may act — who the caller is to the record (role × resource × own/other). Every route
names its rule through ``Gate.rule(...)``, which both guards the route (before its body is
read) and publishes the rule in the OpenAPI document as ``x-access``; the authorization
test walks every operation with every kind of caller and compares what happens with the
same table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from shared.i18n import listed
from shared.identity.auth import Caller, Role, bearer_scheme, current_caller
from shared.ocop.localities import known
from shared.ports.store import Reader, get_existing
from shared.refusals import N_, Forbidden


class Party(StrEnum):
    """Who a caller is to the record it asks for: the columns of an access table."""

    ANYONE = "anyone"
    """No sign-in needed (public pages, signing in itself)."""
    LINK_HOLDER = "link_holder"
    """Whoever holds a signed, unexpired file link: the link is the credential."""
    SIGNED_IN = "signed_in"
    """Any valid token (one's own account)."""
    OFFICE = "office"
    """The provincial OCOP office (role admin)."""
    COUNCIL = "council"
    """A council member (thành viên hội đồng)."""
    OWNER = "owner"
    """The producer of the record's subject (chủ thể)."""
    OWN_COMMUNE = "own_commune"
    """The commune officer (cán bộ xã) of the record's subject's commune: the same official
    commune code (``shared.ocop.localities``), never a name."""
    CHANNEL = "channel"
    """A registered online sales channel, calling with one of its API keys."""


ANYONE = frozenset({Party.ANYONE})
PUBLIC = frozenset({Party.ANYONE, Party.LINK_HOLDER})
"""Parties the gate asks nothing of (a signed link is checked by its route)."""
PLATFORM_RULES: dict[str, frozenset[Party]] = {
    "service.status": ANYONE,
    "file.link": frozenset({Party.LINK_HOLDER}),
}
"""The rules of the routes every service has (``shared.platform.runtime``): health and file
links."""

RELATIVE = frozenset({Party.OWNER, Party.OWN_COMMUNE})
"""Parties that depend on whose the record is, not only on the caller's role."""

_ROLE_PARTY = {Role.ADMIN: Party.OFFICE, Role.COUNCIL_MEMBER: Party.COUNCIL,
               Role.CHANNEL: Party.CHANNEL}
_RELATIVE_ROLE = {Party.OWNER: Role.PRODUCER, Party.OWN_COMMUNE: Role.COMMUNE_OFFICER}


class Scope(StrEnum):
    """Where a rule finds whose the record is."""

    NONE = "none"
    """The rule does not depend on it (public, or by role only)."""
    PATH = "path"
    """The record named in the path: checked before the request body is read."""
    BODY = "body"
    """The record the body names: the role is checked at once, the relation once the body
    is read (``Gate.check``)."""
    LIST = "list"
    """A list: each caller sees the records its parties allow (``Gate.visible``)."""


@dataclass(frozen=True)
class SubjectRef:
    """Whose a record is: its subject (chủ thể) and the subject's locality, by its official
    commune code when the record keeps it, else by the names it keeps."""

    subject_id: str
    province: str
    commune: str
    commune_code: str | None = None

    @classmethod
    def of(cls, subject_id: str, subject: Mapping[str, Any]) -> SubjectRef:
        """From a stored subject (its ``province``, ``commune`` and ``commune_code``)."""
        return cls(subject_id, str(subject["province"]), str(subject["commune"]),
                   subject.get("commune_code"))

    @property
    def commune_known(self) -> str | None:
        """Its commune's code: the one kept, or the one its names name without doubt
        (records and events from before codes were kept); None if they name none."""
        if self.commune_code:
            return self.commune_code
        found = known(self.province, self.commune)
        return found.commune_code if found else None


@dataclass(frozen=True)
class Visibility:
    """What of a list a caller sees: everything, one subject's records, or one commune's
    (by its official code)."""

    everything: bool = False
    subject_id: str | None = None
    commune_code: str | None = None


def parties_of(caller: Caller | None, record: SubjectRef | None = None) -> frozenset[Party]:
    """The parties ``caller`` holds towards ``record`` (none: towards no record in particular)."""
    if caller is None:
        return frozenset({Party.ANYONE})
    if caller.role is Role.CHANNEL:  # an API key, not an account: never "signed in"
        return frozenset({Party.ANYONE, Party.CHANNEL})
    held = {Party.ANYONE, Party.SIGNED_IN}
    if caller.role in _ROLE_PARTY:
        held.add(_ROLE_PARTY[caller.role])
    if record is not None:
        if caller.owns_subject(record.subject_id):
            held.add(Party.OWNER)
        if (caller.role is Role.COMMUNE_OFFICER and caller.commune
                and caller.commune == record.commune_known):
            held.add(Party.OWN_COMMUNE)
    return frozenset(held)


def may_hold(caller: Caller, parties: frozenset[Party]) -> bool:
    """Whether ``caller``'s role could hold one of ``parties`` towards some record."""
    return bool(parties_of(caller) & parties) or any(
        _RELATIVE_ROLE[p] is caller.role for p in parties & RELATIVE)


Locate = Callable[[Request], Awaitable[SubjectRef]]
Identify = Callable[[Request], Awaitable[Caller | None]]
"""Who calls with a credential other than a token (a sales channel's API key), or None
when the request carries none; Unauthorized for a bad one."""


def path_owner(store_of: Callable[[Request], Reader], products: str, subjects: str) -> Locate:
    """A ``Locate`` for a service keeping products and subjects (its own, or read models of
    the registry's): the subject named in the path (``subject_id``), or the subject of the
    product named there (``product_id``)."""

    async def locate(request: Request) -> SubjectRef:
        reader = store_of(request)
        subject_id = request.path_params.get("subject_id")
        if subject_id is None:
            product = await get_existing(reader, products, request.path_params["product_id"],
                                         N_("product"))
            subject_id = product.data["subject_id"]
        subject = await get_existing(reader, subjects, subject_id, N_("subject"))
        return SubjectRef.of(subject.id, subject.data)

    return locate
"""Whose the record named in a request's path is (NotFound if there is none)."""

_PARTY_NAMES = {Party.ANYONE: N_("anyone"),
                Party.LINK_HOLDER: N_("a signed link"),
                Party.SIGNED_IN: N_("any signed-in user"),
                Party.OFFICE: N_("the OCOP office"),
                Party.COUNCIL: N_("council members"),
                Party.OWNER: N_("the subject's own producer"),
                Party.OWN_COMMUNE: N_("the officer of the subject's commune"),
                Party.CHANNEL: N_("a sales channel with its API key")}


def refusal(parties: frozenset[Party]) -> Forbidden:
    return Forbidden(N_("You may not do this; it is for: %(who)s."), code="not-permitted",
                     who=listed([_PARTY_NAMES[p] for p in Party if p in parties]))


def published(name: str, parties: frozenset[Party], scope: Scope = Scope.NONE
              ) -> dict[str, Any]:
    """A route's ``openapi_extra``: its rule as ``x-access`` in the OpenAPI document."""
    return {"x-access": {"rule": name, "scope": scope.value,
                         "parties": [p.value for p in Party if p in parties]}}


def check(parties: frozenset[Party], caller: Caller, record: SubjectRef) -> None:
    """Forbidden unless ``caller`` holds one of ``parties`` towards ``record``."""
    if not parties_of(caller, record) & parties:
        raise refusal(parties)


class Gate:
    """A service's access table at work: guards routes and narrows lists."""

    def __init__(self, table: Mapping[str, frozenset[Party]], locate: Locate | None = None,
                 identify: Identify | None = None) -> None:
        self.table = {**PLATFORM_RULES, **table}
        self._locate = locate
        self._identify = identify

    def rule(self, name: str, scope: Scope = Scope.NONE, *,
             openapi_extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Keyword arguments for a route decorator: the guard and its ``x-access`` entry
        (added to the route's own ``openapi_extra``, if it has one)."""
        parties = self.table[name]
        if parties & RELATIVE and scope is Scope.NONE:
            raise ValueError(f"rule {name} depends on whose the record is: give its scope")
        if scope is Scope.PATH and self._locate is None:
            raise ValueError(f"rule {name} is checked on the path's record: give a locate")

        extra = {**(openapi_extra or {}), **published(name, parties, scope)}
        if parties & PUBLIC:  # no guard, so no token read (nor in the OpenAPI document)
            return {"openapi_extra": extra}

        async def guard(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None,
                                               Depends(bearer_scheme)]) -> None:
            caller = await self._identify(request) if self._identify else None
            if caller is None:
                caller = await current_caller(request, credentials)
            if parties_of(caller) & parties:
                return
            if not may_hold(caller, parties):
                raise refusal(parties)
            if scope is Scope.PATH:
                assert self._locate is not None
                check(parties, caller, await self._locate(request))

        return {"dependencies": [Depends(guard)], "openapi_extra": extra}

    def visible(self, name: str, caller: Caller) -> Visibility:
        """What of a list the rule lets ``caller`` see."""
        parties = self.table[name]
        if parties_of(caller) & parties:
            return Visibility(everything=True)
        if Party.OWNER in parties and caller.role is Role.PRODUCER and caller.subject_id:
            return Visibility(subject_id=caller.subject_id)
        if Party.OWN_COMMUNE in parties and caller.role is Role.COMMUNE_OFFICER and caller.commune:
            return Visibility(commune_code=caller.commune)
        raise refusal(parties)

