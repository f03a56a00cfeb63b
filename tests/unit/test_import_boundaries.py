"""No service imports another, and the web front imports none (docs/architecture.md): each
calls the others' public APIs, so each deploys alone with its own code and ``shared/``.
Every module under ``services/`` is parsed (not imported) and its imports read."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
COMPOSITION = {
    "services": "builds any service by its name (importlib), for the two below",
    "services.cli": "the ocop command: runs, imports into and makes the templates of the "
                    "whole platform on one machine",
    "services.embedded": "ocop run: the four services and the web front in one process",
}
"""The modules that compose the whole platform on one machine, allowed to import every
service (and the web front)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.Module, module: str) -> Iterator[tuple[int, str]]:
    """Each module ``tree`` imports (``from a.b import c`` as ``a.b``; ``from services
    import web`` as ``services.web``), with its line; relative imports made absolute."""
    package = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[:len(package) - node.level + (
                    1 if module in _packages() else 0)], *([base] if base else [])])
            if base == "services":  # from services import registry: a service itself
                for alias in node.names:
                    yield node.lineno, f"services.{alias.name}"
            else:
                yield node.lineno, base


@cache
def _packages() -> frozenset[str]:
    return frozenset(module_name(p) for p in SERVICES.rglob("__init__.py"))


@cache
def _modules() -> frozenset[str]:
    return frozenset(module_name(p) for p in SERVICES.rglob("*.py"))


def owner(module: str) -> str | None:
    """The service (or ``web``) a ``services.<x>…`` module belongs to; None outside one."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "services" else None


def crossings_in(module: str, source: str) -> list[str]:
    """Each import of another service's module in ``module``'s ``source``, named."""
    home = owner(module)
    if module in COMPOSITION or home is None:
        return []
    found = []
    for line, target in imported(ast.parse(source, module), module):
        other = owner(target)
        if other is None or other == home or f"services.{other}" not in _modules():
            continue  # its own, shared/, a library, or a name of the services package
        found.append(f"{module} (line {line}) imports {target}: "
                     + ("the web front calls the services' APIs, it imports none"
                        if home == "web" else
                        f"{home} imports {other}; call its API or share it in shared/"))
    return found


def crossings() -> list[str]:
    return sorted({crossing for path in sorted(SERVICES.rglob("*.py"))
                   for crossing in crossings_in(module_name(path), path.read_text())})


def test_no_service_imports_another_and_the_web_front_imports_none() -> None:
    assert not crossings(), "\n".join(crossings())


def test_the_composition_modules_exist() -> None:
    """The allowed list names real modules (a renamed one must not widen it silently)."""
    assert set(COMPOSITION) <= _modules(), set(COMPOSITION) - _modules()


def test_a_crossing_is_named_with_its_module_and_import() -> None:
    source = ("from services.registry.imports import rules\nimport services.rating.app\n"
              "from services.web.front import Front\nfrom shared.files import templates\n"
              "from services import DEFAULT_PORTS\n")
    assert crossings_in("services.web.office.pages", source) == [
        "services.web.office.pages (line 1) imports services.registry.imports: the web "
        "front calls the services' APIs, it imports none",
        "services.web.office.pages (line 2) imports services.rating.app: the web front "
        "calls the services' APIs, it imports none"]
    assert crossings_in("services.rating.api.criteria", source)[-1] == (
        "services.rating.api.criteria (line 3) imports services.web.front: rating imports "
        "web; call its API or share it in shared/")
    assert crossings_in("services.cli", source) == []  # composes the platform


def test_relative_imports_are_read_from_where_they_stand() -> None:
    found = list(imported(ast.parse("from ..rating import criteria\n"),
                          "services.web.office.pages"))
    assert found == [(1, "services.web.rating")]
