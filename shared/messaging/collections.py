"""The store collections that messaging keeps in every service's own store."""

from shared.ports.store import Collection

OUTBOX = Collection("_outbox")
"""Events written with the change that caused them, until the relay has published them.
Ids are time-ordered (UUIDv7), so id order is the order the changes were made."""

INBOX = Collection("_inbox")
"""Per aggregate (source|subject): the sequence of the newest event this service applied."""

DEAD_LETTERS = Collection("_dead_letters", indexes=("type", "failed_at"))
"""Events a handler could not apply after its retries, with the error."""

REPAIRS = Collection("_repairs", indexes=("at", "kind"))
"""What reconciliation repaired in this service's read models: each an alarm that the bus
lost an event this service should have had (``shared.messaging.repairs``)."""

SWEEPS = Collection("_sweeps")
"""Per reconciliation sweep, where its slices have got to (``shared.messaging.reconciliation``)."""

MESSAGING_COLLECTIONS = (OUTBOX, INBOX, DEAD_LETTERS, REPAIRS, SWEEPS)
