"""Which passwords are too easy to guess: one of the passwords people choose most often
(``common-passwords.txt.gz``: the 20,000 of Django 5.2's list, from leaked lists, among
them Vietnamese ones such as 'anhyeuem'), one character or a short group repeated, a run
along the alphabet, the digits or a keyboard row, or the username dressed up. Pure: the
list is read once, on first use."""

from __future__ import annotations

import gzip
import re
from enum import StrEnum
from functools import cache
from pathlib import Path

from shared.i18n.text import fold

COMMON_FILE = Path(__file__).with_name("common-passwords.txt.gz")
RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
"""Sequences a run of keys or letters follows (either way, from anywhere)."""
OWN_CHARACTERS = 6
"""Letters or digits a password has besides its username and the username's parts."""
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_ENDS = re.compile(r"^[^a-z]+|[^a-z]+$")


class Weakness(StrEnum):
    COMMON = "common"
    TRIVIAL = "trivial"
    USERNAME = "username"


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _letters_digits(text: str) -> str:
    """'Mật-Khẩu 2024!' -> 'matkhau2024'."""
    return _NOT_ALNUM.sub("", fold(text))


def _common(text: str) -> bool:
    """Among the common passwords as written, without its separators, or without the
    digits and symbols at its ends ('Password2024!' is 'password')."""
    lowered = text.lower()
    return any(form in common_passwords() for form in
               (lowered, _letters_digits(text), _ENDS.sub("", lowered)))


def _trivial(core: str) -> bool:
    """One character or a short group repeated ('ababab…'), or a run along the alphabet,
    the digits or a keyboard row, forwards or backwards."""
    if any(core == (core[:size] * len(core))[:len(core)] for size in range(1, len(core) // 2 + 1)):
        return True
    return any(core in run or core in run[::-1] for run in RUNS)


def weakness(password: str, username: str) -> Weakness | None:
    """Why ``password`` is easy to guess for the account ``username``, if it is."""
    core = _letters_digits(password)
    if _common(password):
        return Weakness.COMMON
    if not core or _trivial(core):
        return Weakness.TRIVIAL
    name = _letters_digits(username)
    parts = sorted({name, *(_letters_digits(p) for p in re.split(r"[^a-zA-Z0-9]+", username))},
                   key=len, reverse=True)
    own = core
    for part in parts:
        if len(part) >= 3:
            own = own.replace(part, "")
    if core in name or (own != core and (len(own) < OWN_CHARACTERS or _common(own)
                                         or _trivial(own))):
        return Weakness.USERNAME
    return None
