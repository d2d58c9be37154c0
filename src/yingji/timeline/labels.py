"""Words for event kinds and their summaries: each app registers its own, pages show them in
the reader's language.

An event's summary is kept as written when it happened. Some kinds keep a code there (a
reply's outcome, a rating, the parts of a plan that changed); their app registers how to
put it in words, so pages never show ``support`` or ``command_name, contacts``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import Promise

Wording = Callable[[str, Mapping[str, Any]], str]

_LABELS: dict[str, str | Promise] = {}
_SUMMARIES: dict[str, Wording] = {}


def register(labels: dict[str, str | Promise]) -> None:
    _LABELS.update(labels)


def register_summaries(wordings: Mapping[str, Wording]) -> None:
    """For each kind, how its summary (and data) read in words."""
    _SUMMARIES.update(wordings)


def choice_words(choices: Mapping[str, str | Promise]) -> Wording:
    """A summary that is one code of ``choices`` reads as its label; any other text stays."""

    def words(summary: str, data: Mapping[str, Any]) -> str:
        return str(choices.get(summary, summary))

    return words


def list_words(names: Callable[[str], str], separator: str = "、") -> Wording:
    """A summary that lists codes ("groups, requirements") reads as their names."""

    def words(summary: str, data: Mapping[str, Any]) -> str:
        parts = [part.strip() for part in summary.split(",") if part.strip()]
        return separator.join(names(part) for part in parts)

    return words


def label_for(kind: str) -> str:
    return str(_LABELS.get(kind, kind))


def summary_for(kind: str, summary: str, data: Mapping[str, Any] | None = None) -> str:
    wording = _SUMMARIES.get(kind)
    if wording is None:
        return summary
    return wording(summary, data or {})
