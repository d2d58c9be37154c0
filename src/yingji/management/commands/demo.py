"""``yingji demo``: load the demo city once, and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from yingji import demo


class Command(BaseCommand):
    help = "Load the demo city and users (only into an empty database) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only when the database has no units at all (used by `make run`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from yingji.org.models import Unit

        if not demo.is_loaded():
            if options["if_empty"] and Unit.objects.exists():
                self.stdout.write("Database has its own units: demo data not loaded.")
                return
            demo.load()
            self.stdout.write("Demo data loaded: 安澜市 and its units, one user per role.")
        with translation.override("zh-hans"):
            rows = demo.login_table()
        if rows:
            self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
            for username, role, unit in rows:
                self.stdout.write(f"  {username:<12} {role}（{unit}）")
            self.stdout.write("  admin must set up a TOTP authenticator at first sign-in.")
