"""Answers several of the rating service's routes share."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel


class PartMaximaOut(BaseModel):
    """Each part's maximum points under a criteria set."""

    part_a: int
    part_b: int
    part_c: int


def per_part(values: Mapping[str, float]) -> dict[str, float]:
    return {f"part_{p.lower()}": v for p, v in values.items()}


class CriterionOut(BaseModel):
    code: str
    part: str
    name_vi: str
    name_en: str
    maximum: float
