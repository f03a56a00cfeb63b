"""The registry's HTTP interface: sign-in and accounts, subjects (chủ thể) and their products,
dossiers, imports and the change history."""

from services.registry.api import accounts, dossiers, history, imports, products, subjects

ROUTERS = (accounts.router, subjects.router, products.router, dossiers.router, imports.router,
           history.router)

__all__ = ["ROUTERS"]
