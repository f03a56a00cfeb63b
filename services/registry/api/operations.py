"""What operators read besides health and readiness: the repairs reconciliation made to
this service's read models — each an alarm that the bus lost an event
(``shared.messaging.repairs``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.registry.api.deps import may
from shared.messaging.repairs import RepairsOut, repairs
from shared.platform.runtime import ServiceRuntime, runtime_of

router = APIRouter(tags=["operations"])


@router.get("/operations/repairs", summary="Repairs made by reconciliation (an alarm: the "
            "bus lost events this service should have had), their count and the latest",
            **may("repairs.read"))
async def list_repairs(runtime: Annotated[ServiceRuntime, Depends(runtime_of)]) -> RepairsOut:
    return await repairs(runtime.store)
