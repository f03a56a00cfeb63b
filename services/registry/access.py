"""The registry's access table: who may read and change accounts, subjects and products.

A subject's record carries its representatives' phones and e-mails, and a product's
dossier its owner's papers: they are for the office, the council, the subject itself and
the officer of its own commune — not for other producers or other communes.
"""

from __future__ import annotations

from shared.identity.access import ANYONE, Party

OFFICE = frozenset({Party.OFFICE})
CONCERNED = frozenset({Party.OFFICE, Party.COUNCIL, Party.OWNER, Party.OWN_COMMUNE})
"""Those who deal with a subject's records: the office, the council, the subject's own
producer and its commune's officer."""
KEEPERS = frozenset({Party.OFFICE, Party.OWNER})
"""Those who keep a product's record: the office and the subject's own producer."""

RULES: dict[str, frozenset[Party]] = {
    "auth.sign_in": ANYONE,
    "auth.public_key": ANYONE,
    "account.own": frozenset({Party.SIGNED_IN}),
    "account.manage": OFFICE,
    "account.list": OFFICE,  # who holds which account is the office's to know, no commune's
    "subject.register": OFFICE,
    "subject.change": OFFICE,
    "subject.read": CONCERNED,
    "product.read": CONCERNED,
    "product.change": KEEPERS,
    "product.image": ANYONE,
    "product.cycle": KEEPERS | {Party.OWN_COMMUNE},
    "product.cycle.propose": KEEPERS,
    "product.cycle.decide": frozenset({Party.OFFICE, Party.OWN_COMMUNE}),
    "product.submit": KEEPERS,
    "product.identity.decide": OFFICE,
    "import": OFFICE,
    "import.template": OFFICE,  # the spreadsheet an office fills for an import
    "history": OFFICE,
    "repairs.read": OFFICE,
}

