"""The EPCIS 2.0 query interface (REST binding): the events query with the standard's
query parameters (``origin/query.py`` reads them; ``origin/queries.py`` answers them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from services.traceability.api.deps import may
from services.traceability.api.origin import EpcisQueryDocument, EpcisResponse
from services.traceability.origin.queries import Histories
from services.traceability.origin.query import (
    CBV_VERSION,
    EPCIS_VERSION,
    PARAMETERS,
    QUERY_PARAMETER_EXCEPTION,
    read_query,
)
from shared.platform.runtime import part

HistoriesPart = Annotated[Histories, Depends(part(Histories))]
router = APIRouter(tags=["epcis"])
VERSIONS = {"GS1-EPCIS-Version": EPCIS_VERSION, "GS1-CBV-Version": CBV_VERSION}
"""The versions of the standards every EPCIS answer says it speaks."""


def _parameters() -> list[dict[str, Any]]:
    """The query's parameters in its OpenAPI document (they are read from the URL as the
    standard writes them: lists comma-separated, a parameter possibly repeated)."""
    return [{"name": name, "in": "query", "required": False, "description": description,
             "schema": {"type": "string", "maxLength": 2000}}
            for name, description in PARAMETERS.items()]


@router.get("/epcis/events",
            summary="EPCIS 2.0 events query (SimpleEventQuery): an EPCISQueryDocument",
            description="The standard's query parameters: AND across parameters, OR within "
                        "a comma-separated list. A parameter the query does not take, or "
                        f"cannot read, is refused with a {QUERY_PARAMETER_EXCEPTION} "
                        "problem. Pages: perPage, and the Link header's rel=\"next\".",
            response_class=EpcisResponse,
            responses={413: {"description": "The query names too many events "
                                            "(QueryTooLargeException)",
                             "content": {"application/problem+json": {"schema": {
                                 "$ref": "#/components/schemas/Problem"}}}}},
            **may("origin.read", openapi_extra={"parameters": _parameters()}))
async def query_events(histories: HistoriesPart, request: Request,
                       response: Response) -> EpcisQueryDocument:
    query = read_query(request.query_params.multi_items())
    document, following = await histories.select(query)
    response.headers.update(VERSIONS)
    if following is not None:
        url = request.url.include_query_params(nextPageToken=following.token())
        response.headers["Link"] = f'<{url}>; rel="next"'
    return EpcisQueryDocument.model_validate(document)
