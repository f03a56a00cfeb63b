"""The rating service's API as the pages call it: evaluations, certificates, summaries."""

from __future__ import annotations

from datetime import date

import httpx

from services.web.clients import Answer, Client, Operation, Page, Queue, Unread


class Certificate(Answer):
    number: str
    stars: int
    status: str
    decision_date: date
    valid_from: date
    valid_until: date


CERTIFICATES = Operation("rating", "GET", "/certificates", Page[Certificate])


class Rating(Client):
    async def certificates(self, product_id: str) -> Page[Certificate]:
        return await self.read(CERTIFICATES, params={"product_id": product_id})

    # -- the office's annual summary (models and operations at the end of the module) ------

    async def summary(self, year: int, province: str) -> Summary:
        """With the certificates expiring in the next ``SUMMARY_MONTHS`` months."""
        return await self.read(SUMMARY, str(year), params={
            "province": province, "expiring_within_months": SUMMARY_MONTHS})

    async def summary_file(self, year: int, province: str, format: str) -> httpx.Response:
        """The summary as a file (``xlsx``, ``pdf``), as the service sent it."""
        return await self.send(SUMMARY_FILE, str(year),
                               params={"province": province, "format": format})

    # -- the office's inbox (models and operations at the end of the module)

    async def inbox_proposals(self) -> Queue[InboxProposal]:
        return await self.read(INBOX_PROPOSALS, params={"proposed": "true",
                                                          "opened": "false", "limit": 200})

    async def inbox_expiring(self, months: int) -> Page[InboxCertificate]:
        return await self.read(INBOX_EXPIRING, params={"expiring_within_months": months,
                                                 "limit": 200})


# -- the office's inbox (services/web/office/inbox.py) ------------------------------------

class InboxProposal(Answer):
    id: str
    product_id: str
    commune_code: str | None
    assessed_on: date
    notes: str
    by: str
    at: str


class InboxCertificate(Answer):
    number: str
    product_id: str
    stars: int
    valid_until: date


INBOX_PROPOSALS = Operation("rating", "GET", "/proposals", Queue[InboxProposal])
INBOX_EXPIRING = Operation("rating", "GET", "/certificates", Page[InboxCertificate])


# -- the office's annual summary (services/web/office/summary.py) --------------------------

SUMMARY_MONTHS = 12
"""The certificates expiring within the next year, by month."""


class Tally(Answer):
    products: int
    subjects: int


class CommuneStars(Answer):
    commune: str
    products: int
    by_stars: dict[str, int]


class GroupStars(Answer):
    group: str
    name_vi: str
    name_en: str
    products: int
    by_stars: dict[str, int]


class Recognised(Tally):
    by_stars: dict[str, int]
    by_group: list[GroupStars]
    by_commune: list[CommuneStars]


class ExpiringCertificate(Answer):
    number: str
    product_name: str
    subject_name: str
    stars: int
    valid_until: date


class Expiring(Answer):
    within_months: int
    until: date
    certificates: list[ExpiringCertificate]


class Summary(Answer):
    year: int
    as_of: date
    registered: Tally
    recognised: Recognised
    expiring: Expiring


SUMMARY = Operation("rating", "GET", "/summaries/{year}", Summary)
SUMMARY_FILE = Operation("rating", "GET", "/summaries/{year}", Unread)
