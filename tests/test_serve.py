"""`yingji serve` keeps the site up: a web server or job consumer that dies is started again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found[int(entry.name)] = command
    return found


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
            return bool(answer.status == 200)
    except OSError:
        return False


def wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process table from /proc")
def test_a_killed_web_server_or_consumer_is_started_again(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "YINGJI_DATABASE_URL"}
    env.update(YINGJI_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="yingji.settings")
    cli = [sys.executable, "-m", "yingji.cli"]
    subprocess.run([*cli, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/health"
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert wait_for(lambda: healthy(url), 30), "the server did not start"
        for name in ("-m granian", "yingji.cli worker"):
            (pid,) = [p for p, command in children_of(serve.pid).items() if name in command]
            os.kill(pid, signal.SIGKILL)
            assert wait_for(
                lambda pid=pid, name=name: any(
                    name in command and p != pid for p, command in children_of(serve.pid).items()
                ),
                15,
            ), f"the {name} was not started again"
            assert wait_for(lambda: healthy(url), 30), f"the site is down after killing {name}"
        assert serve.poll() is None
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()
        log.close()
    output = (tmp_path / "serve.log").read_text(errors="replace")
    assert "starting it again" in output and "started again" in output
    # The banner names the data folder YINGJI_VAR_DIR chose, not a "var/" of its own.
    assert f"(data in {tmp_path.resolve()})" in output
