"""The platform's event contracts, one module per publishing service.

Importing this package registers every contract (see ``shared.events.contracts``)."""
