from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.audit import services

REASONS = {
    "link": "its link to the entry before it does not match (an entry was changed, "
    "removed or inserted before it)",
    "hash": "its contents do not match its hash (the entry was changed)",
    "missing": "the chain ends before the newest entry recorded (entries were removed)",
}


class Command(BaseCommand):
    help = "Audit log tools. 'yingji audit verify' walks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every entry of the hash chain")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        verdict = services.verify()
        if verdict.ok:
            self.stdout.write(f"audit log intact: all {verdict.count} entries verify")
            return
        raise CommandError(
            f"audit log broken at entry #{verdict.broken_id}: {REASONS[verdict.reason]}; "
            f"{verdict.count} entries before it verify"
        )
