"""What operators read besides health and readiness, the same on every service that keeps
read models: the repairs reconciliation made to them — each an alarm that the bus lost an
event (``shared.messaging.repairs``). Each service mounts it behind its own access table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from shared.messaging.repairs import RepairsOut, repairs
from shared.platform.runtime import ServiceRuntime, runtime_of


def repairs_router(rule: Callable[[str], Mapping[str, Any]]) -> APIRouter:
    """``GET /operations/repairs``, gated by the service's ``repairs.read`` rule."""
    router = APIRouter(tags=["operations"])

    @router.get("/operations/repairs", summary="Repairs made by reconciliation (an alarm: "
                "the bus lost events this service should have had), their count and the "
                "latest", **rule("repairs.read"))
    async def list_repairs(runtime: Annotated[ServiceRuntime, Depends(runtime_of)]
                           ) -> RepairsOut:
        return await repairs(runtime.store)

    return router
