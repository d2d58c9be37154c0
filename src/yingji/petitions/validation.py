"""Checks on petition input with no Django in them: ID numbers, phones, division codes."""

from __future__ import annotations

import re

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
MAX_REPRESENTATIVES = 5


def id_number_ok(value: str) -> bool:
    """A resident ID number (GB 11643: 18 characters with its check digit)."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[-1]


def credit_code_ok(value: str) -> bool:
    """An organisation's unified social credit code (GB 32100: 18 characters)."""
    return bool(CREDIT_CODE.match(value))


def phone_ok(digits: str) -> bool:
    return 7 <= len(digits) <= 15


def region_code_ok(code: str) -> bool:
    return code.isdigit() and len(code) in (6, 9, 12)
