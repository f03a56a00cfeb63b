"""The deployment files parse; compose runs every process on PostgreSQL (MongoDB the
documented alternative), and every OCOP_* variable they set is one the services read."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from shared.platform.config import ENV_PREFIX, FRONTS, SERVICES, Settings

ROOT = Path(__file__).resolve().parents[2]
KNOWN = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
PROCESSES = (*SERVICES, *FRONTS)


# --- docker compose ----------------------------------------------------------------------

def _compose(*files: str) -> dict[str, Any]:
    """The files merged as Compose merges them for services' environment and depends_on."""
    merged: dict[str, Any] = {"services": {}}
    for name in files:
        doc = yaml.safe_load((ROOT / name).read_text())
        for service, spec in doc["services"].items():
            into = merged["services"].setdefault(service, {})
            for key, value in spec.items():
                if isinstance(value, dict) and isinstance(into.get(key), dict):
                    into[key] = into[key] | value
                else:
                    into[key] = value
    return merged


def test_compose_runs_every_process_on_postgres_with_known_settings() -> None:
    services = _compose("docker-compose.yml")["services"]
    assert {"kafka", "postgres", "seaweedfs", "otel-collector", "jaeger", *PROCESSES
            } <= set(services)
    assert "mongo" not in services  # the alternative lives in deploy/compose.mongo.yml
    for name in PROCESSES:
        spec = services[name]
        assert spec["command"][:3] == ["ocop", "serve", name]
        env = spec["environment"]
        unknown = {k for k in env if k.startswith(ENV_PREFIX)} - KNOWN
        assert not unknown, f"{name} sets variables no service reads: {unknown}"
        assert env["OCOP_STORE_URL"] == ("postgresql://ocop:${OCOP_POSTGRES_PASSWORD:?set "
                                         "OCOP_POSTGRES_PASSWORD in .env}@postgres:5432/ocop")
        assert env["OCOP_BUS_URL"].startswith("kafka://kafka:9092")
        assert env["OCOP_OBJECTS_URL"].startswith("s3://")
        assert "/readyz" in " ".join(spec["healthcheck"]["test"])
        # Started once its store is ready (the web front: once the services are).
        waits = set(spec["depends_on"])
        assert {"postgres"} <= waits or set(SERVICES) <= waits, name
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:17"
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith(
        "${OCOP_POSTGRES_PASSWORD:?")  # required, no default secret
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.startswith("postgres-data:") for v in postgres["volumes"])


def test_compose_web_front_reaches_the_services_and_mails() -> None:
    services = _compose("docker-compose.yml")["services"]
    env = services["web"]["environment"]
    for service in SERVICES:
        assert env[f"OCOP_{service.upper()}_URL"] == f"http://{service}:8000"
        assert services["web"]["depends_on"][service] == {"condition": "service_healthy"}
    assert {"OCOP_SMTP_URL", "OCOP_SMTP_PASSWORD", "OCOP_MAIL_FROM"} <= set(env)
    assert not re.search(r"OCOP_SMTP_PASSWORD:-[^}]", env["OCOP_SMTP_PASSWORD"])
    # The registry believes X-Forwarded-For from the web front's fixed address alone.
    address = services["web"]["networks"]["default"]["ipv4_address"]
    assert services["registry"]["environment"]["OCOP_TRUSTED_PROXIES"] == address


def test_compose_mongo_alternative_moves_every_store() -> None:
    services = _compose("docker-compose.yml", "deploy/compose.mongo.yml")["services"]
    assert "--replSet" in services["mongo"]["command"]
    for name in PROCESSES:
        assert services[name]["environment"]["OCOP_STORE_URL"].startswith("mongodb://mongo:")
        assert services[name]["depends_on"]["mongo"] == {"condition": "service_healthy"}


def test_env_example_names_every_variable_compose_requires() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", compose))
    example = {line.split("=", 1)[0] for line in
               (ROOT / "deploy/env.example").read_text().splitlines()
               if "=" in line and not line.startswith("#")}
    assert "OCOP_POSTGRES_PASSWORD" in required
    assert required <= example, f"not in deploy/env.example: {required - example}"


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
