"""What the rating service's routes share: its parts and its gate."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.rating.access import RULES
from services.rating.certificates.commands import Certificates
from services.rating.criteria.commands import CriteriaTables
from services.rating.criteria.queries import LoadedTables
from services.rating.evaluations.commands import Rating
from services.rating.evaluations.queries import Evaluations
from services.rating.store import PRODUCTS, SUBJECTS
from services.rating.summaries.queries import Summaries
from shared.identity.access import Gate, path_owner
from shared.platform.runtime import part

RatingPart = Annotated[Rating, Depends(part(Rating))]
EvaluationsPart = Annotated[Evaluations, Depends(part(Evaluations))]
CertificatesPart = Annotated[Certificates, Depends(part(Certificates))]
TablesPart = Annotated[CriteriaTables, Depends(part(CriteriaTables))]
LoadedTablesPart = Annotated[LoadedTables, Depends(part(LoadedTables))]
SummariesPart = Annotated[Summaries, Depends(part(Summaries))]
gate = Gate(RULES, path_owner(lambda request: part(Rating)(request).store, PRODUCTS.name,
                              SUBJECTS.name))
may, visible = gate.rule, gate.visible
