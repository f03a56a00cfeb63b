"""What a document names, and whether the repository has it: read by the test that keeps
README.md and docs/ true (tests/unit/test_docs_true.py).

A name is checked only where a reader takes it for a reference, so prose is left alone:
- a path of the repository: a link (from the doc's folder), or a word of a backticked span
  or of a code block that begins at a folder of the repository or ends in a source file's
  extension. A path from an inner folder (``rating/model.py``, ``static/app.js``) may stand
  below any folder; ``<name>``, ``{name}`` and ``*`` stand for any part, a trailing ``…``
  for what a folder holds. What the platform makes as it runs (whatever .gitignore lists:
  ``data/``, ``screenshots/``) and what a command is told to write (``--out``, ``-o``,
  ``>``) are not the repository's;
- a module's name, ``rating/model.Certificate.state_on`` or ``shared.i18n.text.fold``: the module
  and what it defines;
- ``make TARGET`` and ``ocop COMMAND … --option``, at the start of a code line or a span;
- an endpoint, ``METHOD /path`` or ``METHOD $C/path`` (the variable is a service's address),
  which a service's OpenAPI document must hold;
- a setting, ``OCOP_NAME``: a field of the settings, or a variable the code reads.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SOURCE = re.compile(r"\.(py|md|html|js|css|sh|toml|ya?ml|txt|cfg|ini)$")
_EXTENSIONS = frozenset({"py", "md", "html", "js", "css", "sh", "toml", "yml", "yaml", "txt",
                         "cfg", "ini", "gz", "json", "xlsx", "csv", "pdf", "png", "svg", "db"})
_MADE_BY = ("--out", "-o", ">")
"""Options and redirections whose value is a file a command writes, not one it reads."""
_SHELL_ENDS = ("&&", "||", ";", ">", "2>&1")
_ENDPOINT = re.compile(r"\b(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+"
                       r"((?:\$\{?\w+\}?)?/(?:<[^>\n]*>|[^\s`'\"()<>,;\]])*)")
_PLACEHOLDER = re.compile(r"<[^>]*>|\{[^}]*\}|\$\{?\w+\}?|…")
_SETTING = re.compile(r"\bOCOP_[A-Z0-9_]*[A-Z0-9]\b")
_ENV_READ = re.compile(r"(?:environ\.get\(|getenv\(|environ\[|envvar=)\s*[\"'](OCOP_\w+)[\"']")
_SPAN = re.compile(r"`((?:[^`\n]|\n(?![ \t]*\n))+)`")
"""A code span, which may run on to the next line but not past a blank one."""
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Endpoint:
    methods: frozenset[str]
    path: re.Pattern[str]


@dataclass(frozen=True)
class Repository:
    """What a document may name: the tree, the Makefile's targets, the ``ocop`` command,
    the services' endpoints and the settings the platform reads."""

    root: Path
    entries: frozenset[str]
    """Every file and folder of the repository, relative, '/'-separated."""
    folders: frozenset[str]
    """The names of its folders, wherever they stand."""
    made_at_run_time: tuple[str, ...]
    targets: frozenset[str]
    cli: Any
    """The ``ocop`` command as click sees it (``typer.main.get_command``)."""
    endpoints: tuple[Endpoint, ...]
    settings: frozenset[str]


def read_repository(root: Path, cli: Any, documents: Iterable[dict[str, Any]],
                    setting_fields: Iterable[str], prefix: str) -> Repository:
    """``documents``: the services' OpenAPI documents, which hold the endpoints;
    ``setting_fields``: the settings' fields, each read from ``prefix`` + its name."""
    ignored = tuple(line.strip().strip("/") for line in
                    (root / ".gitignore").read_text().splitlines()
                    if line.strip() and not line.startswith("#"))
    entries = frozenset(_tree(root, ignored))
    folders = frozenset(entry.rsplit("/", 1)[-1] for entry in entries
                        if (root / entry).is_dir())
    targets = frozenset(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)",
                                   (root / "Makefile").read_text(), re.M))
    endpoints = tuple(Endpoint(frozenset(method.upper() for method in operations),
                               _path_pattern(path))
                      for document in documents
                      for path, operations in document["paths"].items())
    read_elsewhere = {name for entry in entries if entry.endswith(".py")
                      for name in _ENV_READ.findall((root / entry).read_text())}
    settings = frozenset({prefix + field.upper() for field in setting_fields} | read_elsewhere)
    return Repository(root, entries, folders, ignored, targets, cli, endpoints, settings)


def _path_pattern(path: str) -> re.Pattern[str]:
    """``/batches/{batch_id}/qr.{kind}``: each parameter one part of a path, any value."""
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part)
                              for part in re.split(r"(\{[^}]*\})", path)))


def _tree(root: Path, ignored: tuple[str, ...]) -> Iterator[str]:
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders
                      if not name.startswith(".") and not _matches(name, ignored)]
        here = Path(folder).relative_to(root).as_posix()
        for name in (*folders, *files):
            yield name if here == "." else f"{here}/{name}"


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def wrong_references(doc: Path, text: str, repo: Repository) -> list[str]:
    """``doc:line: what it names that is not there``, for each such name in ``text``."""
    where = doc.relative_to(repo.root).as_posix()
    return [f"{where}:{line}: {problem}" for line, problem in sorted(_problems(doc, text, repo))]


def _problems(doc: Path, text: str, repo: Repository) -> Iterator[tuple[int, str]]:
    prose, code = _split(text)
    spans = [(_line(prose, match.start()), match.group(1).split())
             for match in _SPAN.finditer(prose)]
    for line, words in [*code, *spans]:
        yield from ((line, problem) for problem in _command_problems(words, repo))
        yield from ((line, problem) for problem in _path_problems(words, repo))
    for match in _LINK.finditer(prose):
        target = match.group(1).split("#")[0]
        if target and not re.match(r"\w+:", target) and not (doc.parent / target).exists():
            yield _line(prose, match.start()), f"a link to `{target}`, which is not there"
    for match in _ENDPOINT.finditer(text):
        method, path = match.group(1), match.group(2).rstrip(".:")
        if not _answered(method, path, repo):
            yield _line(text, match.start()), f"no service answers `{method} {path}`"
    for match in _SETTING.finditer(text):
        if match.group() not in repo.settings:
            yield _line(text, match.start()), f"no setting `{match.group()}` is read"


def _split(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The prose (code blocks blanked, so that offsets keep their lines) and each code
    line's words."""
    prose, code, in_code = [], [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            prose.append("")
        elif in_code:
            code.append((number, line.split()))
            prose.append("")
        else:
            prose.append(line)
    return "\n".join(prose), code


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _command_problems(words: list[str], repo: Repository) -> Iterator[str]:
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # an environment given first
        words = words[1:]
    if not words or words[0] not in ("make", "ocop"):
        return
    said: list[str] = []
    for word, after in zip(words[1:], [*words[2:], ""], strict=False):
        if word.startswith("#") or word in _SHELL_ENDS:
            break
        if word == "|":  # "<id> | --all": either; a pipe to another command ends it
            if after.startswith("-"):
                continue
            break
        said.append(word.strip("[]"))
    if words[0] == "make":
        yield from (f"no make target `{target}`" for target in said
                    if re.fullmatch(r"[\w.-]+", target) and target not in repo.targets)
    elif problem := _ocop_problem([word for word in said if word], repo.cli):
        yield problem


def _ocop_problem(words: list[str], command: Any) -> str | None:
    path = ["ocop"]
    for word in words:
        if word.startswith("-"):
            option = word.split("=")[0]
            known = {"--help"} | {name for param in command.params
                                  for name in (*param.opts, *param.secondary_opts)}
            if option not in known:
                return f"`{' '.join(path)}` has no option `{option}`"
        elif hasattr(command, "commands"):  # a group: the word names one of its commands
            if word not in command.commands:
                return f"no command `{' '.join([*path, word])}`"
            command = command.commands[word]
            path.append(word)
    return None


def _path_problems(words: list[str], repo: Repository) -> Iterator[str]:
    for before, word in zip(["", *words], words, strict=False):
        if before in _MADE_BY:
            continue
        word = word.strip("\"'").lstrip("(").rstrip(".,;:!?)\"'").removeprefix("./")
        if _is_module(word, repo):
            problem = _module_problem(word, repo)
        elif _is_path(word, repo):
            problem = _file_problem(word, repo)
        else:
            continue
        if problem:
            yield problem


def _is_module(word: str, repo: Repository) -> bool:
    """``shared.ports.bus.port.compacted_topic``: a dotted name in a package of the repository."""
    return bool(re.fullmatch(r"\w+(\.\w+)+", word)) and \
        f"{word.split('.')[0]}/__init__.py" in repo.entries


def _is_path(word: str, repo: Repository) -> bool:
    if not word or re.search(r"://|[=:$@]", word) or word[0] in "/~-<{":
        return False  # an address, an option, a variable, a placeholder
    first = word.split("/")[0]
    if _matches(first, repo.made_at_run_time):
        return False
    return ("/" in word and first in repo.folders) or bool(_SOURCE.search(word))


def _module_problem(name: str, repo: Repository) -> str | None:
    parts = name.split(".")
    for k in range(len(parts), 1, -1):
        for entry in ("/".join(parts[:k]) + ".py", "/".join(parts[:k]) + "/__init__.py"):
            if entry in repo.entries:
                return _definition_problem(name, entry, parts[k:], repo)
    return f"no module `{name}`"


def _file_problem(path: str, repo: Repository) -> str | None:
    pattern = _PLACEHOLDER.sub("*", path.removesuffix("…")).rstrip("/")
    # "services/…" stands at the root; "rating/model.py" or "app.py" below any folder
    anchored = "/" in pattern and pattern.split("/")[0] in repo.entries
    head, _, last = pattern.rpartition("/")
    names = last.split(".")
    tries: list[tuple[str, list[str]]] = [(pattern, [])]
    if names[-1] not in _EXTENSIONS:  # "rating/model.Certificate.state_on": rating/model.py
        tries += [(f"{head}/{'.'.join(names[:k])}.py".lstrip("/"), names[k:])
                  for k in range(len(names) - 1, 0, -1)]
    for tried, defined in tries:
        found = sorted(entry for entry in repo.entries if fnmatch.fnmatchcase(entry, tried)
                       or (not anchored and fnmatch.fnmatchcase(entry, "*/" + tried)))
        if found:
            problems = [_definition_problem(path, entry, defined, repo) for entry in found]
            return None if None in problems else problems[0]
    return f"no file or folder `{path}`"


def _definition_problem(name: str, entry: str, defined: list[str],
                        repo: Repository) -> str | None:
    """Whether the module at ``entry`` defines ``defined`` (``Certificate``, ``state_on``)."""
    if not defined or not (repo.root / entry).parent.joinpath("__init__.py").is_file():
        return None  # a file, or a script outside the packages: nothing to import
    found: Any = importlib.import_module(
        entry.removesuffix(".py").removesuffix("/__init__").replace("/", "."))
    for part in defined:
        if hasattr(found, part):
            found = getattr(found, part)
        elif any(part in getattr(kind, "__annotations__", {})
                 for kind in getattr(found, "__mro__", ())):
            return None  # a field without a default: nothing further to look into
        else:
            return f"`{name}`: {entry} defines no `{'.'.join(defined)}`"
    return None


def _answered(method: str, written: str, repo: Repository) -> bool:
    path = re.sub(r"^\$\{?\w+\}?", "", written)  # the service's address, e.g. $C
    path = _PLACEHOLDER.sub("{}", re.split(r"[?#]", path)[0]) or "/"
    return any(method in endpoint.methods and endpoint.path.fullmatch(path)
               for endpoint in repo.endpoints)
