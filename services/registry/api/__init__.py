"""The registry's HTTP interface: sign-in and accounts, subjects (chủ thể) and their products,
dossiers, imports, the change history and the repairs reconciliation made."""

from services.registry.api import (
    accounts,
    dossiers,
    history,
    imports,
    operations,
    products,
    subjects,
)

ROUTERS = (accounts.router, subjects.router, products.router, dossiers.router, imports.router,
           history.router, operations.router)

__all__ = ["ROUTERS"]
