"""Object keys and content types, checked the same way by every adapter."""

from __future__ import annotations

import re

from shared.ports.objects.port import InvalidObject
from shared.refusals import N_

MAX_KEY_LENGTH = 512
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*"
                           r"(\s*;\s*[a-z0-9_-]+=[A-Za-z0-9._-]+)*$", re.IGNORECASE)


def check_key(key: str) -> str:
    """Relative '/'-separated segments of letters, digits, '.', '_' and '-' (not leading)."""
    segments = key.split("/")
    if not key or len(key) > MAX_KEY_LENGTH or not all(_SEGMENT.match(s) for s in segments):
        raise InvalidObject(
            N_("'%(key)s' is not a valid file key: use up to %(most)s characters in "
               "'/'-separated parts of letters, digits, '.', '_' and '-', each starting with a "
               "letter or digit."), key=key[:80], most=MAX_KEY_LENGTH)
    return key


def check_content_type(content_type: str) -> str:
    if not _CONTENT_TYPE.match(content_type or ""):
        raise InvalidObject(
            N_("'%(content_type)s' is not a content type; use a media type such as image/png."),
            content_type=content_type)
    return content_type
