"""The rating service's collections and the fields each is queried on."""

from services.rating.certificates.model import Certificate, CertificateCounter, Recognition
from services.rating.evaluations.model import Evaluation, Proposal, Round, ScoreSheet
from shared.history import HISTORY
from shared.i18n import N_
from shared.ports.store import Collection
from shared.ports.store.repository import Repository

PRODUCTS = Collection("products", indexes=("subject_id", "status"))
"""Read model of the registry's products (kept from its events)."""
SUBJECTS = Collection("subjects", indexes=("province_key",))
"""Read model of the registry's subjects (with the province folded, for summaries)."""
PROPOSALS = Collection("proposals", indexes=("product_id", "subject_id", "commune_code",
                                              "proposed", "evaluation_id"))
"""Commune pre-assessments and proposals (đề xuất của xã), from 6 July 2025."""
ROUNDS = Collection("rounds", indexes=("year",))
"""Evaluation rounds (đợt đánh giá) and their councils (hội đồng) with members."""
CRITERIA_TABLES = Collection("criteria_tables", indexes=("key", "criteria_set", "version"))
"""Criteria tables per set and product group; one document per version, never changed."""
EVALUATIONS = Collection("evaluations", indexes=("product_id", "status", "round_id",
                                                  "certificate_id", "evaluation_date"))
SCORE_SHEETS = Collection("score_sheets", indexes=("evaluation_id", "member", "submitted_at"))
"""One per council member and evaluation: the id is '<evaluation>:<member>'."""
RECOGNITIONS = Collection("recognitions")
"""Per product: its current certificate. Its version orders the product's rating events."""
CERTIFICATES = Collection("certificates", indexes=("product_id", "subject_id", "number",
                                                   "status", "valid_until",
                                                   "decision_date", "reminded_months_left"))
"""``reminded_months_left``: the last reminder of its end sent, what the daily sweep asks
for with ``valid_until`` (``Certificates.remind_due``)."""
COUNTERS = Collection("counters")
ON_SALE = Collection("on_sale", indexes=("subject_id",))
"""Read model of the catalog's listings stream: per listed product, the sales channels it is
sold on (none once it is off the catalog)."""

COLLECTIONS = (PRODUCTS, SUBJECTS, PROPOSALS, ROUNDS, CRITERIA_TABLES, EVALUATIONS, SCORE_SHEETS,
               RECOGNITIONS, CERTIFICATES, COUNTERS, ON_SALE, HISTORY)
"""``HISTORY``: each office decision and each submitted score sheet, who and when
(``shared.history``)."""

# The aggregates of ``evaluations/model.py`` and ``certificates/model.py`` over their
# collections.
rounds = Repository(ROUNDS.name, Round, N_("round"))
proposals = Repository(PROPOSALS.name, Proposal, N_("proposal"))
evaluations = Repository(EVALUATIONS.name, Evaluation, N_("evaluation"))
score_sheets = Repository(SCORE_SHEETS.name, ScoreSheet, N_("score sheet"))
certificates = Repository(CERTIFICATES.name, Certificate, N_("certificate"))
recognitions = Repository(RECOGNITIONS.name, Recognition, N_("recognition"))
counters = Repository(COUNTERS.name, CertificateCounter, N_("counter"))
