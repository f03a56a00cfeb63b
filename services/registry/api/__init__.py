"""The registry's HTTP interface: sign-in and accounts, subjects (chủ thể) and their products,
dossiers, imports, the change history and the repairs reconciliation made."""

from services.registry.api import (
    accounts,
    dossiers,
    history,
    imports,
    products,
    subjects,
)
from services.registry.api.deps import may
from shared.http.operations import repairs_router

ROUTERS = (accounts.router, subjects.router, products.router, dossiers.router, imports.router,
           history.router, repairs_router(may))

__all__ = ["ROUTERS"]
