"""What the commune officer's pages say: where each of the commune's products stands, and
the pre-assessment's criteria as the officer answers them. Plain functions on the services'
answers; the registry and the rating service keep every rule."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.web.backend import Refused
from services.web.clients.rating import CommuneProposal
from services.web.clients.registry import CommuneProduct
from shared.i18n import N_, in_every_language

STAGES = ("idea", "plan", "dossier")
STAGE_NAMES = {"idea": N_("Product idea"), "plan": N_("Business plan"),
               "dossier": N_("Dossier")}
STAGE_STATUS_NAMES = {"proposed": N_("waiting for a decision"), "accepted": N_("accepted"),
                      "rejected": N_("returned")}
CRITERIA = {
    "origin": N_("The product idea and its raw materials come from the locality"),
    "local_labour": N_("The product uses the locality's labour"),
    "idea": N_("The product idea is worth developing into an OCOP product"),
    "local_identity": N_("The product carries the locality's identity"),
}
"""What the commune pre-assesses from 6 July 2025 (Decision 1489/QĐ-TTg; the rating
service's ``POST /proposals``), each answered yes or no."""
PRE_ASSESSMENT_FORM = (*CRITERIA, "assessed_on", "notes")
STAGE_FORM = ("note",)
ANSWER = N_("Answer yes or no.")


@dataclass(frozen=True)
class Row:
    """One of the commune's products as its table shows it."""

    product: CommuneProduct
    subject: str
    stages: dict[str, str]
    proposal: CommuneProposal | None

    @property
    def standing(self) -> str:
        """Where it stands, as a catalog message: certified, expired or revoked; submitted
        for evaluation; proposed; or the stage it is at."""
        certification = self.product.certification
        if certification is not None:
            return {"certified": N_("Certified"), "expired": N_("Certificate expired"),
                    "revoked": N_("Certificate revoked")}.get(certification.status,
                                                              N_("Certified"))
        if self.proposal and self.proposal.evaluation_id:
            return N_("Proposed, in evaluation")
        if self.proposal and self.proposal.proposed:
            return N_("Proposed, waiting for the province")
        if self.product.status == "submitted":
            return N_("Submitted, waiting for the pre-assessment")
        for stage in STAGES:
            if self.stages.get(stage) != "accepted":
                return STAGE_NAMES[stage]
        return N_("Dossier accepted")


def latest_proposals(proposals: list[CommuneProposal]) -> dict[str, CommuneProposal]:
    """Each product's latest pre-assessment (the list comes oldest first)."""
    return {p.product_id: p for p in proposals}


def answers(form: dict[str, str]) -> dict[str, bool | None]:
    """Each criterion's yes/no as chosen (None: not answered, for the service to name)."""
    return {name: {"yes": True, "no": False}.get(form.get(name, "")) for name in CRITERIA}


def unanswered_said(refusal: Refused) -> Refused:
    """A criterion left unanswered is refused by the service in a validation library's words:
    the page asks for a yes or no instead."""
    told = in_every_language(ANSWER)
    fields = {path: ((told["en"], told["vi"]) if path in CRITERIA and not said[1] else said)
              for path, said in refusal.fields.items()}
    return replace(refusal, fields=fields)
