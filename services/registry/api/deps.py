"""What the registry's routes share: its parts and its gate."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.registry.access import RULES
from services.registry.accounts.commands import Accounts
from services.registry.dossiers.commands import Dossiers
from services.registry.imports.commands import Imports
from services.registry.store import PRODUCTS, SUBJECTS
from services.registry.subjects.commands import Registry
from shared.identity.access import Gate, path_owner
from shared.platform.runtime import part

RegistryPart = Annotated[Registry, Depends(part(Registry))]
AccountsPart = Annotated[Accounts, Depends(part(Accounts))]
DossiersPart = Annotated[Dossiers, Depends(part(Dossiers))]
ImportsPart = Annotated[Imports, Depends(part(Imports))]
gate = Gate(RULES, path_owner(lambda request: part(Registry)(request).store, PRODUCTS.name,
                              SUBJECTS.name))
may, visible = gate.rule, gate.visible
