"""Log lines reach the standard error the process has now: a test runner swaps it for each
test, and a handler holding the first one would write every later line to a closed file."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from shared.platform.telemetry import CurrentStandardError


def test_a_line_goes_to_the_stderr_of_the_moment_it_is_logged(
        monkeypatch: pytest.MonkeyPatch) -> None:
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    handler = CurrentStandardError()
    first.close()
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    logger = logging.getLogger("tests.log_lines")
    logger.addHandler(handler)
    try:
        logger.warning("the relay stopped")
    finally:
        logger.removeHandler(handler)
    assert now.getvalue() == "the relay stopped\n"
