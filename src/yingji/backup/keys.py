"""The keys in a backup archive, sealed with a passphrase (no Django here).

The data key opens every petitioner's personal data, so an archive holding it in the
clear would turn a copied backup file into a leak. scrypt makes each guess at the
passphrase cost memory and time; AES-GCM refuses a wrong passphrase or a changed byte
instead of handing back garbage keys.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "yingji-keys"
# OWASP's minimum for scrypt: 128 MiB of memory and about half a second per guess.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
# The archive's format is bound into the ciphertext, so a sealed blob cannot be passed
# off as something else.
ASSOCIATED = b"yingji backup keys v1"
MIN_PASSPHRASE = 12


class KeysError(ValueError):
    """Sealed keys that cannot be opened: a wrong passphrase or a damaged member."""


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(keys: dict[str, str], passphrase: str) -> bytes:
    """``keys`` (name -> value) encrypted with ``passphrase``, as a JSON document."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeysError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    plain = json.dumps(keys, sort_keys=True).encode("utf-8")
    sealed = AESGCM(key).encrypt(nonce, plain, ASSOCIATED)
    document = {
        "format": FORMAT,
        "version": 1,
        "kdf": {
            "name": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": base64.b64encode(salt).decode("ascii"),
        },
        "cipher": "AES-256-GCM",
        "nonce": base64.b64encode(nonce).decode("ascii"),
        "ciphertext": base64.b64encode(sealed).decode("ascii"),
    }
    return json.dumps(document, indent=1).encode("utf-8")


def open_sealed(blob: bytes, passphrase: str) -> dict[str, str]:
    """The keys :func:`seal` sealed; :class:`KeysError` for anything else."""
    try:
        document = json.loads(blob)
        kdf = document["kdf"]
        if document["format"] != FORMAT or kdf["name"] != "scrypt":
            raise KeysError("keys.enc is not a yingji key file")
        key = _derive(
            passphrase, base64.b64decode(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        )
        plain = AESGCM(key).decrypt(
            base64.b64decode(document["nonce"]),
            base64.b64decode(document["ciphertext"]),
            ASSOCIATED,
        )
    except InvalidTag:
        raise KeysError("the passphrase does not open the keys in this archive") from None
    except (ValueError, KeyError, TypeError) as error:
        if isinstance(error, KeysError):
            raise
        raise KeysError("keys.enc is damaged") from None
    keys = json.loads(plain)
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise KeysError("keys.enc is damaged")
    return keys
