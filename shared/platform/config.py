"""Settings from the environment (``OCOP_*``), one URL per port.

Bad configuration fails at start with a message that names the variable, so an operator
never has to read a traceback to find the typo.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from limits import parse
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SERVICES = ("registry", "rating", "traceability", "catalog")
FRONTS = ("web",)
"""Processes that serve people's pages from the services' APIs and keep no data of their
own beyond sign-in sessions."""

STORE_SCHEMES = ("sqlite", "postgresql", "postgres", "mongodb", "mongodb+srv")
BUS_SCHEMES = ("local", "kafka")
OBJECTS_SCHEMES = ("file", "s3", "s3s")

ENV_PREFIX = "OCOP_"

_PORT_SCHEMES: dict[str, tuple[tuple[str, ...], str]] = {
    "store_url": (STORE_SCHEMES, "sqlite:///data/{service}.db or "
                                 "postgresql://ocop:PASSWORD@postgres:5432/ocop"),
    "bus_url": (BUS_SCHEMES, "local:///data/bus.db or kafka://kafka:9092"),
    "objects_url": (OBJECTS_SCHEMES, "file:///data/objects or s3://key:secret@seaweedfs:8333/ocop"),
}


class ConfigError(Exception):
    """Configuration that cannot work; the message names the variable to fix."""


def redact_url(url: str) -> str:
    """``scheme://user:secret@host/…`` -> ``scheme://user:***@host/…`` for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _check_scheme(value: str, schemes: tuple[str, ...], example: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        raise ValueError(f"scheme '{scheme}' is not supported; use one of "
                         f"{', '.join(s + '://' for s in schemes)} (for example {example})")
    return value


class Settings(BaseSettings):
    """Everything a service process needs to start. Every field is ``OCOP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where embedded adapters keep their files.")
    store_url: SecretStr = Field(
        SecretStr("sqlite://{data_dir}/{service}.db"),
        description="Document store: sqlite://{data_dir}/{service}.db (one machine), "
                    "postgresql://user:password@host:5432/database (several machines; each "
                    "service's collections in the schema 'ocop_<service>', so the services can "
                    "share one database) or mongodb://… (the database 'ocop_<service>'). "
                    "'{service}' and '{data_dir}' (made absolute) are filled in.")
    bus_url: SecretStr = Field(SecretStr("local://{data_dir}/bus.db"),
                               description="Event bus: local:///path/bus.db or kafka://host:9092")
    objects_url: SecretStr = Field(SecretStr("file://{data_dir}/objects"),
                                   description="Object store: file:///dir or "
                                               "s3://key:secret@host:port/bucket")
    objects_max_bytes: Annotated[int, Field(gt=0)] = 20 * 1024 * 1024
    objects_signing_key: SecretStr | None = Field(
        None, description="Signs links to files of the directory object store. "
                          "Made and kept in the data directory when not set.")
    public_url: str = Field("http://127.0.0.1:8000",
                            description="Base URL at which this service is reached by browsers.")
    auth_private_key: SecretStr | None = Field(
        None, description="Ed25519 private key (PEM) with which the registry signs tokens. "
                          "Made and kept in the data directory when not set (embedded mode).")
    auth_public_key: str | None = Field(
        None, description="Ed25519 public key (PEM) with which services verify tokens; "
                          "derived from the private key when not set.")
    token_ttl_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 8 * 60
    json_max_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024
    rate_limit: str = Field("100/second", description="Requests per client address, e.g. "
                                                      "'100/second' or '5000/minute'")
    scan_rate_limit: str = Field("300/minute", description=(
        "Scan pages per client address (the traceability service): a shopper opens a few a "
        "minute, a shop's or a mobile network's shared address a few hundred."))
    office_contact: str = Field("", max_length=300, description=(
        "How shoppers reach the OCOP office (a phone number, an e-mail, an address), told on "
        "the scan page under every counterfeit warning, after the office of the product's "
        "province. Unset: the page names that office only."))
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field((), description=(
        "Addresses or networks (CIDR) of the proxies in front of this process, comma "
        "separated: only a request from one of them may name its client in X-Forwarded-For "
        "(the web front, for the registry's sign-in throttle; an ingress). Empty: none may, "
        "and every client is its connection's address."))
    scan_base_url: str | None = Field(
        None, description="Base of the URLs printed in QR labels (GS1 Digital Link); the "
                          "traceability service's public URL when not set.")
    allow_private_scan_url: bool = Field(
        False, description="Print label sheets whose codes encode a loopback or private "
                           "scan address: for tests and one-machine demos only (a shopper's "
                           "phone cannot open such a code). Unset, `ocop run` on a loopback "
                           "address prints them (one_machine_demo) and says so.")
    scan_fingerprint_key: SecretStr | None = Field(
        None, description="Salts the coarse client fingerprint kept with scan counts (a "
                          "hash of the client's network and browser family, never the "
                          "address itself). Made and kept in the data directory when not "
                          "set; replicas of the traceability service need the same one.")
    stream_bootstrap: str | None = Field(
        None, description="Kafka address (host:port) sales channels are given for the public "
                          "listings stream, in the catalog's AsyncAPI document; the bus's own "
                          "when not set and the bus is Kafka.")
    allow_private_webhook_urls: bool = Field(
        False, description="Accept http:// and loopback or private webhook endpoints: for "
                           "tests and one-machine demos only (otherwise a channel could make "
                           "the catalog call the platform's own network).")
    webhook_first_retry_seconds: Annotated[float, Field(gt=0, le=3600, description=(
        "Wait before a failed webhook's first retry; each next wait is five times longer."
        ))] = 5.0
    webhook_attempts: Annotated[int, Field(ge=1, le=12, description=(
        "Attempts per webhook delivery before it is given up and its endpoint disabled "
        "(8 with the 5 s first wait: about 27 hours)."))] = 8
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=60, description=(
        "How long a webhook receiver has to answer."))] = 10.0
    catalog_warm_up_seconds: Annotated[float, Field(ge=0, le=3600, description=(
        "Catalog only: after a start, its search tables and indexes are read into the OS "
        "page cache and a few searches asked in-process, in the background, for at most "
        "this long, so that its first searches neither read their pages from disk nor pay "
        "the first request's costs; /readyz answers 503 'unready' (warm-up) until it ends. "
        "0: no warm-up."))] = 120.0
    registry_url: str = Field("http://127.0.0.1:8001", description=(
        "Where the web front reaches the registry's API (its producers' own tokens)."))
    rating_url: str = Field("http://127.0.0.1:8002",
                            description="Where the web front reaches the rating API.")
    traceability_url: str = Field("http://127.0.0.1:8003", description=(
        "Where the web front reaches the traceability API."))
    catalog_url: str = Field("http://127.0.0.1:8004", description=(
        "Where the web front reaches the catalog's API (the office's sales channels)."))
    smtp_url: str | None = Field(None, description=(
        "Where the web front sends people's notifications by e-mail: smtp://[user@]host:587 "
        "(STARTTLS) or smtps://[user@]host:465. Unset: notifications reach the workspace's "
        "inbox only, and no e-mail is queued."))
    smtp_password: SecretStr | None = Field(None, description=(
        "The SMTP account's password (the user is in OCOP_SMTP_URL); never logged."))
    mail_from: str = Field("OCOP <no-reply@ocop.localhost>", description=(
        "The From of the notifications' e-mail."))
    password_hash_memory_kib: Annotated[int, Field(ge=1024, le=4 * 2**20, description=(
        "Argon2id memory cost of a password's hash, in KiB: 64 MiB by default (RFC 9106's "
        "second recommendation, pwdlib's); OWASP's floor is 19 MiB. Lower only where the "
        "accounts are throwaway and sign-ins must be cheap, as the tests' platforms."))] = 65536
    password_hash_time_cost: Annotated[int, Field(ge=1, le=10, description=(
        "Argon2id passes over that memory (3 by default)."))] = 3
    session_hours: Annotated[int, Field(ge=1, le=30 * 24, description=(
        "How long a sign-in to the web front lasts (at most its token's lifetime)."))] = 8
    otlp_endpoint: str | None = Field(None, description="OTLP/HTTP endpoint for traces, "
                                                        "e.g. http://otel-collector:4318")
    log_level: str = "INFO"
    retry_attempts: Annotated[int, Field(ge=1, le=20)] = 4
    retry_backoff_seconds: Annotated[float, Field(gt=0, le=60)] = 0.1
    relay_poll_seconds: Annotated[float, Field(gt=0, le=60)] = 0.5
    relay_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 500
    restart_backoff_seconds: Annotated[float, Field(gt=0, le=60, description=(
        "How long a background task that failed (the outbox relay, the consumer, a job) "
        "waits before it is started again; doubled with each failure in a row."))] = 0.5
    restart_max_backoff_seconds: Annotated[float, Field(gt=0, le=3600, description=(
        "The longest a failed background task waits before it is started again."))] = 30.0
    ready_outbox_lag_seconds: Annotated[float, Field(gt=0, le=86_400, description=(
        "/readyz says degraded (503) while an event has waited longer than this in the "
        "outbox with the bus up."))] = 60.0
    reconcile_seconds: Annotated[float, Field(gt=0, le=7 * 24 * 3600, description=(
        "How often each service says again a slice of the state it owns (rating: "
        "certificates; catalog: the listings stream), repairing what a lost event left "
        "behind."))] = 600
    reconcile_slice: Annotated[int, Field(ge=1, le=100_000, description=(
        "How many aggregates a reconciliation run says again; the next run goes on from "
        "there."))] = 2000

    @field_validator("store_url", "bus_url", "objects_url")
    @classmethod
    def _port_scheme(cls, v: SecretStr, info: ValidationInfo) -> SecretStr:
        schemes, example = _PORT_SCHEMES[info.field_name or ""]
        _check_scheme(v.get_secret_value(), schemes, example)
        return v

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, v: str | None) -> str | None:
        if not v:
            return None
        parts = urlsplit(v)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("write it as smtp://host:587 (STARTTLS) or smtps://host:465")
        if parts.password is not None:
            raise ValueError("put the password in OCOP_SMTP_PASSWORD, not in the URL")
        return v

    @field_validator("rate_limit", "scan_rate_limit")
    @classmethod
    def _rate(cls, v: str) -> str:
        try:
            parse(v)
        except ValueError:
            raise ValueError("write it as a count per period, e.g. 100/second or 5000/minute"
                             ) from None
        return v

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, v: Any) -> tuple[str, ...]:
        given = v.split(",") if isinstance(v, str) else v
        proxies = []
        for entry in (str(e).strip() for e in given):
            if not entry:
                continue
            try:
                proxies.append(str(ipaddress.ip_network(entry, strict=False)))
            except ValueError:
                # '*' too: trusting anyone is what this setting exists to prevent.
                raise ValueError(f"'{entry}' is not an address or a network; name the "
                                 "proxies, e.g. 10.0.0.5,10.1.0.0/16") from None
        return tuple(proxies)

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        levels = ("DEBUG", "INFO", "WARNING", "ERROR")
        if v.upper() not in levels:
            raise ValueError(f"use one of {', '.join(levels)}")
        return v.upper()

    def _fill(self, template: SecretStr, service: str = "") -> str:
        # data_dir is made absolute so 'sqlite://{data_dir}/x.db' reads 'sqlite:///abs/x.db'.
        return template.get_secret_value().format(data_dir=self.data_dir.resolve().as_posix(),
                                                  service=service)

    def store_url_for(self, service: str) -> str:
        return self._fill(self.store_url, service)

    def bus_url_resolved(self) -> str:
        return self._fill(self.bus_url)

    def objects_url_resolved(self) -> str:
        return self._fill(self.objects_url)


def is_loopback(host: str) -> bool:
    """Whether a server listening on ``host`` is reachable from this machine only."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def one_machine_demo(settings: Settings, host: str) -> bool:
    """Whether ``ocop run`` on ``host`` may print labels encoding its own loopback scan
    address without being told to: listening on loopback it serves this machine alone, so
    no shopper could scan anything it prints anyway; it is a demo. Not when
    OCOP_ALLOW_PRIVATE_SCAN_URL is set either way, nor on any other address: the
    deployment others reach (and ``ocop serve``) refuses such labels unless told."""
    return "allow_private_scan_url" not in settings.model_fields_set and is_loopback(host)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one that names ``OCOP_`` variables."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ENV_PREFIX + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"  {name}: {err['msg']}")
        raise ConfigError("Invalid configuration:\n" + "\n".join(lines)) from None
