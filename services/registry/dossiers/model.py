"""A product's dossier (hồ sơ): its documents and its path through the annual cycle. Pure: no
I/O, the time is an argument."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from services.registry.dossiers import rules
from services.registry.dossiers.rules import WAITS_FOR, CycleStep, DocumentType, WaitingStage
from shared.files.content import same_file
from shared.identity.access import SubjectRef
from shared.identity.auth import Caller
from shared.messaging.contracts.registry import DossierStageDecided


class DossierDocument(TypedDict):
    """A document of a product's dossier: the file (``key`` in the object store), what it
    is, who added it and when."""

    id: str
    type: DocumentType
    key: str
    size: int
    content_type: str
    by: str
    at: str
    sha256: NotRequired[str]
    """Of the file's bytes (``key`` is named by it); documents added before it was kept
    have none."""


@dataclass
class Dossier:
    """A product's dossier (hồ sơ): its documents and its path through the annual cycle
    (idea → plan → dossier), each step with who moved it."""

    id: str
    """The product's id."""
    documents: list[DossierDocument] = field(default_factory=list)
    cycle: list[CycleStep] = field(default_factory=list)
    waiting: WaitingStage | None = None
    """The stage proposed and waiting for a decision, if any."""
    version: int = 0

    def add_document(self, entry: DossierDocument) -> DossierDocument:
        """``entry`` added, or the document of the same type and the same file (its
        ``sha256``) already in the dossier, and nothing changes: an upload sent again is
        the one document (``shared.files.content``). The same file as another type is a
        document of its own, naming the same stored object."""
        kept = same_file(self.documents, entry.get("sha256", ""), type=entry["type"])
        if kept is not None:
            return kept
        self.documents = [*self.documents, entry]
        return entry

    def document(self, document_id: str) -> DossierDocument | None:
        return next((d for d in self.documents if d["id"] == document_id), None)

    def missing(self, group: str) -> list[DocumentType]:
        """What the product's group requires and the dossier lacks (the checklist)."""
        return rules.missing_documents(group, {d["type"] for d in self.documents})

    def stages(self) -> dict[str, str]:
        return rules.stage_statuses(self.cycle)

    def move(self, by: Caller, owner: SubjectRef, group: str, *, stage: str, status: str,
             note: str, at: str, product_name: str) -> DossierStageDecided | None:
        """Propose, accept or reject a stage (``rules.check_cycle_move``). A decision is
        announced to the producer with its note (``product_name``: how it reads the
        product); a proposal is not (it is the producer's own)."""
        rules.check_cycle_move(by, owner, self.stages(), stage, status, self.missing(group))
        self.cycle = [*self.cycle, {"stage": stage, "status": status, "note": note,
                                    "by": by.user_id, "role": by.role.value, "at": at}]
        self.waiting = ({"stage": stage, "waiting_for": WAITS_FOR[stage],
                         "subject_id": owner.subject_id, "note": note, "by": by.user_id,
                         "at": at} if status == "proposed" else None)
        if status == "proposed":
            return None
        return DossierStageDecided.model_validate({
            "product_id": self.id, "subject_id": owner.subject_id,
            "product_name": product_name, "stage": stage, "status": status, "note": note,
            "decided_by": rules.decider(by).value, "decided_at": at})
