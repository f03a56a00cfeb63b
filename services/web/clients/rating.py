"""The rating service's API as the pages call it: evaluations, certificates, summaries."""

from __future__ import annotations

from datetime import date

from services.web.clients import Answer, Client, Operation, Page


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
