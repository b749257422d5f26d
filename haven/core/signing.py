"""The installation's signing key (Ed25519), kept in the key folder.

Backups' manifests and the audit trail's checkpoints (ADR 30) are signed
with it. It sits in core, below the audit trail, so that both can use it.
The private half is ``KEY_DIR/signing_key`` (PEM, mode 0600), made
on first use outside production; production reads ``HAVEN_SIGNING_KEY_FILE``
and refuses without it. The public half is written beside it as
``signing_key.pub`` so that a restore on a new machine can be given it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from haven.core.keyfiles import read_secret


class SigningKeyError(Exception):
    """No usable signing key, or a signature that does not verify."""


class SignatureInvalid(SigningKeyError):
    """A signature that does not verify under the key it was checked with."""


def _key_path() -> Path:
    return Path(settings.KEY_DIR) / "signing_key"


def public_key_path() -> Path:
    return Path(settings.KEY_DIR) / "signing_key.pub"


def _create(path: Path) -> None:
    """Write a new private key with O_EXCL: of two processes, the loser reads the winner's."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _load_private(pem: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key((pem.strip() + "\n").encode(), password=None)
    except (ValueError, TypeError) as error:
        raise SigningKeyError("the signing key is not a PEM Ed25519 private key") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("the signing key is not an Ed25519 key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """The installation's private signing key; its public half is kept written beside it."""
    pem = read_secret("HAVEN_SIGNING_KEY")
    if not pem:
        if settings.PRODUCTION:
            raise SigningKeyError(
                "no signing key: set HAVEN_SIGNING_KEY_FILE to the installation's signing key"
            )
        path = _key_path()
        if not path.exists():
            _create(path)
        pem = path.read_text(encoding="ascii")
    key = _load_private(pem)
    _write_public(key.public_key())
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _write_public(key: Ed25519PublicKey) -> None:
    path = public_key_path()
    pem = public_pem(key)
    try:
        if path.exists() and path.read_bytes() == pem:
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(pem)
        temporary.chmod(0o644)
        temporary.replace(path)
    except OSError:
        # The key folder may be read-only in production: the public half is a
        # convenience: the operator can derive it from the private key
        # (openssl pkey -in signing_key -pubout > signing_key.pub).
        return


def load_public(path: Path) -> Ed25519PublicKey:
    """A public signing key from a PEM file (``signing_key.pub``)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as error:
        raise SigningKeyError(f"cannot read the signer's key {path}: {error.strerror}") from error
    except ValueError as error:
        raise SigningKeyError(f"{path} is not a PEM public key") from error
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path} is not an Ed25519 public key")
    return key


def local_public_key() -> Ed25519PublicKey:
    """This installation's public key: from signing_key.pub, else from the private key."""
    path = public_key_path()
    if path.exists():
        return load_public(path)
    if read_secret("HAVEN_SIGNING_KEY") or _key_path().exists():
        return signing_key().public_key()
    raise SigningKeyError(
        "no signer's key in the key folder: neither signing_key.pub nor the signing key is there"
    )


def verify(key: Ed25519PublicKey, signature: bytes, message: bytes) -> None:
    try:
        key.verify(signature, message)
    except InvalidSignature as error:
        # Each caller says what was signed: a manifest, a checkpoint.
        raise SignatureInvalid("the signature does not verify") from error
