"""The catalog's access table: listings, feeds and the change log are public — shoppers and
sales channels read them without an account (a channel's API key narrows them to what the
office lets it carry); the office manages channels; a product's producer says where it is
sold and may take it off the catalog."""

from __future__ import annotations

from shared.identity.access import ANYONE, Party

RULES: dict[str, frozenset[Party]] = {
    "listing.read": ANYONE,
    "listing.withdraw": frozenset({Party.OWNER, Party.OFFICE}),
    "offer.write": frozenset({Party.OWNER, Party.OFFICE}),
    "channel.manage": frozenset({Party.OFFICE}),
    "channel.self": frozenset({Party.CHANNEL}),
    "events.describe": ANYONE,
    "repairs.read": frozenset({Party.OFFICE}),
}
