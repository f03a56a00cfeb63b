"""GS1 Digital Link compression, the decompressing half: a compressed Digital Link's path
(``https://id.example/CxBAeuyU6sqYX2-o``) back to its GS1 Application Identifiers
(``{"01": "08934563138165", "10": "TC-31"}``), as GS1 Digital Link URI Syntax defines it
and GS1's own toolkit implements it (``GS1DigitalLinkToolkit.decompressBinaryToGS1AIarray``:
its tables are in ``compression_tables``, written out from the toolkit's). Pure.

The path is URI-safe base64 of a bit string; from its start, while more than 8 bits are
left: two hex digits h1h2 either begin an AI (00-99: ``AI_LENGTH`` says how many digits it has)
whose value follows in its format (``FORMATS``: fixed or variable length, numeric as a binary
number, alphanumeric with a 3-bit encoding: digits, lower or upper hex, URI-safe base64 or
7-bit ASCII), or name a sequence of AIs (``SEQUENCES``), or (``F…``) a key=value pair that is
not GS1's. Anything else is not a compressed Digital Link: ``NotCompressed``."""

from __future__ import annotations

import math
import re

from services.traceability.scans.compression_tables import AI_LENGTH, FORMATS, SEQUENCES

SAFE_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HEX = "0123456789ABCDEF"
SEGMENT = re.compile(r"^[A-Za-z0-9_-]{4,}$")
MAX_SEGMENT = 400
"""Longer than any compressed Digital Link a label carries (a QR code's URL)."""


class NotCompressed(ValueError):
    """The segment is not a compressed GS1 Digital Link."""


def _length_bits(max_length: int) -> int:
    return math.ceil(math.log2(max_length) + 0.01)


def _value_bits(digits: int) -> int:
    return math.ceil(digits * math.log2(10) + 0.01)


class _Bits:
    def __init__(self, bits: str) -> None:
        self.bits = bits
        self.cursor = 0

    def left(self) -> int:
        return len(self.bits) - self.cursor

    def take(self, count: int) -> str:
        if count > self.left():
            raise NotCompressed("the bits end inside a value")
        taken = self.bits[self.cursor:self.cursor + count]
        self.cursor += count
        return taken

    def number(self, count: int) -> int:
        return int(self.take(count), 2) if count else 0

    def hex(self) -> str:
        return HEX[self.number(4)]


def decompress(segment: str) -> dict[str, str]:
    """The AIs (and other key=value pairs) a compressed Digital Link path segment holds, in
    its order; ``NotCompressed`` if it is not one."""
    if not SEGMENT.match(segment) or len(segment) > MAX_SEGMENT:
        raise NotCompressed("not URI-safe base64")
    bits = _Bits("".join(f"{SAFE_BASE64.index(c):06b}" for c in segment))
    found: dict[str, str] = {}
    while bits.left() > 8:
        h1, h2 = bits.hex(), bits.hex()
        if h1.isdigit() and h2.isdigit():
            length = AI_LENGTH.get(h1 + h2)
            if length is None:
                raise NotCompressed(f"no AI begins {h1}{h2}")
            ai = h1 + h2 + "".join(_digit(bits) for _ in range(length - 2))
            found[ai] = _value(bits, ai)
        elif (h1 + h2) in SEQUENCES:
            for ai in SEQUENCES[h1 + h2]:
                found[ai] = _value(bits, ai)
        elif h1 == "F":
            bits.cursor -= 4
            key_length = bits.number(7)
            key = "".join(SAFE_BASE64[bits.number(6)] for _ in range(key_length))
            encoding, count = bits.number(3), bits.number(7)
            found[key] = _decoded(bits, encoding, count)
        else:
            raise NotCompressed(f"no optimisation {h1}{h2}")
    return found


def _digit(bits: _Bits) -> str:
    digit = bits.hex()
    if not digit.isdigit():
        raise NotCompressed("an AI is all digits")
    return digit


def _value(bits: _Bits, ai: str) -> str:
    parts = FORMATS.get(ai)
    if parts is None:
        raise NotCompressed(f"AI {ai} has no format")
    value = ""
    for numeric, fixed, length in parts:
        if fixed:
            value += (str(bits.number(_value_bits(length))).zfill(length) if numeric
                      else _decoded(bits, bits.number(3), length))
        else:
            most = length
            if numeric:
                digits = bits.number(_length_bits(most))
                number = bits.number(_value_bits(digits))
                value += str(number) if digits else ""
            else:
                encoding = bits.number(3)
                value += _decoded(bits, encoding, bits.number(_length_bits(most)))
    return value


def _decoded(bits: _Bits, encoding: int, count: int) -> str:
    """``count`` characters in ``encoding``: 0 digits (one binary number), 1 and 2 lower
    and upper hex, 3 URI-safe base64, 4 7-bit ASCII."""
    if encoding == 0:
        return str(bits.number(_value_bits(count))) if count else ""
    if encoding in (1, 2):
        text = "".join(HEX[bits.number(4)] for _ in range(count))
        return text.lower() if encoding == 1 else text
    if encoding == 3:
        return "".join(SAFE_BASE64[bits.number(6)] for _ in range(count))
    if encoding == 4:
        return "".join(chr(bits.number(7)) for _ in range(count))
    raise NotCompressed(f"no encoding {encoding}")
