"""Encrypting provider secrets (Plaid access tokens, OAuth refresh tokens) before they are stored.

Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`, keyed from `TEPPAN_ENCRYPTION_KEY`
or, when that is unset, derived from `TEPPAN_SECRET_KEY`: a stolen database alone does not hand
over the bank connection.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from core.settings import Settings


class SecretUnreadable(ValueError):
    """Encrypted under another key, or tampered with."""


def _fernet(settings: Settings) -> Fernet:
    if settings.encryption_key is not None:
        material = settings.encryption_key.get_secret_value().encode()
    else:
        material = b"teppan-at-rest:" + settings.secret_key.get_secret_value().encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material).digest()))


def encrypt(settings: Settings, plaintext: str) -> str:
    return _fernet(settings).encrypt(plaintext.encode()).decode()


def decrypt(settings: Settings, token: str) -> str:
    try:
        return _fernet(settings).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("stored secret cannot be decrypted with this key") from error
