"""The TLS settings of the platform's outgoing HTTPS calls (webhooks, the web front's calls
to the services), made once per process.

httpx builds them anew for every client (loading the whole CA bundle: some 20 ms of CPU);
a process that makes clients as it goes (each platform a test starts makes several) paid
that each time. The settings are httpx's own defaults: ``SSL_CERT_FILE`` or
``SSL_CERT_DIR`` where set, else certifi's bundle."""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def verified() -> ssl.SSLContext:
    """For ``httpx.AsyncClient(verify=...)``: certificates checked, as httpx does."""
    return httpx.create_ssl_context()
