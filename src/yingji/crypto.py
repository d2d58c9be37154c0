"""Personal data at rest: encryption with YINGJI_DATA_KEY, keyed lookup hashes, masks.

Petitioners' names, phone numbers, ID numbers and addresses are stored only as
ciphertext plus a masked form for lists (张**, 1******1234). Finding "the same
petitioner" uses an HMAC of the normalised value, so no search ever decrypts the table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

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


def normal_name(value: str) -> str:
    """A name as typed at any counter: full-width forms folded, no spaces (张 三 is 张三)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or ""))


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


# A mask is stored in a column of 24 characters; a longer value still shows no more.
MASK_LENGTH = 24


def mask_ends(value: str, *, head: int, tail: int) -> str:
    """The one rule for numbers (phones, ID numbers): at most half of the characters
    show, the last ones first (up to ``tail``: people confirm a number by its last
    digits), then the first ones (up to ``head``); every other one is a star.

    So a number of any length keeps at least half of it hidden, and a short one is never
    shown whole: 6543210 becomes ****210, 87654321 ****4321, 13800001234 1******1234; an
    ID number of 18 characters keeps its first and last four.
    """
    shown = len(value) // 2
    last = min(tail, shown)
    first = min(head, shown - last)
    stars = min(len(value) - first - last, MASK_LENGTH - first - last)
    return value[:first] + "*" * stars + (value[len(value) - last :] if last else "")


def mask_phone(phone: str) -> str:
    return mask_ends(normal_phone(phone), head=3, tail=4)


def mask_id_number(value: str) -> str:
    return mask_ends(normal_id_number(value), head=4, tail=4)


def mask_address(address: str) -> str:
    """Keep the first few characters (the district), hide the rest."""
    address = (address or "").strip()
    if len(address) <= 6:
        return address[:2] + "*" * max(0, len(address) - 2)
    return address[:6] + "****"


def remask(model: Any, fields: Iterable[tuple[str, str, Callable[[str], str]]]) -> None:
    """Store every row's masks again under the current rules (for a data migration).

    ``fields`` holds (ciphertext field, mask field, mask function). A value the
    configured key cannot open gets stars only: a mask must never show more than the
    rule allows, and the old mask may have shown too much.
    """
    fields = list(fields)
    names = [masked for _enc, masked, _mask in fields]
    query = model.objects.only("pk", *(enc for enc, _m, _f in fields), *names)
    changed = []
    for row in query.iterator(chunk_size=500):
        dirty = False
        for enc, masked, mask in fields:
            token = getattr(row, enc)
            if not token:
                continue
            try:
                value = mask(decrypt(token))
            except UnreadableData:
                value = "*" * len(getattr(row, masked))
            if value != getattr(row, masked):
                setattr(row, masked, value)
                dirty = True
        if dirty:
            changed.append(row)
        if len(changed) >= 500:
            model.objects.bulk_update(changed, names)
            changed = []
    if changed:
        model.objects.bulk_update(changed, names)
