"""The traceability service's collections and the fields each is queried on."""

from services.traceability.model import Label, TraceProfile
from shared.store import Collection
from shared.store.repository import Repository

PROFILES = Collection("profiles", indexes=("gtin",))
"""Trace profile per product: what the scan page shows, kept from the rating events."""
LABELS = Collection("labels")
"""Per product: its QR label, the URL it encodes and where its artwork is stored."""

FORMER_GTINS = Collection("former_gtins")
"""GTIN a product no longer carries → the product: labels printed with it still find it."""

COLLECTIONS = (PROFILES, LABELS, FORMER_GTINS)

profiles = Repository(PROFILES.name, TraceProfile, ("product", "sản phẩm"))
labels = Repository(LABELS.name, Label, ("label", "nhãn"))
