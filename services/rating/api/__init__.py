"""The rating service's HTTP interface: criteria sets and tables, evaluations (rounds,
proposals, score sheets, results), certificates and their verification page, and the
annual summary."""

from services.rating.api import certificates, criteria, evaluations, summaries

ROUTERS = (criteria.router, evaluations.router, certificates.router, summaries.router)

__all__ = ["ROUTERS"]
