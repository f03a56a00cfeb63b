"""The event contracts of every service, by publisher. Importing this package registers
them all; their frozen JSON Schemas live in ``schemas/``."""

from shared.messaging.contracts import catalog, rating, registry, traceability

__all__ = ["catalog", "rating", "registry", "traceability"]
