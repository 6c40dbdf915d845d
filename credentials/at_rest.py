"""How keys and tokens are kept: HMAC-SHA256 digests under a versioned pepper for the values the
portal only verifies, AES-256-GCM under a key id for the secrets it must know.

Never argon2 or PBKDF2 here: these values carry 190 random bits, and a slow hash would only make
every API call slow.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.signals import setting_changed
from django.dispatch import receiver

from core.conf import portico

NONCE_LENGTH = 12


@dataclass(frozen=True)
class Digest:
    pepper_id: str
    hexdigest: str


def digest(value: str) -> Digest:
    """The value's digest under the current pepper: what the database stores and indexes."""
    (pepper_id, keyed), *_ = _keyed_peppers()
    return Digest(pepper_id, _hexdigest(keyed, value))


def candidate_digests(value: str) -> list[str]:
    """The value's digest under every configured pepper, newest first, for a lookup."""
    return [_hexdigest(keyed, value) for _, keyed in _keyed_peppers()]


@cache
def _keyed_peppers() -> tuple[tuple[str, hmac.HMAC], ...]:
    # Read from settings and keyed once, then copied per value: this runs on every API call,
    # and reading the setting or keying HMAC anew costs more than the hash itself.
    return tuple(
        (pepper_id, hmac.new(pepper, digestmod=hashlib.sha256))
        for pepper_id, pepper in portico.TOKEN_PEPPERS
    )


@receiver(setting_changed)
def _forget_keyed_peppers(*, setting: str, **kwargs) -> None:
    if setting == "PORTICO_TOKEN_PEPPERS":
        _keyed_peppers.cache_clear()


def _hexdigest(keyed: hmac.HMAC, value: str) -> str:
    mac = keyed.copy()
    mac.update(value.encode())
    return mac.hexdigest()


@dataclass(frozen=True)
class Sealed:
    key_id: str
    ciphertext: bytes


def current_key_id() -> str:
    return portico.ENCRYPTION_KEYS[0][0]


def encrypt(plaintext: str, *, context: str) -> Sealed:
    """Encrypt under the current key; `context` (authenticated, not stored) binds it to its row."""
    key_id, key = portico.ENCRYPTION_KEYS[0]
    nonce = secrets.token_bytes(NONCE_LENGTH)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return Sealed(key_id, nonce + ciphertext)


def decrypt(sealed: Sealed, *, context: str) -> str:
    """Decrypt with the key the value names; raises KeyError for a key no longer configured."""
    blob = bytes(sealed.ciphertext)
    nonce, ciphertext = blob[:NONCE_LENGTH], blob[NONCE_LENGTH:]
    return _cipher(sealed.key_id).decrypt(nonce, ciphertext, context.encode()).decode()


@cache
def _cipher(key_id: str) -> AESGCM:
    # Keyed once per key id: a signed OAuth 1.0a request decrypts two secrets, and building
    # the cipher (and reading the setting) cost more than decrypting.
    return AESGCM(dict(portico.ENCRYPTION_KEYS)[key_id])


@receiver(setting_changed)
def _forget_ciphers(*, setting: str, **kwargs) -> None:
    if setting == "PORTICO_ENCRYPTION_KEYS":
        _cipher.cache_clear()
