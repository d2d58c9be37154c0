"""The API's one error shape, importable by every app's router."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorItem(Schema):
    field: str | None
    code: str
    message: str


class ErrorOut(Schema):
    errors: list[ErrorItem]


# The 4xx answers an authenticated endpoint can give, for its OpenAPI entry.
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
