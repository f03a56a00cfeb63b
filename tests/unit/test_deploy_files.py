"""The deployment files. Compose runs every process on PostgreSQL (MongoDB the documented
alternative) with settings the services read; the Kubernetes manifests are what
``deploy/k8s/render.py`` writes, valid against the Kubernetes JSON schemas (strict: an
unknown field is an error, as ``kubectl apply --validate=strict`` says) and consistent with
one another and with the processes they run: probes on paths served, settings that exist,
selectors that select, Secrets named but never in the repository."""

from __future__ import annotations

import copy
import importlib.util
import re
import shlex
import sys
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr

from services import build_service
from services.web.app import build as build_web
from shared.platform.config import ENV_PREFIX, FRONTS, SERVICES, Settings, load_settings
from tests.support.service_tier import InProcessWorker

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
KNOWN = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
PROCESSES = (*SERVICES, *FRONTS)
K8S_VERSIONS = ("1.35", "1.37")
"""The oldest Kubernetes minor still supported upstream (each has about 14 months) and the
newest kubernetes-validate ships: the manifests hold on both."""
SECRET_SETTINGS = {ENV_PREFIX + name.upper() for name, f in Settings.model_fields.items()
                   if SecretStr in (f.annotation, *getattr(f.annotation, "__args__", ()))}


def _setting(name: str) -> str:
    return name.removeprefix(ENV_PREFIX).lower()


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
        # As the process reads it once Compose has put the password in.
        load_settings(store_url=re.sub(r"\$\{[^}]*\}", "secret", env["OCOP_STORE_URL"]),
                      bus_url=env["OCOP_BUS_URL"])
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


# --- Kubernetes --------------------------------------------------------------------------

def _render() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ocop_k8s_render", K8S / "render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


DOCS = list(_documents())


def _of(kind: str) -> dict[str, dict[str, Any]]:
    found = {doc["metadata"]["name"]: doc for _, doc in DOCS if doc["kind"] == kind}
    assert len(found) == sum(doc["kind"] == kind for _, doc in DOCS), f"two {kind}s, one name"
    return found


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and selector.items() <= labels.items()


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def _deployment_of(process: str) -> dict[str, Any]:
    [deployment] = [d for d in _of("Deployment").values()
                    if _container(d)["args"][:3] == ["ocop", "serve", process]]
    return deployment


def test_k8s_files_are_what_render_writes() -> None:
    written = _render().files()
    committed = {path.name: path.read_text() for path in K8S.glob("*.yaml")}
    assert set(committed) == set(written), "run: python deploy/k8s/render.py"
    stale = [name for name in written if committed[name] != written[name]]
    assert not stale, f"{stale} differ from deploy/k8s/render.py: run it"


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_k8s_document_is_valid_kubernetes(version: str) -> None:
    assert len(DOCS) >= 25
    invalid = []
    for file, doc in DOCS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            invalid.append(f"{file}: {doc['kind']} {doc['metadata']['name']}: {e.message} "
                           f"at {'.'.join(map(str, e.absolute_path))}")
    assert not invalid, "\n".join(invalid)


@pytest.mark.parametrize(("break_it", "why"), [
    (lambda d: d["spec"]["template"]["spec"]["containers"][0].update(readinesProbe={}),
     "a misspelt field"),
    (lambda d: d["spec"].update(replicas="two"), "a wrong type"),
    (lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"),
     "a required field missing"),
])
def test_the_schema_check_refuses_a_broken_manifest(break_it: Any, why: str) -> None:
    broken = copy.deepcopy(_deployment_of("catalog"))
    break_it(broken)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[-1], strict=True)


def test_every_process_has_a_hardened_deployment_with_probes() -> None:
    for process in PROCESSES:
        deployment = _deployment_of(process)
        pod = deployment["spec"]["template"]
        assert _selects(deployment["spec"]["selector"]["matchLabels"], pod["metadata"]["labels"])
        container = _container(deployment)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert container["args"][3:] == ["--host", "0.0.0.0", "--port", str(ports["http"])]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            port = container[probe]["httpGet"]["port"]
            assert port in ports or port in ports.values(), (process, probe)
        security = pod["spec"]["securityContext"]
        assert security["runAsNonRoot"] is True and security["runAsUser"] != 0
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
        mounted = {m["name"] for m in container.get("volumeMounts", [])}
        assert mounted <= {v["name"] for v in pod["spec"].get("volumes", [])}


def test_probes_ask_paths_every_process_serves(tmp_path: Path) -> None:
    """Each process as its ``app.py`` builds it (not started; work runs in-process)."""
    settings = load_settings(data_dir=tmp_path)
    for process in PROCESSES:
        runtime = (build_web(settings, workers=InProcessWorker) if process in FRONTS
                   else build_service(process, settings, workers=InProcessWorker))
        served = {getattr(route, "path", None) for route in runtime.fastapi_app().routes}
        container = _container(_deployment_of(process))
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["path"] in served, (process, probe)


def _env_names(deployment: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The variables a Deployment's pods get: from its ConfigMaps, and one by one."""
    container = _container(deployment)
    maps = _of("ConfigMap")
    from_maps = {key for source in container.get("envFrom", [])
                 for key in maps[source["configMapRef"]["name"]]["data"]}
    return from_maps, {e["name"] for e in container.get("env", [])}


def test_every_setting_the_manifests_give_is_one_the_processes_read() -> None:
    maps = _of("ConfigMap")
    for name, config in maps.items():
        unknown = set(config["data"]) - KNOWN
        assert not unknown, f"ConfigMap {name} sets variables no process reads: {unknown}"
    for process in PROCESSES:
        deployment = _deployment_of(process)
        container = _container(deployment)
        assert all("configMapRef" in source for source in container["envFrom"])
        from_maps, one_by_one = _env_names(deployment)
        assert not from_maps & one_by_one, f"{process}: a variable set twice"
        assert not (from_maps | one_by_one) - KNOWN, process
        # The values as the process reads them: a bad address or network fails here.
        values = {k: v for ref in container["envFrom"]
                  for k, v in maps[ref["configMapRef"]["name"]]["data"].items()}
        load_settings(**{_setting(k): v for k, v in values.items()})
        assert values["OCOP_PUBLIC_URL"].startswith("https://"), process


def test_secrets_are_referenced_never_committed() -> None:
    assert not [doc for _, doc in DOCS if doc["kind"] == "Secret"]
    for name, config in _of("ConfigMap").items():
        for key, value in config["data"].items():
            assert key not in SECRET_SETTINGS or urlsplit(value).password is None, \
                f"ConfigMap {name} holds a secret: {key}"
    for process in PROCESSES:
        for env in _container(_deployment_of(process))["env"]:
            assert "value" not in env or env["name"] not in SECRET_SETTINGS, env["name"]
            ref = env["valueFrom"]["secretKeyRef"]
            assert ref["key"] == env["name"]
        _, one_by_one = _env_names(_deployment_of(process))
        # What each process cannot start without, or must share across its replicas.
        assert {"OCOP_STORE_URL", "OCOP_OBJECTS_URL", "OCOP_AUTH_PUBLIC_KEY"} <= one_by_one
    assert "OCOP_AUTH_PRIVATE_KEY" in _env_names(_deployment_of("registry"))[1]
    assert "OCOP_SCAN_FINGERPRINT_KEY" in _env_names(_deployment_of("traceability"))[1]
    assert "OCOP_SMTP_PASSWORD" in _env_names(_deployment_of("web"))[1]


def _readme_secrets() -> dict[str, set[str]]:
    """``kubectl create secret generic NAME --from-literal=KEY=… --from-file=KEY=…`` in
    deploy/README.md: each Secret's keys."""
    made: dict[str, set[str]] = {}
    for line in (ROOT / "deploy/README.md").read_text().splitlines():
        command = re.search(r"kubectl (?:-n \S+ )?create secret generic (.*)", line)
        if command:
            name, *words = shlex.split(command[1])
            made[name] = {w.split("=", 2)[1] for w in words
                          if w.startswith(("--from-literal=", "--from-file="))}
    return made


def test_readme_creates_every_secret_the_pods_need() -> None:
    made = _readme_secrets()
    assert made
    for process in PROCESSES:
        for env in _container(_deployment_of(process))["env"]:
            ref = env["valueFrom"]["secretKeyRef"]
            if not ref.get("optional"):
                assert ref["key"] in made.get(ref["name"], set()), \
                    f"deploy/README.md does not create {ref['name']}/{ref['key']}"
    assert not {k for keys in made.values() for k in keys} - KNOWN


def test_services_autoscalers_budgets_and_policies_point_at_pods() -> None:
    deployments = _of("Deployment")
    pods = {name: d["spec"]["template"]["metadata"]["labels"] for name, d in deployments.items()}
    port_names = {name: {p["name"] for p in _container(d)["ports"]}
                  for name, d in deployments.items()}
    for name, service in _of("Service").items():
        [target] = [d for d, labels in pods.items()
                    if _selects(service["spec"]["selector"], labels)]
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names[target], name
    assert len(_of("Service")) == len(PROCESSES)
    autoscaled = set()
    for name, hpa in _of("HorizontalPodAutoscaler").items():
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments, name
        assert "replicas" not in deployments[target["name"]]["spec"]  # the HPA's to set
        assert hpa["spec"]["minReplicas"] >= 2
        autoscaled.add(_container(deployments[target["name"]])["name"])
    assert autoscaled == {"traceability", "catalog"}
    budgeted = [d for budget in _of("PodDisruptionBudget").values() for d, labels in pods.items()
                if _selects(budget["spec"]["selector"]["matchLabels"], labels)]
    assert sorted(budgeted) == sorted(deployments)
    guarded = [d for policy in _of("NetworkPolicy").values() for d, labels in pods.items()
               if _selects(policy["spec"]["podSelector"]["matchLabels"], labels)]
    assert sorted(guarded) == sorted(deployments)
    for name, policy in _of("NetworkPolicy").items():
        ports = {p["containerPort"] for p in _container(deployments[name])["ports"]}
        for rule in policy["spec"]["ingress"]:
            assert {p["port"] for p in rule["ports"]} <= ports
            for source in rule["from"]:  # another pod of ours: one that exists
                if "podSelector" in source:
                    assert any(_selects(source["podSelector"]["matchLabels"], labels)
                               for labels in pods.values())


def _service_of(process: str) -> dict[str, Any]:
    labels = _deployment_of(process)["spec"]["template"]["metadata"]["labels"]
    [service] = [s for s in _of("Service").values() if _selects(s["spec"]["selector"], labels)]
    return service


def _own_settings(process: str) -> dict[str, str]:
    maps = _of("ConfigMap")
    return {k: v for ref in _container(_deployment_of(process))["envFrom"]
            for k, v in maps[ref["configMapRef"]["name"]]["data"].items()}


def test_public_addresses_reach_their_process() -> None:
    """Each OCOP_PUBLIC_URL's host, and the address printed in QR codes, is routed by the
    Ingress to that process's Service (with TLS); the web front reaches each service at
    its Service."""
    routes: dict[str, tuple[str, str | int]] = {}
    tls = set()
    for ingress in _of("Ingress").values():
        tls |= {h for entry in ingress["spec"].get("tls", []) for h in entry["hosts"]}
        for rule in ingress["spec"]["rules"]:
            [path] = rule["http"]["paths"]
            backend = path["backend"]["service"]
            routes[rule["host"]] = (backend["name"], next(iter(backend["port"].values())))
    services = _of("Service")
    for host, (name, port) in routes.items():
        assert port in {p.get("name") for p in services[name]["spec"]["ports"]} | {
            p["port"] for p in services[name]["spec"]["ports"]}, host
    for process in PROCESSES:
        settings = _own_settings(process)
        addresses = [settings["OCOP_PUBLIC_URL"]]
        if process == "traceability":
            addresses.append(settings["OCOP_SCAN_BASE_URL"])  # never the service's default
        for address in addresses:
            host = urlsplit(address).hostname
            assert host in tls and routes[host][0] == _service_of(process)["metadata"]["name"]
    web = _own_settings("web")
    for service in SERVICES:
        url = urlsplit(web[f"OCOP_{service.upper()}_URL"])
        assert url.hostname == _service_of(service)["metadata"]["name"]
        assert (url.port or 80) in {p["port"] for p in _service_of(service)["spec"]["ports"]}


def test_other_deploy_yaml_parses() -> None:
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
