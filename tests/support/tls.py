"""HTTPS for a test: a throwaway certificate authority, a certificate it signs for
127.0.0.1, and a TLS-terminating proxy in front of a plain-http server (the platform's
services are served over http; TLS is a reverse proxy's job in a deployment too).

The authority is made with ``cryptography`` (already in the lock) and lives only in the
test's temporary folder; nothing is added to the machine's trust store."""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from time_machine import escape_hatch

from tests.support.tcp_proxy import TcpProxy


@dataclass(frozen=True)
class Authority:
    """A certificate authority of the test's own and the server certificate it issued."""

    ca_pem: Path
    cert_pem: Path
    key_pem: Path
    spki_sha256: str
    """The server key's SubjectPublicKeyInfo hash, base64: what Chromium's
    ``--ignore-certificate-errors-spki-list`` names to trust this one certificate."""

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_pem, self.key_pem)
        return context


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_authority(folder: Path, host: str = "127.0.0.1") -> Authority:
    """A CA and a certificate for ``host`` (an IP address) it signed, as PEM files in
    ``folder``; valid from yesterday for a week (by the machine's clock: TLS libraries
    read it, not the platform's: the real one when the suite travels in time)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = (escape_hatch.datetime.datetime.now(datetime.UTC) if escape_hatch.is_travelling()
           else datetime.datetime.now(datetime.UTC))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("OCOP test CA"))
          .issuer_name(_name("OCOP test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=7))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = Authority(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem",
                          base64.b64encode(hashlib.sha256(key.public_key().public_bytes(
                              serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)).digest()
                          ).decode())
    paths.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    return paths


class TlsProxy(TcpProxy):
    """``TcpProxy`` answering TLS on its port and passing the plain bytes on."""

    def __init__(self, target_port: int, authority: Authority, port: int | None = None
                 ) -> None:
        super().__init__(target_port, port)
        self.context = authority.server_context()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port,
                                                  reuse_address=True, ssl=self.context)
