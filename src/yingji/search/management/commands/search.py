"""``yingji search check [--repair]``: what the search index lacks, and mending it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.search import indexing


class Command(BaseCommand):
    help = "The search index: check [--repair]."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "check",
            help="Count subjects waiting for their entry and subjects with none; "
            "exit 1 when any is missing or has waited too long",
        )
        check.add_argument("--repair", action="store_true", help="index them now")

    def handle(self, *args: Any, action: str, repair: bool = False, **options: Any) -> None:
        findings = indexing.check(repair=repair)
        wrong = False
        for finding in findings:
            self.stdout.write(
                f"{finding.source}: {finding.waiting} waiting for a job "
                f"({finding.waiting_too_long} for over "
                f"{int(indexing.STALE_AFTER.total_seconds() // 60)} minutes), "
                f"{finding.missing} with no entry"
                + (f"; {finding.repaired} indexed now" if repair else "")
            )
            wrong = wrong or bool(finding.missing or finding.waiting_too_long)
        if wrong and not repair:
            raise CommandError("the search index is incomplete: run `yingji search check --repair`")
