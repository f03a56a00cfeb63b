"""Reading evaluations back: one with its score sheets, a product's results, and the
product an evaluation is about, from the registry's read model."""

from __future__ import annotations

from dataclasses import dataclass

from services.rating.evaluations.model import Evaluation, EvaluationStatus, ScoreSheet
from services.rating.store import PRODUCTS, evaluations, score_sheets
from shared.ports.store import Document, DocumentStore, Reader
from shared.refusals import N_, NotFound


async def known_product(reader: Reader, product_id: str) -> Document:
    product = await reader.get(PRODUCTS.name, product_id)
    if product is None:
        raise NotFound(N_("The rating service knows no product '%(product)s'. If it was "
                          "just registered, try again in a moment."),
                       code="product-unknown", product=product_id)
    return product


@dataclass
class Evaluations:
    """An evaluation with its score sheets, and a product's results."""

    store: DocumentStore

    async def evaluation(self, evaluation_id: str) -> tuple[Evaluation, list[ScoreSheet]]:
        return (await evaluations.get(self.store, evaluation_id),
                await score_sheets.find(self.store, {"evaluation_id": evaluation_id}))

    async def results(self, product_id: str) -> list[Evaluation]:
        """A product's closed evaluations, oldest first."""
        await known_product(self.store, product_id)
        closed = await evaluations.find(self.store, {"product_id": product_id,
                                                     "status": EvaluationStatus.CLOSED.value})
        return sorted(closed, key=lambda e: e.evaluation_date)
