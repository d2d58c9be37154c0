"""``yingji serve``: the web server (granian, ASGI) with one job consumer beside it.

The command supervises both: a child that dies (a crash, an out-of-memory kill, a
``kill -9``) is started again after a pause that doubles with each quick failure, so a
crash no longer takes the whole site down until someone notices. Granian also respawns
a failed web worker by itself."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

logger = logging.getLogger(__name__)

# A child that ran this long before dying is restarted at once; quicker failures wait
# longer each time (1, 2, 4 … at most 60 seconds), so a broken start does not spin.
STABLE_SECONDS = 60.0
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0


class Child:
    """One supervised process: how to start it, and its restarts."""

    def __init__(self, name: str, start: Callable[[], subprocess.Popen[bytes]]) -> None:
        self.name = name
        self._start = start
        self.process = start()
        self.started = time.monotonic()
        self.pause = FIRST_PAUSE
        self.restart_at: float | None = None
        self.restarts = 0

    def check(self, now: float) -> str | None:
        """Restart the child when it is due; a line for the log when something happened."""
        if self.restart_at is not None:
            if now < self.restart_at:
                return None
            self.process = self._start()
            self.started = now
            self.restart_at = None
            self.restarts += 1
            return f"the {self.name} is started again (restart {self.restarts})"
        code = self.process.poll()
        if code is None:
            return None
        if now - self.started >= STABLE_SECONDS:
            self.pause = FIRST_PAUSE
        wait = self.pause
        self.pause = min(self.pause * 2, LONGEST_PAUSE)
        self.restart_at = now + wait
        return f"the {self.name} exited with {code}; starting it again in {wait:.0f} s"


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
        children: list[Child] = []
        if not options["no_consumer"]:

            def start_consumer() -> subprocess.Popen[bytes]:
                worker = [sys.executable, "-m", "yingji.cli", "worker"]
                return subprocess.Popen(worker, env=env)  # noqa: S603 - fixed argv

            children.append(Child("job consumer", start_consumer))
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
            # A web worker that dies is replaced by granian itself.
            "--respawn-failed-workers",
            "--no-ws",
            "yingji.asgi:application",
        ]

        def start_web() -> subprocess.Popen[bytes]:
            return subprocess.Popen(web, env=env)  # noqa: S603 - fixed argv, our interpreter

        children.append(Child("web server", start_web))
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"yingji is serving {url} (data in {settings.VAR_DIR})")
        self.stdout.write("Press Ctrl+C to stop.")
        self._supervise(children)

    def _supervise(self, children: list[Child]) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            now = time.monotonic()
            for child in children:
                event = child.check(now)
                if event:
                    logger.warning(event)
                    self.stderr.write(event)
            time.sleep(0.3)
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
