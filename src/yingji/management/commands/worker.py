"""``yingji worker``: one huey job consumer (the embedded server starts one itself)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a background job consumer."

    def add_arguments(self, parser: CommandParser) -> None:
        # Two threads: an import (one at a time, see documents/tasks.py) never holds up
        # notifications and deadlines, which run on the other.
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="skip periodic jobs (run them in one worker only when scaled out)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--no-periodic"] if options["no_periodic"] else []
        call_command("run_huey", "--workers", str(options["workers"]), *extra)
