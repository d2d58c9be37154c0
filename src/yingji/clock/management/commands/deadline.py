"""``yingji deadline KIND START``: when is it due, and why."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from yingji.clock import kinds, services
from yingji.clock.explain import explain
from yingji.clock.profiles import PROFILES


def parse_start(raw: str) -> datetime:
    """An ISO 8601 date or time; without an offset it is read in the office's zone."""
    zone = services.office_zone()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(raw), time(9, 0))
        except ValueError:
            raise CommandError(
                f"cannot read the start {raw!r}: give a date or time such as 2026-05-01 "
                "or 2026-05-01T08:30:00+08:00"
            ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class Command(BaseCommand):
    help = "Compute a due time from a deadline kind and a start, and explain it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="a deadline kind, e.g. petition.handling")
        parser.add_argument("start", help="ISO 8601 date or time, e.g. 2026-09-20T10:00")
        parser.add_argument("--profile", choices=sorted(PROFILES), default=None)
        parser.add_argument("--param", action="append", default=[], help="KEY=VALUE, e.g. level=2")
        parser.add_argument("--extension", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kind = kinds.get(options["kind"])
        except kinds.UnknownKind:
            known = ", ".join(k.code for k in kinds.all_kinds())
            raise CommandError(f"unknown kind {options['kind']!r}; known kinds: {known}") from None
        params = {}
        for pair in options["param"]:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"--param needs KEY=VALUE, got {pair!r}")
            params[key.strip()] = value.strip()
        if options["extension"] < 0:
            raise CommandError("--extension cannot be negative")
        start = parse_start(options["start"])
        try:
            due = services.due_for(
                kind.code,
                start,
                params=params,
                profile=options["profile"],
                extension=options["extension"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"--param {name}: {message}"
                    for name, messages in error.message_dict.items()
                    for message in messages
                )
            ) from None
        zone = services.office_zone()
        steps = [{"code": s.code, "facts": s.facts} for s in due.steps]
        with translation.override(options["language"]):
            lines = explain(steps)
        local_due = due.due_at.astimezone(zone)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "kind": kind.code,
                        "start": start.isoformat(),
                        "due_at": local_due.isoformat(),
                        "calendar_confirmed": due.confirmed,
                        "unconfirmed_years": list(due.unconfirmed_years),
                        "profile": kinds.profile(options["profile"]).name,
                        "explanation": lines,
                        "steps": steps,
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(f"{kind.code}: {local_due.isoformat()}")
        if not due.confirmed:
            with translation.override(options["language"]):
                from django.utils.translation import gettext as _

                self.stdout.write(_("Calendar not confirmed"))
        for line in lines:
            self.stdout.write(f"  {line}")
