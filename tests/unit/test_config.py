"""Configuration: defaults resolve to the data directory; bad values name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.platform.config import ConfigError, load_settings, one_machine_demo, redact_url


def test_defaults_put_every_file_under_the_absolute_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.store_url_for("rating") == f"sqlite://{tmp_path}/rating.db"
    assert settings.bus_url_resolved() == f"local://{tmp_path}/bus.db"
    assert settings.objects_url_resolved() == f"file://{tmp_path}/objects"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_BUS_URL", "kafka://kafka:9092")
    monkeypatch.setenv("OCOP_STORE_URL", "mongodb://mongo:27017/?replicaSet=rs0")
    settings = load_settings()
    assert settings.bus_url_resolved() == "kafka://kafka:9092"
    assert settings.store_url_for("catalog").startswith("mongodb://mongo")
    # The distributed deployment's store (docker-compose.yml, deploy/k8s): one database.
    monkeypatch.setenv("OCOP_STORE_URL", "postgresql://ocop:secret@postgres:5432/ocop")
    assert load_settings().store_url_for("web") == "postgresql://ocop:secret@postgres:5432/ocop"


@pytest.mark.parametrize(("variable", "value", "hint"), [
    ("OCOP_BUS_URL", "rabbitmq://x", "kafka://"),
    ("OCOP_STORE_URL", "redis://x", "postgresql://"),
    ("OCOP_OBJECTS_URL", "ftp://x", "s3://"),
    ("OCOP_RETRY_ATTEMPTS", "0", "greater than or equal to 1"),
    ("OCOP_LOG_LEVEL", "LOUD", "INFO"),
    ("OCOP_TRUSTED_PROXIES", "10.0.0.5,*", "name the proxies"),
])
def test_bad_configuration_fails_naming_the_variable(monkeypatch: pytest.MonkeyPatch,
                                                     variable: str, value: str,
                                                     hint: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert variable in str(err.value) and hint in str(err.value)


def test_trusted_proxies_are_addresses_and_networks_none_by_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().trusted_proxies == ()
    monkeypatch.setenv("OCOP_TRUSTED_PROXIES", "172.30.42.10, 10.1.0.0/16,")
    assert load_settings().trusted_proxies == ("172.30.42.10/32", "10.1.0.0/16")


def test_secrets_are_hidden_from_repr_and_redacted_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_OBJECTS_URL", "s3://AKIA:topsecret@s3:8333/ocop")
    settings = load_settings()
    assert "topsecret" not in repr(settings)
    assert redact_url(settings.objects_url_resolved()) == "s3://AKIA:***@s3:8333/ocop"
    assert redact_url("kafka://kafka:9092") == "kafka://kafka:9092"


@pytest.mark.parametrize(("host", "told", "demo"), [
    ("127.0.0.1", None, True), ("localhost", None, True), ("::1", None, True),
    ("127.0.0.1", "false", False),  # told to refuse: it refuses, even on one machine
    ("127.0.0.1", "true", False),   # told to allow: nothing to decide
    ("0.0.0.0", None, False), ("192.168.1.20", None, False), ("ocop.example", None, False),
])
def test_only_a_platform_on_loopback_left_untold_is_a_one_machine_demo(
        monkeypatch: pytest.MonkeyPatch, host: str, told: str | None, demo: bool) -> None:
    """`ocop run` on 127.0.0.1 prints labels for its own scan address (said so at start);
    the deployment others reach keeps refusing them unless OCOP_ALLOW_PRIVATE_SCAN_URL."""
    monkeypatch.delenv("OCOP_ALLOW_PRIVATE_SCAN_URL", raising=False)
    if told is not None:
        monkeypatch.setenv("OCOP_ALLOW_PRIVATE_SCAN_URL", told)
    assert one_machine_demo(load_settings(), host) is demo
