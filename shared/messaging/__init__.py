"""Reliable messaging on top of the store and bus ports: outbox, relay, inbox, dead letters.

All of it is written against the ports only, so every store adapter gets the same
guarantees without code of its own.
"""

from shared.messaging.collections import DEAD_LETTERS, INBOX, MESSAGING_COLLECTIONS, OUTBOX
from shared.messaging.consumer import EventConsumer, EventHandler, Outcome, RetryPolicy
from shared.messaging.outbox import Outbox
from shared.messaging.relay import OutboxRelay

__all__ = [
    "DEAD_LETTERS", "INBOX", "MESSAGING_COLLECTIONS", "OUTBOX", "EventConsumer", "EventHandler",
    "Outbox", "OutboxRelay", "Outcome", "RetryPolicy",
]
