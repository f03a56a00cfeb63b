"""The traceability service's HTTP interface: the scan pages and label artwork, batches and
their origin records (forms, EPCIS capture and query), label sheets, scan analytics and
origin documents; the repairs reconciliation made."""

from services.traceability.api import documents, epcis, origin, printing, scan, scans
from services.traceability.api.deps import may
from shared.http.operations import repairs_router

ROUTERS = (scan.router, origin.router, epcis.router, printing.router, scans.router,
           documents.router, repairs_router(may), scan.compressed)
"""``scan.compressed`` (one path segment at the root) last: it shadows none of the others."""

__all__ = ["ROUTERS"]
