"""The session's S3 server (one SeaweedFS for all tests; each test uses its own bucket)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.support.seaweed import SeaweedS3


@pytest.fixture(scope="session")
def s3_server() -> Iterator[SeaweedS3]:
    server = SeaweedS3()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket_url(s3_server: SeaweedS3) -> str:
    """An S3 URL with a bucket of the test's own."""
    return s3_server.url("t" + secrets.token_hex(6))
