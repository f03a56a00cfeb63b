"""Tokens: signed by the registry's private key, verified with the public key alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from shared.identity.auth import (
    Caller,
    Role,
    TokenIssuer,
    TokenVerifier,
    new_key_pair,
    signing_key,
    verification_key,
)
from shared.platform.config import Settings
from shared.refusals import Unauthorized
from tests.support.clocks import SYSTEM_CLOCK, FixedClock


def test_keys_from_env_lines_sign_and_verify(make_settings: Callable[..., Settings]) -> None:
    private, public = new_key_pair()
    one_line = private.replace("\n", "\\n")  # as `ocop auth-keys` writes it for .env
    registry = make_settings(auth_private_key=one_line)
    catalog = make_settings(auth_public_key=public.replace("\n", "\\n"))
    token = TokenIssuer(signing_key(registry), timedelta(minutes=5), SYSTEM_CLOCK).issue(
        Caller("u1", "producer-1", Role.PRODUCER, subject_id="s1")).token
    caller = TokenVerifier(verification_key(catalog)).verify(token)
    assert caller == Caller("u1", "producer-1", Role.PRODUCER, subject_id="s1")
    assert not (registry.data_dir / ".auth-signing-key.pem").exists()


def test_embedded_key_is_made_once_and_kept_private(make_settings: Callable[..., Settings]
                                                    ) -> None:
    settings = make_settings()
    first = signing_key(settings)
    path = settings.data_dir / ".auth-signing-key.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    assert signing_key(settings).public_key() == first.public_key()


def test_expired_forged_and_tampered_tokens_are_refused(
        make_settings: Callable[..., Settings]) -> None:
    key = signing_key(make_settings())
    verifier = TokenVerifier(key.public_key())
    admin = Caller("a", "office", Role.ADMIN)
    an_hour_ago = FixedClock(SYSTEM_CLOCK.now() - timedelta(hours=1))
    expired = TokenIssuer(key, timedelta(minutes=5), an_hour_ago).issue(admin).token
    with pytest.raises(Unauthorized) as refused:
        verifier.verify(expired)
    assert refused.value.code == "token-expired"
    forged = TokenIssuer(signing_key(make_settings(data_dir=make_settings().data_dir / "x")),
                         timedelta(minutes=5), SYSTEM_CLOCK).issue(admin).token
    good = TokenIssuer(key, timedelta(minutes=5), SYSTEM_CLOCK).issue(admin).token
    head, body, signature = good.split(".")
    tampered = ".".join((head, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"), signature))
    for token in (forged, tampered, "", "a.b.c"):
        with pytest.raises(Unauthorized) as refused:
            verifier.verify(token)
        assert refused.value.code == "token-invalid"


