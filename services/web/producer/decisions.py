"""What the producer reads of the decisions taken on its product: each stage of the annual
cycle (idea → plan → dossier) with who decided it, when and the note they left, what to do
next when a stage came back, and the office's refusal of a change of identity. Plain
functions on the registry's answers (``GET /products/{id}/dossier``, the product)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.web.clients.registry import CycleStep, IdentityDecision
from shared.i18n import N_
from shared.platform.clock import VIETNAM

STAGES = ("idea", "plan", "dossier")
"""The annual cycle's stages, in order (the registry's ``STAGES``)."""
STAGE_NAMES = {"idea": N_("Product idea"), "plan": N_("Business plan"),
               "dossier": N_("Dossier")}
DECIDERS = {"admin": N_("the provincial OCOP office"), "commune_officer": N_("the commune")}
"""A decider's role → who decided, in words (never an account's name)."""
WAITS_FOR = {"idea": N_("the commune"), "plan": N_("the commune"),
             "dossier": N_("the provincial OCOP office")}
"""Whose queue a proposed stage is in (the registry's ``WAITS_FOR``)."""
SOMEONE = N_("the programme's officers")
"""Who decided, for a step recorded before the registry kept the decider's role."""
NEXT_STEPS = {
    "idea": N_("Rework the product idea as the note asks, then propose it again to the "
               "commune."),
    "plan": N_("Rework the business plan as the note asks, then propose it again to the "
               "commune."),
    "dossier": N_("Complete or correct the dossier's documents as the note asks, then "
                  "propose the dossier again to the provincial office."),
}
"""What the producer does next with a stage that came back (``rejected``)."""


@dataclass(frozen=True)
class StageState:
    """One stage as the producer's page shows it. ``status``: None (not proposed yet),
    proposed, accepted or rejected (returned); ``by``, ``on``, ``note``: the decision's,
    or the proposal's while it waits."""

    stage: str
    status: str | None
    by: str | None = None
    on: date | None = None
    note: str = ""

    @property
    def name(self) -> str:
        return STAGE_NAMES[self.stage]

    @property
    def returned(self) -> bool:
        return self.status == "rejected"

    @property
    def next_step(self) -> str | None:
        return NEXT_STEPS[self.stage] if self.returned else None


def day_of(stamp: str) -> date:
    """The day, in Việt Nam, of an instant the registry recorded."""
    return datetime.fromisoformat(stamp).astimezone(VIETNAM).date()


def stage_states(cycle: list[CycleStep]) -> list[StageState]:
    """Each stage's latest step: who decided it (or whose decision it waits for), when,
    and the note. None at all for a product that never entered the cycle here (one
    submitted on a dossier held on paper, say): nothing was decided to show."""
    if not cycle:
        return []
    latest = {step.stage: step for step in cycle}
    states = []
    for stage in STAGES:
        step = latest.get(stage)
        if step is None:
            states.append(StageState(stage, None))
        elif step.status == "proposed":
            states.append(StageState(stage, "proposed", WAITS_FOR[stage], day_of(step.at)))
        else:
            states.append(StageState(stage, step.status,
                                     DECIDERS.get(step.role or "", SOMEONE),
                                     day_of(step.at), step.note))
    return states


@dataclass(frozen=True)
class RefusedChange:
    """A change of identity the office refused: what was asked, when, and its note."""

    asked: list[str]
    on: date
    note: str


def refused_change(decision: IdentityDecision | None) -> RefusedChange | None:
    """The office's latest decision on a change of identity, when it refused it."""
    if decision is None or decision.approved:
        return None
    return RefusedChange([v for v in decision.changes.values() if v], day_of(decision.at),
                         decision.note)


@dataclass(frozen=True)
class CycleView:
    """The annual cycle as the product's page offers it: each stage's state, the one stage
    the producer may propose now (None: none), and whether the product may be submitted for
    evaluation. The registry keeps the rules; the page only offers what they would take."""

    stages: list[StageState]
    to_propose: str | None
    may_submit: bool


def cycle_view(product_status: str, cycle: list[CycleStep]) -> CycleView:
    """``product_status``: the registry's (draft, submitted). A product still in draft is
    shown its three stages even before its first proposal; one already submitted only the
    steps it went through (none for one submitted on a dossier held on paper)."""
    draft = product_status == "draft"
    states = stage_states(cycle) or ([StageState(s, None) for s in STAGES] if draft else [])
    to_propose = None
    if draft:
        for state in states:
            if state.status in (None, "rejected"):
                to_propose = state.stage
                break
            if state.status == "proposed":
                break
    dossier_accepted = bool(states) and states[-1].status == "accepted"
    return CycleView(states, to_propose, draft and dossier_accepted)
