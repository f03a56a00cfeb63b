"""The registry's collections and the fields each is queried on."""

from typing import Any

from services.registry.accounts.model import User
from services.registry.dossiers.model import Dossier
from services.registry.subjects.model import Product, Subject
from shared.history import HISTORY
from shared.i18n import N_
from shared.identity.access import Visibility
from shared.ports.store import Collection, Reader, find_all
from shared.ports.store.repository import Repository

USERS = Collection("users", indexes=("role", "subject_id", "commune_code", "locality_problem",
                                     "disabled"))
"""Accounts; the id is the (lower-case) username."""
SUBJECTS = Collection("subjects", indexes=("code", "province", "commune_code",
                                           "locality_problem"))
"""``commune_code``: its commune's official code (``shared.ocop.localities``), which a commune
officer's lists are filtered on; with ``locality_problem``, what finds the records stored
before codes were kept (``Registry.keep_locality_codes``)."""
PRODUCTS = Collection("products", indexes=("subject_id", "status", "gtin", "identity_pending",
                                           "certification.status"))
"""``identity_pending``: a change of name, group or GTIN waits for the office;
``certification.status``: certified, expired, revoked, or none (never certified)."""
CLAIMS = Collection("claims")
"""Values that must be unique across documents ('gtin:…', 'subject-code:…'): inserting the
claim in the same transaction makes a duplicate fail on every store adapter."""

DOSSIERS = Collection("dossiers", indexes=("waiting.waiting_for", "waiting.subject_id",
                                           "waiting.at"))
"""Per product: its documents and its path through the annual cycle (idea, plan, dossier);
``waiting``: the stage proposed and not yet decided, the queues' field."""

SIGN_IN_FAILURES = Collection("sign_in_failures")
"""Recent failed sign-ins per username and address, per address and per minute (kept in
the store, so every replica sees them)."""

COLLECTIONS = (USERS, SUBJECTS, PRODUCTS, CLAIMS, HISTORY, DOSSIERS, SIGN_IN_FAILURES)
"""``HISTORY``: every change to a user, subject, product or dossier (``shared.history``)."""

users = Repository(USERS.name, User, N_("account"))
subjects = Repository(SUBJECTS.name, Subject, N_("subject"))
products = Repository(PRODUCTS.name, Product, N_("product"))
dossiers = Repository(DOSSIERS.name, Dossier, N_("dossier"))


async def subjects_shown(reader: Reader, visibility: Visibility, subject_id: str | None = None,
                         commune_code: str | None = None) -> Any:
    """The condition on a record's ``subject_id`` that keeps a list to what ``visibility``
    shows and, if asked, to one subject's or one commune's records; None: no condition."""
    communes = {code for code in (visibility.commune_code, commune_code) if code}
    ids: set[str] | None = None
    if len(communes) > 1:  # another commune than the officer's own: nothing of it shows
        ids = set()
    elif communes:
        ids = {d.id async for d in find_all(reader, SUBJECTS.name,
                                            {"commune_code": communes.pop()})}
    for one in (visibility.subject_id, subject_id):
        if one:
            ids = {one} if ids is None else ids & {one}
    if ids is None:
        return None
    return next(iter(ids)) if len(ids) == 1 else {"$in": sorted(ids)}
