"""GTINs (mã số mã vạch): GS1's trade item numbers, read the one way every service reads
them."""

from __future__ import annotations

import re

from stdnum import ean
from stdnum.exceptions import ValidationError as NumberInvalid

_DIGITS = re.compile(r"^(?:[0-9]{8}|[0-9]{12,14})$")


def gtin14(value: str) -> str | None:
    """A GTIN-8, -12, -13 or -14 as the 14 digits GS1 Digital Link uses (left-padded with
    zeros, as GS1's parsers do: a Vietnamese EAN-13 "893…" stands for "0893…"); None if it
    is not one (other lengths, not digits, a wrong check digit). All zeros is well formed
    but no product's: a registry refuses it, a resolver finds nothing."""
    if not _DIGITS.match(value):
        return None
    try:
        ean.validate(value)
    except NumberInvalid:
        return None
    return value.zfill(14)
