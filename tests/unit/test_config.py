"""Configuration: defaults resolve to the data directory; bad values name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import ConfigError, load_settings, redact_url


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


@pytest.mark.parametrize(("variable", "value", "hint"), [
    ("OCOP_BUS_URL", "rabbitmq://x", "kafka://"),
    ("OCOP_STORE_URL", "postgres://x", "sqlite://"),
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
