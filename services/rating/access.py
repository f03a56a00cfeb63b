"""The rating service's access table: who may see and do what with evaluations and
certificates.

Certificates and the criteria are public: anyone may check a label's claim. Score sheets
are the council's; a product's results are also its producer's and its commune's.
"""

from __future__ import annotations

from shared.identity.access import ANYONE, Party

OFFICE = frozenset({Party.OFFICE})
STAFF = frozenset({Party.OFFICE, Party.COUNCIL})
"""The office and the council: evaluations with every member's score sheet, summaries."""

RULES: dict[str, frozenset[Party]] = {
    "criteria.read": ANYONE,
    "criteria.load": OFFICE,
    "criteria.template": OFFICE,  # the spreadsheet an office fills with a table
    "round.open": OFFICE,
    "round.read": STAFF,
    "proposal.make": frozenset({Party.OFFICE, Party.OWN_COMMUNE}),
    "proposal.read": frozenset({Party.OFFICE, Party.OWN_COMMUNE}),
    "evaluation.open": OFFICE,
    "evaluation.read": STAFF,
    # A council member lists only its councils' evaluations (and those outside rounds,
    # which any member scores). Not the commune: an evaluation does not keep its commune,
    # and the commune reads a product's results (result.read).
    "evaluation.list": STAFF,
    "evaluation.score": frozenset({Party.COUNCIL}),
    # A council member lists its own sheets; the office everyone's.
    "sheet.list": STAFF,
    "evaluation.close": OFFICE,
    "result.read": STAFF | {Party.OWNER, Party.OWN_COMMUNE},
    "certificate.read": ANYONE,
    "certificate.issue": OFFICE,
    "certificate.expire": OFFICE,
    "certificate.revoke": OFFICE,
    "summary.read": STAFF,
    "history": OFFICE,  # who decided what and when
}
