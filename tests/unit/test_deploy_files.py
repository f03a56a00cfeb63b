"""The deployment files parse, and every OCOP_* variable they set is one the services read."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import yaml

from shared.platform.config import ENV_PREFIX, FRONTS, SERVICES, Settings

ROOT = Path(__file__).resolve().parents[2]
KNOWN = {ENV_PREFIX + name.upper() for name in Settings.model_fields}


def test_compose_runs_every_service_with_known_settings() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"kafka", "mongo", "seaweedfs", "otel-collector", "jaeger", *SERVICES,
            *FRONTS} <= set(services)
    for name in (*SERVICES, *FRONTS):
        assert services[name]["command"][:3] == ["ocop", "serve", name]
        env = services[name]["environment"]
        unknown = {k for k in env if k.startswith(ENV_PREFIX)} - KNOWN
        assert not unknown, f"{name} sets variables no service reads: {unknown}"
        assert env["OCOP_STORE_URL"].startswith("mongodb://")
        assert env["OCOP_BUS_URL"].startswith("kafka://")


def test_other_deploy_yaml_parses() -> None:
    k8s = sorted((ROOT / "deploy/k8s").glob("*.yaml"))
    for path in [ROOT / "deploy/otel-collector.yaml", *k8s]:
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        assert docs, f"{path} is empty"
    collector = yaml.safe_load((ROOT / "deploy/otel-collector.yaml").read_text())
    assert collector["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]


def test_every_file_the_services_read_is_installed_with_them() -> None:
    """The image installs the package (``pip install .``), not the checkout: a template, a
    static file or a data file missing from ``package-data`` is missing in production."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    missing = []
    for path in sorted([*(ROOT / "services").rglob("*"), *(ROOT / "shared").rglob("*")]):
        if not path.is_file() or path.suffix in (".py", ".pyc", ".md") \
                or "__pycache__" in path.parts:  # code, or notes for developers
            continue
        relative = path.relative_to(ROOT)
        packages = [".".join(relative.parts[:i]) for i in range(len(relative.parts) - 1, 0, -1)]
        if not any(fnmatch(str(path.relative_to(ROOT / package.replace(".", "/"))), pattern)
                   for package in packages for pattern in declared.get(package, [])):
            missing.append(str(relative))
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
