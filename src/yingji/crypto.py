"""Personal data at rest: encryption with YINGJI_DATA_KEY, keyed lookup hashes, masks.

Petitioners' names, phone numbers, ID numbers and addresses are stored only as
ciphertext plus a masked form for lists (张**, 138****1234). Finding "the same
petitioner" uses an HMAC of the normalised value, so no search ever decrypts the table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class UnreadableData(ValueError):
    """Ciphertext that the configured key cannot open (wrong or rotated key)."""


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode("ascii"))


@lru_cache(maxsize=4)
def _lookup_key(key: str) -> bytes:
    # A separate key for lookups, derived so that a hash never doubles as the cipher key.
    return hmac.new(key.encode("ascii"), b"yingji lookup hash v1", hashlib.sha256).digest()


def encrypt(text: str) -> str:
    if not text:
        return ""
    return _fernet(settings.DATA_KEY).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.DATA_KEY).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise UnreadableData("personal data cannot be decrypted with YINGJI_DATA_KEY") from None


def encrypt_bytes(content: bytes) -> bytes:
    return _fernet(settings.DATA_KEY).encrypt(content)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet(settings.DATA_KEY).decrypt(token)
    except InvalidToken:
        raise UnreadableData("a document cannot be decrypted with YINGJI_DATA_KEY") from None


def normal_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def normal_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def lookup_hash(kind: str, normal_value: str) -> str:
    """A keyed hash for finding equal values; empty for an empty value."""
    if not normal_value:
        return ""
    message = f"{kind}:{normal_value}".encode()
    return hmac.new(_lookup_key(settings.DATA_KEY), message, hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * min(len(name) - 1, 6)


def mask_phone(phone: str) -> str:
    digits = normal_phone(phone)
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(value: str) -> str:
    value = normal_id_number(value)
    if len(value) > 8:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return "*" * len(value)


def mask_address(address: str) -> str:
    """Keep the first few characters (the district), hide the rest."""
    address = (address or "").strip()
    if len(address) <= 6:
        return address[:2] + "*" * max(0, len(address) - 2)
    return address[:6] + "****"
