"""Passwords are hashed with Argon2id at the cost the settings give: pwdlib's recommendation
(RFC 9106's second: 64 MiB, 3 passes) unless told otherwise."""

from __future__ import annotations

import pytest

from services.registry.accounts.commands import password_hashing
from shared.platform.config import ConfigError, load_settings


def test_the_default_cost_is_the_recommended_one() -> None:
    settings = load_settings()
    hashed = password_hashing(settings.password_hash_memory_kib,
                              settings.password_hash_time_cost).hash("một-mật-khẩu-dài")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_hash_names_its_cost_so_one_made_at_another_still_verifies() -> None:
    cheap, dear = password_hashing(1024, 1), password_hashing()
    made_cheaply = cheap.hash("một-mật-khẩu-dài")
    assert made_cheaply.startswith("$argon2id$v=19$m=1024,t=1,")
    assert dear.verify("một-mật-khẩu-dài", made_cheaply)
    assert not dear.verify("một-mật-khẩu-khác", made_cheaply)


@pytest.mark.parametrize(("setting", "variable"), [
    ({"password_hash_memory_kib": 512}, "OCOP_PASSWORD_HASH_MEMORY_KIB"),
    ({"password_hash_time_cost": 0}, "OCOP_PASSWORD_HASH_TIME_COST")])
def test_a_cost_below_the_floor_is_refused_naming_its_variable(setting: dict[str, int],
                                                               variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(**setting)
