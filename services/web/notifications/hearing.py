"""How the web front hears events: the services' consumer (inbox, retries, dead letters),
but each event that tells someone something is kept in the inbox under its own type as well
as its aggregate.

The inbox takes an event only if its sequence is newer than the last one held for its
aggregate. The registry's and the rating's events that tell people something share their
aggregate (the product) with the state events the front keeps (the product's name) while
counting in their own sequence: a stage decision carries its dossier's version, an identity
decision the same version as the ``ProductUpdated`` beside it. Under one key, either would
be taken for a repeat and dropped. Each kind counts on its own key instead; a notification's
deterministic id still makes a repeat change nothing."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from shared.messaging import EventConsumer, Outcome
from shared.messaging.events.envelope import Envelope


class KindKeyedConsumer(EventConsumer):
    """``EventConsumer`` whose inbox keys the events of ``told`` types by type and
    aggregate."""

    told: Collection[str] = ()

    def keyed(self, envelope: Envelope) -> Envelope:
        if envelope.type not in self.told:
            return envelope
        return replace(envelope, aggregate_id=f"{envelope.aggregate_id}#{envelope.type}")

    async def _apply_together(self, ready: Sequence[tuple[Envelope, str]]
                              ) -> tuple[int, int | None]:
        return await super()._apply_together([(self.keyed(e), t) for e, t in ready])

    async def process(self, envelope: Envelope, topic: str) -> Outcome:
        return await super().process(self.keyed(envelope), topic)
