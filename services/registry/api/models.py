"""Field types the registry's request and answer models share, and what a patch
changes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from shared.http.fields import FreeText
from shared.refusals import N_, BadRequest

Title = Annotated[str, FreeText(100)]
Description = Annotated[str, FreeText(5000)]
ProvinceCode = Annotated[str, Field(pattern=r"^[0-9]{1,2}$", examples=["56"],
                                    description="Official code of the province or city "
                                                "(from 1 July 2025)")]
CommuneCode = Annotated[str, Field(pattern=r"^[0-9]{1,5}$", examples=["22714"],
                                   description="Official code of the commune, ward or "
                                               "special zone (from 1 July 2025)")]
FullName = Annotated[str, FreeText(200)]
Note = Annotated[str, FreeText(2000)]


def patch_changes(patch: BaseModel) -> dict[str, Any]:
    """The fields a patch sets; refused when it sets none."""
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if not changes:
        raise BadRequest(N_("Nothing to change: send at least one field."),
                         code="empty-change")
    return changes
