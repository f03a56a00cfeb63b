"""The README's walk-through, pasted as a new user pastes it: every bash block of its
section runs in bash, in order, against the platform started as `make run` starts it
(`ocop run`, in its own process, on a fresh data directory and no OCOP_* setting), and every
command succeeds. And every `ocop` line of the README is a command the CLI takes.

Only what a test must change is changed: the README's ports (8000–8004) become free ones;
curl fails on an HTTP error (``--fail-with-body``, from a curlrc), so a refused request is a
failed command; ``xdg-open`` (a browser) fetches the page instead. The script keeps the
README's line numbers, so a failure names the README's line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer

from services.cli import app as ocop
from shared.platform.config import SERVICES
from tests.support.ports import free_port_block

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Walk-through: from an empty platform to a scanned label"
TOOLS = ("bash", "curl", "jq")
"""What the walk-through says it needs (``make test`` installs jq where it is missing)."""

FAILED = 'echo "README.md:$LINENO: $BASH_COMMAND (exit $?)" >> "$WALKTHROUGH_FAILURES"'
PRELUDE = f"set -E -o pipefail; trap '{FAILED}' ERR"
"""A pasted block goes on after a failed command, as a terminal does; each failure (in a
pipeline, a function or a command substitution too) is written down with its line."""

XDG_OPEN = '#!/bin/sh\n# the test has no browser: the page must open, that is all\n' \
           'exec curl --silent --show-error --output /dev/null "$1"\n'


def walkthrough_script(readme: str, base_port: int) -> str:
    """The section's bash blocks as one script on the README's own line numbers (every other
    line blank; line 1 the prelude), its addresses moved to ``base_port``."""
    lines = readme.splitlines()
    start = lines.index(SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    script = [""] * end
    in_block = False
    for i in range(start, end):
        if lines[i].strip() in ("```bash", "```"):
            in_block = lines[i].strip() == "```bash"
        elif in_block:
            script[i] = lines[i]
    assert any(script), f"no bash block under {SECTION!r}"
    script[0] = PRELUDE
    return on_ports("\n".join(script), base_port) + "\n"


def on_ports(text: str, base_port: int) -> str:
    """The README's addresses (the workspace on 8000, the services on 8001–8004) moved."""
    return re.sub(r"127\.0\.0\.1:800([0-4])\b",
                  lambda m: f"127.0.0.1:{base_port + int(m[1])}", text)


def pristine_env() -> dict[str, str]:
    """A new user's shell: none of the platform's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}


@contextlib.contextmanager
def make_run(folder: Path, base_port: int) -> Iterator[None]:
    """`make run` in ``folder``: `ocop run` with its defaults (data in ./data), until ready."""
    log = (folder / "platform.log").open("wb")
    deadline = time.monotonic() + 120  # only so a platform that never starts ends the test
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "run", "--base-port",
                             str(base_port)], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                            env=pristine_env() | {"PYTHONPATH": str(ROOT)})
    try:
        with httpx.Client(timeout=5) as client:
            for port in range(base_port, base_port + 1 + len(SERVICES)):
                while True:
                    try:
                        if client.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert proc.poll() is None and time.monotonic() < deadline, (
                        folder / "platform.log").read_text()
                    time.sleep(0.2)
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        log.close()


@pytest.mark.long
def test_the_walkthrough_works_when_pasted(tmp_path: Path) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"the walk-through needs {missing}: make test installs jq"
    # The reader's checkout: the README's commands run from it (. .venv/bin/activate, docs/).
    (tmp_path / ".venv").symlink_to(sys.prefix)
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    assert (tmp_path / ".venv" / "bin" / "activate").exists(), "the tests run from a venv"
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "xdg-open").write_text(XDG_OPEN)
    (tools / "xdg-open").chmod(0o755)
    (tmp_path / ".curlrc").write_text("fail-with-body\n")
    failures = tmp_path / "failures.txt"
    failures.touch()
    base = free_port_block(5)
    (tmp_path / "walkthrough.sh").write_text(walkthrough_script(README.read_text(), base))
    with make_run(tmp_path, base):
        ran = subprocess.run(
            ["bash", "walkthrough.sh"], cwd=tmp_path, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=600, start_new_session=True,
            env=pristine_env() | {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
                                  "CURL_HOME": str(tmp_path), "HOME": str(tmp_path),
                                  "WALKTHROUGH_FAILURES": str(failures)})
    # On 127.0.0.1, `make run` is a one-machine demo: it prints labels and says so.
    assert "one-machine demo" in (tmp_path / "platform.log").read_text()
    output = f"--- stdout\n{ran.stdout[-6000:]}\n--- stderr\n{ran.stderr[-6000:]}"
    assert failures.read_text() == "", f"failed commands:\n{failures.read_text()}{output}"
    assert ran.returncode == 0, output
    shown = printed_objects(ran.stdout)
    # The locality's summary counts the product the walk-through certified there...
    summary = next(o for o in shown if "by_stars" in o)
    assert summary["recognised"] == 1 and summary["by_stars"]["4"] == 1, output
    # ...and the last scan still finds it, no longer OCOP once revoked.
    assert shown[-1]["name"] == "Sầu riêng Khánh Sơn", output
    assert "revoked" in shown[-1]["ocop"].lower(), output


def printed_objects(stdout: str) -> list[dict[str, Any]]:
    """The JSON objects the walk-through printed (jq -c), one a line, in order."""
    found = []
    for line in stdout.splitlines():
        with contextlib.suppress(ValueError):
            if isinstance(value := json.loads(line), dict):
                found.append(value)
    return found


def ocop_lines(readme: str) -> list[str]:
    """Every `ocop …` line of the README's bash blocks (an environment given before it
    aside), as written."""
    lines, in_block = [], False
    for line in readme.splitlines():
        if line.strip() in ("```bash", "```"):
            in_block = line.strip() == "```bash"
        elif in_block:
            words = line.split("#")[0].split()
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                words.pop(0)
            if words[:1] == ["ocop"]:
                lines.append(" ".join(words))
    return lines


def spelt_out(line: str, folder: Path) -> list[list[str]]:
    """The command lines a README line stands for: ``[--option value]`` with and without,
    ``a | b`` either; a placeholder (``<id>``) a value, a file named one that exists."""
    words = shlex.split(line)[1:]
    variants = [words]
    if "|" in words:
        bar = words.index("|")
        variants = [words[:bar], words[:bar - 1] + words[bar + 1:]]
    spelt: dict[tuple[str, ...], None] = {}
    for variant in variants:
        text = " ".join(variant)
        for optional in (False, True):
            kept = re.sub(r"\[([^]]*)\]", r"\1" if optional else "", text).split()
            spelt[tuple(_value(word, folder) for word in kept)] = None
    return [list(words) for words in spelt]


def _value(word: str, folder: Path) -> str:
    if re.fullmatch(r"<[^>]+>", word):
        return "a-" + word.strip("<>").replace(" ", "-")
    if re.search(r"\.(csv|xlsx)$", word):
        (folder / Path(word).name).touch()
        return str(folder / Path(word).name)
    return word


def parsed(words: list[str]) -> dict[str, Any]:
    """What `ocop` makes of a command line: its command found, its arguments and options
    read and checked, nothing run."""
    command: Any = typer.main.get_command(ocop)
    path = ["ocop"]
    while hasattr(command, "commands"):
        assert words and words[0] in command.commands, f"no command '{' '.join(path + words[:1])}'"
        path.append(words[0])
        command = command.commands[words.pop(0)]
    return dict(command.make_context(" ".join(path), words).params)


def test_every_ocop_line_of_the_readme_is_a_command_the_cli_takes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_ADMIN_PASSWORD", "given-not-asked-1")  # what the prompt would ask
    lines = ocop_lines(README.read_text())
    assert "ocop import subjects FILE.xlsx [--partial]" in lines
    for line in lines:
        for words in spelt_out(line, tmp_path):
            try:
                parsed(list(words))
            except Exception as refused:
                raise AssertionError(f"README: `{line}` -> ocop {' '.join(words)}: "
                                     f"{refused}") from None
    partial = parsed(["import", "subjects", str(tmp_path / "FILE.xlsx"), "--partial"])
    assert partial["partial"] is True
