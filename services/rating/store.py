"""The rating service's collections and the fields each is queried on."""

from shared.store import Collection

PRODUCTS = Collection("products", indexes=("subject_id", "status"))
"""Read model of the registry's products (kept from its events)."""
SUBJECTS = Collection("subjects", indexes=("province_key",))
"""Read model of the registry's subjects (with the province folded, for summaries)."""
PROPOSALS = Collection("proposals", indexes=("product_id",))
"""Commune pre-assessments and proposals (đề xuất của xã), from 6 July 2025."""
ROUNDS = Collection("rounds", indexes=("year",))
"""Evaluation rounds (đợt đánh giá) and their councils (hội đồng) with members."""
CRITERIA_TABLES = Collection("criteria_tables", indexes=("key", "criteria_set", "version"))
"""Criteria tables per set and product group; one document per version, never changed."""
EVALUATIONS = Collection("evaluations", indexes=("product_id", "status", "round_id"))
SCORE_SHEETS = Collection("score_sheets", indexes=("evaluation_id",))
"""One per council member and evaluation: the id is '<evaluation>:<member>'."""
RECOGNITIONS = Collection("recognitions")
"""Per product: its current certificate. Its version orders the product's rating events."""
CERTIFICATES = Collection("certificates", indexes=("product_id", "subject_id", "number",
                                                   "status", "valid_until"))
COUNTERS = Collection("counters")

COLLECTIONS = (PRODUCTS, SUBJECTS, PROPOSALS, ROUNDS, CRITERIA_TABLES, EVALUATIONS, SCORE_SHEETS,
               RECOGNITIONS, CERTIFICATES, COUNTERS)
