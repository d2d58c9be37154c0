"""``yingji demo``: load the demo city, alive with its last two months of work, once, and
print the demo logins. The demo goes only into an empty database: it refuses one that
holds records of its own, so demo data is never mixed with real data."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from yingji import demo


class Command(BaseCommand):
    help = "Load the demo city and users (only into an empty database) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only when the database holds nothing but the demo, and otherwise "
            "leave it alone without an error (used by `make run`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        foreign = demo.foreign_records()
        if foreign:
            if options["if_empty"]:
                self.stdout.write("Database has records of its own: demo data not loaded.")
                return
            raise CommandError(
                _(
                    "This database holds records that are not the demo's (%(records)s). The "
                    "demo is loaded only into an empty database, never mixed with real data: "
                    "give yingji an empty database (YINGJI_DATABASE_URL, or another "
                    "YINGJI_VAR_DIR) to load it."
                )
                % {"records": ", ".join(foreign)}
            )
        if not demo.is_loaded():
            started = time.monotonic()
            demo.load(history=True)
            seconds = time.monotonic() - started
            self.stdout.write(
                f"Demo data loaded in {seconds:.1f} s: 安澜市 and its units, one user per "
                "role, and two months of their work."
            )
        with translation.override("zh-hans"):
            rows = demo.login_table()
        if rows:
            self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
            for username, role, unit in rows:
                self.stdout.write(f"  {username:<12} {role}（{unit}）")
            self.stdout.write("  admin must set up a TOTP authenticator at first sign-in.")
