"""``yingji insights rebuild``: rewrite every figure from the cases, and print the time;
``yingji insights refresh``: rewrite the days marked stale now (what the job does)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yingji.insights import rollups


class Command(BaseCommand):
    help = "Rebuild or refresh the statistics' daily and monthly figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "refresh"])
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            result: dict[str, Any] = {"days": rollups.refresh()}
        else:

            def progress(topic: str, done: int, total: int) -> None:
                if not options["json"]:
                    self.stderr.write(f"{topic}: {done}/{total} days")

            result = rollups.rebuild(progress)
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        if options["action"] == "refresh":
            self.stdout.write(f"{result['days']} days rewritten")
        else:
            self.stdout.write(
                f"{result['days']} days and {result['months']} months rewritten, "
                f"{result['rows']} rows, in {result['seconds']} s"
            )
