"""The web front's collections for notifications (beside its sign-in sessions)."""

from __future__ import annotations

from shared.ports.store import Collection

PEOPLE = Collection("notify_people", indexes=("subject_id", "role"))
"""Accounts as the registry's events say them (``model.Person``), by user id."""
PRODUCTS = Collection("notify_products", indexes=("subject_id",))
"""Each product's name and subject (the registry's product events): what a certificate's
revocation or expiry, which name neither, is told with."""
NOTIFICATIONS = Collection("notifications", indexes=("person", "unread", "created_at"),
                           compound=(("person", "created_at"), ("person", "unread")))
PREFERENCES = Collection("notify_preferences")
"""Each person's address, language and kinds by e-mail (``model.Preferences``), by user id."""
MAIL_QUEUE = Collection("mail_queue", indexes=("status", "due_at"),
                        compound=(("status", "due_at"),))
"""E-mail waiting to go (an outbox): written with the notification, sent by
``delivery.Delivery``; by notification id."""

COLLECTIONS = (PEOPLE, PRODUCTS, NOTIFICATIONS, PREFERENCES, MAIL_QUEUE)
