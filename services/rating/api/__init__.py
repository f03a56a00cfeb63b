"""The rating service's HTTP interface: criteria sets and tables, evaluations (rounds,
proposals, score sheets, results), certificates and their verification page, the
annual summary and the history of the office's decisions."""

from services.rating.api import certificates, criteria, evaluations, history, summaries

ROUTERS = (criteria.router, evaluations.router, certificates.router, summaries.router,
           history.router)

__all__ = ["ROUTERS"]
