"""Writes the Kubernetes manifests in this folder from one template, so the five processes
(four services and the web front) cannot drift apart: `python deploy/k8s/render.py`
after changing it (the test suite fails while the committed files differ from what this
writes, and checks them against the Kubernetes schemas).

Every value a cluster must change is an example here: the public addresses (ocop.example),
the pod network, the ingress controller's namespace, the image. Secret values are never in
the repository: the manifests name Secrets the operator creates (deploy/README.md).
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
IMAGE = "ocop-platform:0.1.0"
PORT = 8000
PART_OF = "ocop"
INGRESS_NAMESPACE = "ingress-nginx"
POD_NETWORK = "10.244.0.0/16"
SECRET = "ocop-platform"
"""The Secret every process reads: its store, its object store, the token-verifying key."""
PLATFORM_SECRETS = ("OCOP_STORE_URL", "OCOP_OBJECTS_URL", "OCOP_AUTH_PUBLIC_KEY")
COMMON = "ocop-common"
"""The ConfigMap every process reads."""


@dataclass(frozen=True)
class Process:
    name: str
    does: str
    public_url: str
    memory_limit: str
    cpu_request: str = "100m"
    memory_request: str = "192Mi"
    settings: dict[str, str] = field(default_factory=dict)
    """Its own non-secret settings (its ConfigMap), beside OCOP_PUBLIC_URL."""
    secrets: tuple[str, ...] = ()
    """Its own Secret's keys (a Secret named after the Deployment)."""
    secrets_optional: bool = False
    autoscale: tuple[int, int] | None = None
    """(min, max) replicas of a HorizontalPodAutoscaler; two replicas without one."""
    reached_by_web: bool = True

    @property
    def app(self) -> str:
        return f"ocop-{self.name}"

    @property
    def url(self) -> str:
        """Where other pods reach it: its Service."""
        return f"http://{self.app}"


PROCESSES = (
    Process("registry", "subjects, users and roles (signs tokens), products and dossiers",
            "https://registry.ocop.example", memory_limit="768Mi", memory_request="256Mi",
            # Each sign-in hashes the password with 64 MiB (OCOP_PASSWORD_HASH_MEMORY_KIB).
            secrets=("OCOP_AUTH_PRIVATE_KEY",)),
    Process("rating", "criteria, evaluation rounds, councils, results and certificates",
            "https://rating.ocop.example", memory_limit="512Mi"),
    Process("traceability", "batches, origin events, QR labels and their scans",
            "https://trace.ocop.example", memory_limit="1Gi", cpu_request="200m",
            memory_request="256Mi",
            # The address printed in every QR code: a shopper's phone opens it, so it is
            # public, short, and routed to this service by the Ingress (platform.yaml).
            settings={"OCOP_SCAN_BASE_URL": "https://scan.ocop.example"},
            # Salts the scan counts' coarse fingerprints: every replica needs the same one.
            secrets=("OCOP_SCAN_FINGERPRINT_KEY",), autoscale=(2, 8)),
    Process("catalog", "the public listings, sales channels' feeds and webhooks",
            "https://catalog.ocop.example", memory_limit="1Gi", cpu_request="200m",
            memory_request="256Mi",
            # The Kafka address sales channels are given for the listings stream (its
            # AsyncAPI document): one they can reach, not the cluster's own kafka:9092.
            settings={"OCOP_STREAM_BOOTSTRAP": "kafka.ocop.example:9094"},
            autoscale=(2, 8)),
    Process("web", "the web front, the workspaces of producers, office, communes and "
            "councils: pages made from the services' APIs; it keeps sign-in sessions and "
            "notifications",
            "https://ocop.example", memory_limit="512Mi", reached_by_web=False,
            settings={
                "OCOP_REGISTRY_URL": "http://ocop-registry",
                "OCOP_RATING_URL": "http://ocop-rating",
                "OCOP_TRACEABILITY_URL": "http://ocop-traceability",
                "OCOP_CATALOG_URL": "http://ocop-catalog",
                # Notifications by e-mail: smtp://[user@]host:587 (STARTTLS) or
                # smtps://[user@]host:465, the password in the Secret ocop-web. Empty: the
                # workspace's inbox only.
                "OCOP_SMTP_URL": "",
                "OCOP_MAIL_FROM": "OCOP <no-reply@ocop.example>",
            },
            secrets=("OCOP_SMTP_PASSWORD",), secrets_optional=True),
)


def _labels(process: Process) -> dict[str, str]:
    return {"app.kubernetes.io/name": process.app, "app.kubernetes.io/part-of": PART_OF}


def _meta(name: str, process: Process | None = None) -> dict[str, Any]:
    labels = _labels(process) if process else {"app.kubernetes.io/part-of": PART_OF}
    return {"name": name, "labels": labels}


def common_config() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(COMMON), "data": {
        "OCOP_BUS_URL": "kafka://kafka:9092?partitions=6",
        "OCOP_OTLP_ENDPOINT": "http://otel-collector:4318",
        "OCOP_LOG_LEVEL": "INFO",
        "OCOP_TRUSTED_PROXIES": POD_NETWORK,
    }}


def ingress() -> dict[str, Any]:
    routes = [(p.public_url, p) for p in PROCESSES]
    routes += [(url, p) for p in PROCESSES for key, url in p.settings.items()
               if key == "OCOP_SCAN_BASE_URL"]
    hosts = [url.removeprefix("https://").split("/")[0] for url, _ in routes]
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": _meta("ocop") | {"annotations": {
            # Scan pages and uploads (dossiers, images) up to OCOP_OBJECTS_MAX_BYTES.
            "nginx.ingress.kubernetes.io/proxy-body-size": "21m"}},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": hosts, "secretName": "ocop-tls"}],
            "rules": [{"host": host, "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": p.app, "port": {"name": "http"}}}}]}}
                for host, (_, p) in zip(hosts, routes, strict=True)],
        },
    }


def own_config(process: Process) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(process.app, process),
            "data": {"OCOP_PUBLIC_URL": process.public_url, **process.settings}}


def deployment(process: Process) -> dict[str, Any]:
    secret_env = [{"name": key, "valueFrom": {"secretKeyRef": {"name": SECRET, "key": key}}}
                  for key in PLATFORM_SECRETS]
    secret_env += [{"name": key, "valueFrom": {"secretKeyRef": {
        "name": process.app, "key": key, **({"optional": True}
                                            if process.secrets_optional else {})}}}
        for key in process.secrets]
    probe = {"port": "http"}
    container = {
        "name": process.name,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "args": ["ocop", "serve", process.name, "--host", "0.0.0.0", "--port", str(PORT)],
        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
        "envFrom": [{"configMapRef": {"name": COMMON}},
                    {"configMapRef": {"name": process.app}}],
        "env": secret_env,
        # Started: alive. Ready: its store and object store answer (a bus outage only makes
        # it degraded, still ready: the outbox keeps the events). Alive: the process answers;
        # never tied to a dependency, so an outage elsewhere restarts nothing.
        "startupProbe": {"httpGet": {"path": "/healthz", **probe}, "periodSeconds": 2,
                         "failureThreshold": 60},
        "readinessProbe": {"httpGet": {"path": "/readyz", **probe}, "periodSeconds": 10,
                           "timeoutSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/healthz", **probe}, "periodSeconds": 10,
                          "timeoutSeconds": 3, "failureThreshold": 6},
        # The Service stops sending before the process stops taking requests; the server
        # then waits up to 15 s for those in flight (terminationGracePeriodSeconds: 30).
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
        "resources": {"requests": {"cpu": process.cpu_request,
                                   "memory": process.memory_request},
                      "limits": {"memory": process.memory_limit}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "data", "mountPath": "/app/data"},
                         {"name": "tmp", "mountPath": "/tmp"}],
    }
    spec: dict[str, Any] = {} if process.autoscale else {"replicas": 2}
    spec |= {
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": _labels(process)},
        "strategy": {"type": "RollingUpdate",
                     "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "template": {
            "metadata": {"labels": _labels(process)},
            "spec": {
                "automountServiceAccountToken": False,
                "terminationGracePeriodSeconds": 30,
                "securityContext": {"runAsNonRoot": True, "runAsUser": 10001,
                                    "runAsGroup": 10001, "fsGroup": 10001,
                                    "seccompProfile": {"type": "RuntimeDefault"}},
                "topologySpreadConstraints": [{
                    "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": _labels(process)}}],
                "containers": [container],
                # Scratch only (the stores are PostgreSQL and S3): a worker's files, and keys
                # an embedded deployment would keep, which the Secrets give here.
                "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}},
                            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}],
            },
        },
    }
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": _meta(process.app, process), "spec": spec}


def service(process: Process) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(process.app, process),
            "spec": {"type": "ClusterIP", "selector": _labels(process),
                     "ports": [{"name": "http", "port": 80, "targetPort": "http",
                                "protocol": "TCP"}]}}


def disruption_budget(process: Process) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": _meta(process.app, process),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": _labels(process)}}}


def autoscaler(process: Process, low: int, high: int) -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": _meta(process.app, process),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                   "name": process.app},
                "minReplicas": low, "maxReplicas": high,
                "metrics": [{"type": "Resource", "resource": {
                    "name": "cpu", "target": {"type": "Utilization",
                                              "averageUtilization": 70}}}],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
            }}


def network_policy(process: Process) -> dict[str, Any]:
    sources: list[dict[str, Any]] = [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": INGRESS_NAMESPACE}}}]
    if process.reached_by_web:
        web = next(p for p in PROCESSES if p.name == "web")
        sources.append({"podSelector": {"matchLabels": _labels(web)}})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": _meta(process.app, process),
            "spec": {"podSelector": {"matchLabels": _labels(process)},
                     "policyTypes": ["Ingress"],
                     "ingress": [{"from": sources,
                                  "ports": [{"protocol": "TCP", "port": PORT}]}]}}


Doc = tuple[str, dict[str, Any]]


def _file(head: str, docs: list[Doc]) -> str:
    parts = []
    for note, doc in docs:
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
        comment = "".join(f"# {line}".rstrip() + "\n" for line in note.splitlines())
        parts.append(comment + text)
    header = "".join(f"# {line}".rstrip() + "\n" for line in head.splitlines())
    return header + "---\n" + "---\n".join(parts)


GENERATED = "Written by deploy/k8s/render.py: change that and run it; never edit by hand."


def files() -> dict[str, str]:
    """Each manifest file's name and text."""
    out = {"platform.yaml": _file(
        f"What every OCOP process shares.\n{GENERATED}\n"
        "Apply the folder, the Secrets made first (deploy/README.md):\n"
        "  kubectl apply -n ocop -f deploy/k8s/", [
            ("Settings every process reads. OCOP_TRUSTED_PROXIES may name the pod network\n"
             "only because the NetworkPolicies let no pod but the ingress controller's and\n"
             "the web front's connect to a service (the web front names whose sign-in it\n"
             "passes on to the registry): it needs a network plugin that enforces them.\n"
             "Without one, name the ingress controller's and the web front's addresses.",
             common_config()),
            ("Each public address to its service, the QR codes' scan address to traceability.\n"
             "TLS from the Secret ocop-tls (cert-manager, or kubectl create secret tls).",
             ingress()),
        ])}
    for p in PROCESSES:
        docs: list[Doc] = [
            ("Its own settings: where browsers reach it, and what only it reads.",
             own_config(p)),
            (f"Secrets: {SECRET} ({', '.join(PLATFORM_SECRETS)})"
             + (f"\nand {p.app} ({', '.join(p.secrets)}"
                + (", optional)" if p.secrets_optional else ")") if p.secrets else "")
             + ", created by the operator (deploy/README.md).\nIts replicas join one "
               f"Kafka consumer group ({p.name}) and share its partitions.",
             deployment(p)),
            ("Where the ingress and the other pods reach it.", service(p)),
            ("A drain or an upgrade of nodes takes at most one replica at a time.",
             disruption_budget(p)),
        ]
        if p.autoscale:
            docs.append(("More replicas under load (each topic has 6 partitions: more serve\n"
                         "requests, 6 at most consume).", autoscaler(p, *p.autoscale)))
        docs.append(("Who may connect: the ingress controller"
                     + (" and the web front." if p.reached_by_web else "."),
                     network_policy(p)))
        out[f"{p.name}.yaml"] = _file(
            "\n".join(textwrap.wrap(f"{p.app}: {p.does}.", 90)) + f"\n{GENERATED}", docs)
    return out


def main(argv: list[str]) -> int:
    """Write the files; with --check, only say which differ (exit 1)."""
    stale = []
    for name, text in files().items():
        path = HERE / name
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if "--check" not in argv:
            path.write_text(text)
    verb = "differ from deploy/k8s/render.py" if "--check" in argv else "written"
    print(f"{', '.join(stale)}: {verb}" if stale else "deploy/k8s: up to date")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
