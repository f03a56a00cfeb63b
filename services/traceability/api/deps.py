"""What the traceability service's routes share: the gate that says who may act on a
batch, a label sheet or a certified product."""

from __future__ import annotations

from fastapi import Request

from services.traceability.access import RULES
from services.traceability.store import batches, named_queries, profiles, sheets
from shared.identity.access import Gate, SubjectRef
from shared.platform.runtime import runtime_of
from shared.refusals import N_, NotFound


async def whose(request: Request) -> SubjectRef:
    """The producer of the batch, the label sheet, the certified product or the named
    query the path names."""
    store = runtime_of(request).store
    if "name" in request.path_params:  # a named EPCIS query: its producer's subject's
        named = await named_queries.get_or_none(store, request.path_params["name"])
        # None: the office's (only the office passes; the handler says there is none)
        return SubjectRef((named.subject_id if named else None) or "", "", "")
    if "sheet_id" in request.path_params:
        sheet = await sheets.get(store, request.path_params["sheet_id"])
        batch = await batches.get(store, sheet.batch_id)
        return SubjectRef(batch.subject_id, batch.province, batch.commune)
    if "batch_id" in request.path_params:
        batch = await batches.get(store, request.path_params["batch_id"])
        return SubjectRef(batch.subject_id, batch.province, batch.commune)
    profile = await profiles.get(store, request.path_params["product_id"])
    if profile.subject is None:
        raise NotFound(N_("The product is not OCOP-certified: it has no batches."))
    return SubjectRef(profile.subject.id, profile.subject.province, profile.subject.commune)


gate = Gate(RULES, whose)
may = gate.rule
