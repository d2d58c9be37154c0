"""Words for event kinds: each app registers its own, pages show them in the reader's language."""

from __future__ import annotations

from django.utils.functional import Promise

_LABELS: dict[str, str | Promise] = {}


def register(labels: dict[str, str | Promise]) -> None:
    _LABELS.update(labels)


def label_for(kind: str) -> str:
    return str(_LABELS.get(kind, kind))
