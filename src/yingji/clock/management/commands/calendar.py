"""``yingji calendar import FILE`` and ``yingji calendar show YEAR``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from yingji.audit.services import Actor
from yingji.clock import calendars, notices, services
from yingji.clock.explain import holiday_label
from yingji.clock.periods import Calendar


class Command(BaseCommand):
    help = "Official calendars: import a State Council notice, or show a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="import a year's notice from CSV or YAML")
        load.add_argument("file")
        load.add_argument("--year", type=int, default=None)
        load.add_argument("--reference", default="", help="the notice's document number")
        load.add_argument("--format", choices=["csv", "yaml"], default=None)
        load.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans")
        show = sub.add_parser("show", help="list a year's holidays and make-up working days")
        show.add_argument("year", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "show":
            self._show(options["year"])
            return
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        fmt = options["format"] or ("csv" if path.suffix.lower() == ".csv" else "yaml")
        notice = notices.read(text, fmt=fmt, year=options["year"], reference=options["reference"])
        with translation.override(options["language"]):
            try:
                year = services.import_notice(notice, actor=Actor.system("yingji calendar import"))
            except ValidationError as error:
                raise CommandError(
                    f"{path}: nothing imported:\n  " + "\n  ".join(error.messages)
                ) from None
        self.stdout.write(
            f"imported {len(notice.days)} days for {year.year} ({year.reference or 'no reference'})"
        )

    def _show(self, year: int) -> None:
        calendar = Calendar(calendars.year_data)
        data = calendar.year(year)
        state = "confirmed" if data.confirmed else "NOT confirmed (statutory holidays only)"
        self.stdout.write(f"{year}: {data.source}, {state} {data.reference}")
        for day, name in sorted(data.holidays.items()):
            self.stdout.write(f"  {day.isoformat()}  rest     {holiday_label(name)}")
        for day, name in sorted(data.workdays.items()):
            self.stdout.write(f"  {day.isoformat()}  working  {holiday_label(name)}")
