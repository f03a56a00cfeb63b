"""The registry's collections and the fields each is queried on."""

from services.registry.accounts.model import User
from services.registry.dossiers.model import Dossier
from services.registry.subjects.model import Product, Subject
from shared.i18n import N_
from shared.ports.store import Collection
from shared.ports.store.repository import Repository

USERS = Collection("users", indexes=("role", "subject_id", "commune_code", "locality_problem",
                                     "disabled"))
"""Accounts; the id is the (lower-case) username."""
SUBJECTS = Collection("subjects", indexes=("code", "province", "commune_code",
                                           "locality_problem"))
"""``commune_code``: its commune's official code (``shared.ocop.localities``), which a commune
officer's lists are filtered on; with ``locality_problem``, what finds the records stored
before codes were kept (``Registry.keep_locality_codes``)."""
PRODUCTS = Collection("products", indexes=("subject_id", "status", "gtin", "identity_pending"))
"""``identity_pending``: a change of name, group or GTIN waits for the office."""
CLAIMS = Collection("claims")
"""Values that must be unique across documents ('gtin:…', 'subject-code:…'): inserting the
claim in the same transaction makes a duplicate fail on every store adapter."""

HISTORY = Collection("history", indexes=("entity_key", "entity", "by", "at"))
"""Every change to a user, subject or product: who, when, what (lịch sử thay đổi)."""

DOSSIERS = Collection("dossiers")
"""Per product: its documents and its path through the annual cycle (idea, plan, dossier)."""

SIGN_IN_FAILURES = Collection("sign_in_failures")
"""Recent failed sign-ins per username and address, per address and per minute (kept in
the store, so every replica sees them)."""

COLLECTIONS = (USERS, SUBJECTS, PRODUCTS, CLAIMS, HISTORY, DOSSIERS, SIGN_IN_FAILURES)

users = Repository(USERS.name, User, N_("account"))
subjects = Repository(SUBJECTS.name, Subject, N_("subject"))
products = Repository(PRODUCTS.name, Product, N_("product"))
dossiers = Repository(DOSSIERS.name, Dossier, N_("dossier"))
