"""Keyed pseudonymisation of BSNs (HMAC-SHA256).

The same key gives the same pseudonym in every source, so a youth can be followed from JGT aanmelding to toewijzing
to declaratie without anyone seeing the BSN. Without the key a pseudonym cannot be reversed or recomputed by
trying all ~90 million valid BSNs, which a plain hash would allow.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from jeugdmonitor import owner_only
from jeugdmonitor.config import PrivacyConfig

KEY_BYTES = 32


class PseudonymKeyError(RuntimeError):
    """No usable pseudonymisation key; the message says where the monitor looked."""


class KeyMismatch(PseudonymKeyError):
    """The key is not the one this warehouse's pseudonyms were made with: loading with it would break every link
    between the pseudonyms already there and the new ones (docs/privacy.md, "Rotating the key")."""


class Pseudonymiser:
    """Turns a BSN into a 64-character hex pseudonym. Holds the key; never logs, stores or shows it."""

    def __init__(self, key: bytes):
        if len(key) < KEY_BYTES:
            raise PseudonymKeyError(f"the pseudonymisation key must be at least {KEY_BYTES} bytes, got {len(key)}")
        self._key = key
        # The HMAC state after the key, copied per BSN: setting up the key each time was half of the cost.
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, bsn: str) -> str:
        mac = self._keyed.copy()
        mac.update(bsn.encode("ascii"))
        return mac.hexdigest()

    def __reduce__(self) -> tuple:  # to the parse workers (an HMAC object does not pickle)
        return Pseudonymiser, (self._key,)

    def __repr__(self) -> str:  # the key must not end up in logs or tracebacks
        return "Pseudonymiser(key=<hidden>)"

    @property
    def key_id(self) -> str:
        """A short fingerprint of the key, stored with each load so a key rotation is visible in meta."""
        return hmac.new(self._key, b"jeugdmonitor-key-id", hashlib.sha256).hexdigest()[:12]


def _decode(text: str, where: str) -> bytes:
    text = text.strip()
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise PseudonymKeyError(f"the pseudonymisation key in {where} is not hexadecimal") from None


def load_key(privacy: PrivacyConfig, environ: Mapping[str, str] | None = None) -> bytes:
    """The key from (in order) the environment variable, the Prefect Secret block, or the key file."""
    environ = os.environ if environ is None else environ
    if value := environ.get(privacy.key_env):
        return _decode(value, f"${privacy.key_env}")
    if privacy.key_block:
        from prefect.blocks.system import Secret  # imported here: only deployments that use blocks pay for it

        # async_dispatch types load() as "value or coroutine"; called from sync code it is the value
        secret = Secret.load(privacy.key_block).get()  # type: ignore[union-attr]
        return _decode(secret, f"Prefect Secret block {privacy.key_block!r}")
    if privacy.key_file is not None:
        path = Path(privacy.key_file)
        if path.exists():
            return _decode(path.read_text(encoding="ascii"), str(path))
        if privacy.create_key_file:
            return create_key_file(path)
    raise PseudonymKeyError(
        f"no pseudonymisation key: set ${privacy.key_env}, configure privacy.key_block, "
        "or point privacy.key_file at an existing key file"
    )


def create_key_file(path: Path) -> bytes:
    """Write a new random key readable by its owner only (0600); refuses to overwrite an existing file."""
    owner_only.make_dir(path.parent)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, owner_only.FILE_MODE)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def pseudonymiser_from_config(privacy: PrivacyConfig, environ: Mapping[str, str] | None = None) -> Pseudonymiser:
    return Pseudonymiser(load_key(privacy, environ))
