"""Documents people upload (a dossier's papers, a lab's report, an area's VietGAP
certificate): a PDF, JPEG or PNG whose bytes match what it claims to be, served to be
saved, not opened in the browser (``attachment``)."""

from __future__ import annotations

import re

from shared.files.images import IMAGE_EXTENSIONS, IMAGE_SIGNATURES
from shared.http.uploads import media_type
from shared.refusals import N_, BadRequest

DOCUMENT_FORMATS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "application/pdf": ("pdf", (b"%PDF-",)),
    **{kind: (IMAGE_EXTENSIONS[kind], IMAGE_SIGNATURES[kind])
       for kind in ("image/jpeg", "image/png")}}
"""Content type → file extension and the signatures its bytes start with."""
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def check_document(content_type: str, data: bytes) -> str:
    """The extension of a PDF, JPEG or PNG whose bytes match its declared type and size."""
    kind = media_type(content_type)
    known = DOCUMENT_FORMATS.get(kind)
    if known is None or not data.startswith(known[1]):
        raise BadRequest(N_("Send the document as a PDF, JPEG or PNG file whose Content-Type "
                            "matches it."), code="unsupported-document")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise BadRequest(N_("A document may be at most %(most)s MB."),
                         code="document-too-large", most=MAX_DOCUMENT_BYTES // 2**20)
    return known[0]


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachment(filename: str) -> str:
    """The ``Content-Disposition`` of an uploaded document: saved under ``filename`` (its
    unsafe characters replaced), never shown inline. A PDF can carry script (an
    OpenAction), which a browser's PDF viewer runs in the platform's origin when the file
    opens inline; ``shared.http.security_headers`` sandboxes every attachment as well."""
    safe = _UNSAFE_IN_NAME.sub("_", filename).strip("._") or "document"
    return f'attachment; filename="{safe}"'
