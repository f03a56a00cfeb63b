"""The language of a page people read: Vietnamese, or English for those who ask for it."""

from __future__ import annotations

LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
"""Each language in its own words, whatever the page's: how a page offers it."""


def pick_language(lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, else the first of the browser's languages we have; Vietnamese by
    default."""
    if lang in LANGUAGES:
        return lang
    for item in (accept_language or "").split(","):
        tag = item.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "vi"
