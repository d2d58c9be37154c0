"""``yingji serve``: the web server (granian, ASGI) with one job consumer beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve yingji with granian and run one huey job consumer beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="web worker processes")
        parser.add_argument(
            "--no-consumer",
            action="store_true",
            help="do not start a job consumer (scaled mode runs `yingji worker` instead)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yingji.settings"}
        children: list[tuple[str, subprocess.Popen[bytes]]] = []
        if not options["no_consumer"]:
            consumer = subprocess.Popen([sys.executable, "-m", "yingji.cli", "worker"], env=env)
            children.append(("job consumer", consumer))
        web = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            # Django has no ASGI lifespan handler; asginl skips the probe and its warning.
            "asginl",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            # Open live streams must not hold a shutdown for ever.
            "--workers-kill-timeout",
            "5",
            "--no-ws",
            "yingji.asgi:application",
        ]
        web_server = subprocess.Popen(web, env=env)  # noqa: S603 - fixed argv, our interpreter
        children.append(("web server", web_server))
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"yingji is serving {url} (data in {settings.VAR_DIR.name}/)")
        self.stdout.write("Press Ctrl+C to stop.")
        self._supervise(children)

    def _supervise(self, children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        while not stopping:
            for name, child in children:
                code = child.poll()
                if code is not None:
                    self.stderr.write(f"the {name} exited with {code}; stopping")
                    exit_code = code or 1
                    stopping = True
            time.sleep(0.3)
        for _, child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            raise SystemExit(exit_code)
