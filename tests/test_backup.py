"""Backup and restore: an archive taken from a live server while it registers petitions
restores into a new place whole (rows, uploads, keys, audit log); a used target and a
changed archive are refused without changing anything; a data key that cannot read the
data stops start-up; an archive made without --with-keys holds no key material.

Everything runs as an operator would: ``yingji`` commands and ``yingji serve`` in their
own processes, each place with its own var/ and, on PostgreSQL, its own database on the
server the suite uses (created here and dropped afterwards).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from bench.live import free_port

from bench import intake

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "a test passphrase, long enough"
KEY_FILES = ("data_key", "secret_key", "audit_key")

# Run in the source place before its server starts: the benchmark's township office, its
# clerk with a token and finished cases (ciphertext under the source's data key), an
# attachment on one of them, and a signed-in session of the clerk.
SEED = """
import hashlib, json, os
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from bench import intake
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Petition

prepared = intake.prepare()
petition = Petition.objects.filter(office=prepared["office"]).order_by("pk").first()
content = b"%PDF-1.4\\n" + os.urandom(300_000)
upload = SimpleUploadedFile("扫描件.pdf", content, content_type="application/pdf")
[attachment] = services.attach(petition, [upload], actor=Actor.system("test seed"))
client = Client()
client.force_login(User.objects.get(username=intake.CLERK))
print(json.dumps({
    "token": prepared["token"],
    "petitions": Petition.objects.count(),
    "url": reverse("petitions:attachment", args=[petition.pk, attachment.pk]),
    "sha256": hashlib.sha256(content).hexdigest(),
    "session": client.cookies["sessionid"].value,
}))
"""


@dataclass
class Place:
    """Where one yingji keeps its data: a var/ folder and, on PostgreSQL, a database."""

    var: Path
    database_url: str | None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
        env["YINGJI_VAR_DIR"] = str(self.var)
        if self.database_url:
            env["YINGJI_DATABASE_URL"] = self.database_url
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src")])
        env["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
        return {**env, **extra}

    def run(self, *argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv],
            env=self.env(**extra),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def yingji(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "yingji.cli", *args, **extra)

    def counts(self, tables: list[str]) -> dict[str, int]:
        """Rows per table, read straight from the database (not through yingji)."""
        if self.database_url is None:
            path = self.var / "yingji.sqlite3"
            if not path.exists():
                return {}
            with sqlite3.connect(path) as db:
                present = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
                return {
                    t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
                    for t in tables
                    if t in present
                }
        import psycopg

        with psycopg.connect(self.database_url) as db:
            present = {
                r[0]
                for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
            }
            counts = {}
            for table in tables:
                if table in present:
                    row = db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # noqa: S608
                    counts[table] = row[0] if row else 0
            return counts

    def media(self) -> list[Path]:
        return [p for p in (self.var / "media").rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def new_place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Place]]:
    """Fresh places: an empty var/ and, on PostgreSQL, an empty database."""
    server_url = os.environ.get("YINGJI_DATABASE_URL")
    made: list[str] = []

    def make() -> Place:
        var = tmp_path_factory.mktemp("var")
        if not server_url:
            return Place(var, None)
        import psycopg

        name = f"yingji_backup_{os.getpid()}_{len(made)}"
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        made.append(name)
        return Place(var, urlsplit(server_url)._replace(path=f"/{name}").geturl())

    yield make
    if server_url:
        import psycopg

        with psycopg.connect(server_url, autocommit=True) as admin:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    """``yingji serve`` on a free port, its output kept in a file for failures."""

    def __init__(self, place: Place, log: Path) -> None:
        self.port = free_port()
        self.address = ["--host", "127.0.0.1", "--port", str(self.port)]
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "yingji.cli", "serve", "--no-consumer", *self.address],
                env=place.env(),
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        ends = time.monotonic() + 60
        while time.monotonic() < ends:
            assert self.process.poll() is None, self.output()
            try:
                if self.get("/api/v1/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start: " + self.output())

    def request(
        self, method: str, path: str, headers: dict[str, str], body: str = ""
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body.encode() or None, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.headers, answer.read()
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, bytes]:
        status, _headers, body = self.request("GET", path, {})
        return status, body

    def open_file(self, path: str, session: str) -> tuple[int, bytes]:
        """A petitioner's file, as a person opens it: the form asking why, then the
        reason sent with the form's CSRF token."""
        status, headers, page = self.request("GET", path, {"Cookie": f"sessionid={session}"})
        assert status == 200, page[:500]
        cookies = SimpleCookie()
        for line in headers.get_all("Set-Cookie") or []:
            cookies.load(line)
        token = cookies["csrftoken"].value
        status, _headers, body = self.request(
            "POST",
            path,
            {
                "Cookie": f"sessionid={session}; csrftoken={token}",
                "X-CSRFToken": token,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            urlencode({"reason": "restore rehearsal: the scan opens"}),
        )
        return status, body

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Writer(threading.Thread):
    """Registers petitions through the API on one connection, back to back, until
    stopped; so at most one is ever between its commit and its answer."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.acknowledged = 0
        self.errors: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        bodies = intake.payloads(11, intake.petitioners())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while not self.halt.is_set():
            try:
                connection.request("POST", intake.INTAKE_PATH, next(bodies), headers=headers)
                answer = connection.getresponse()
                body = answer.read()
            except OSError as error:
                self.errors.append(repr(error))
                connection.close()
                continue
            if answer.status == 201:
                self.acknowledged += 1
            else:
                self.errors.append(f"{answer.status} {body[:300]!r}")
        connection.close()

    def wait_for(self, count: int, timeout: float = 30) -> None:
        ends = time.monotonic() + timeout
        while self.acknowledged < count and not self.errors and time.monotonic() < ends:
            time.sleep(0.05)
        assert self.acknowledged >= count, self.errors


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return json.loads(handle.read())


@dataclass
class BackedUp:
    source: Place
    seed: dict[str, Any]
    archive: Path  # with the keys
    plain: Path  # without them
    acknowledged_before: int
    acknowledged_after: int
    restored: Place
    restore: subprocess.CompletedProcess[str]
    counts: dict[str, int]  # of the restored database, before its server started
    verify: subprocess.CompletedProcess[str]
    download: tuple[int, bytes] = field(repr=False)


@pytest.fixture(scope="module")
def backed_up(new_place: Callable[[], Place], tmp_path_factory: pytest.TempPathFactory) -> BackedUp:
    """The whole journey once: seed, serve, back up under writes, restore elsewhere."""
    out = tmp_path_factory.mktemp("archives")
    source = new_place()
    migrated = source.yingji("migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    seeded = source.run("-c", SEED)
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])

    server = Server(source, out / "source-server.log")
    writer = Writer(server.port, seed["token"])
    try:
        writer.start()
        writer.wait_for(3)
        before = writer.acknowledged
        made = source.yingji(
            "backup", "--with-keys", "--output", str(out), YINGJI_BACKUP_PASSPHRASE=PASSPHRASE
        )
        after = writer.acknowledged
        assert made.returncode == 0, made.stderr
        writer.wait_for(after + 3)  # still writing once the archive is done
    finally:
        writer.halt.set()
        writer.join(30)
        server.stop()
    assert not writer.errors, writer.errors[:3]
    [archive] = out.glob("yingji-backup-*.tar.gz")
    assert str(archive) in made.stdout

    plain = out / "without-keys.tar.gz"
    made_plain = source.yingji("backup", "--output", str(plain))
    assert made_plain.returncode == 0, made_plain.stderr

    restored = new_place()
    restore = restored.yingji(
        "restore", str(archive), "--with-keys", YINGJI_BACKUP_PASSPHRASE=PASSPHRASE
    )
    counts = restored.counts(list(manifest_of(archive)["database"]["tables"]))
    verify = restored.yingji("audit", "verify")
    download: tuple[int, bytes] = (0, b"")
    if restore.returncode == 0:
        server = Server(restored, out / "restored-server.log")
        try:
            download = server.open_file(seed["url"], seed["session"])
        finally:
            server.stop()
    return BackedUp(
        source, seed, archive, plain, before, after, restored, restore, counts, verify, download
    )


def test_a_backup_taken_under_writes_restores_whole(backed_up: BackedUp) -> None:
    assert backed_up.restore.returncode == 0, backed_up.restore.stderr
    manifest = manifest_of(backed_up.archive)
    tables = manifest["database"]["tables"]
    # The copy is of one instant: every petition acknowledged before the backup began,
    # none acknowledged after it ended (the writer went on past it).
    copied = tables["petitions_petition"]
    seeded = backed_up.seed["petitions"]
    assert backed_up.acknowledged_before < backed_up.acknowledged_after  # written meanwhile
    assert seeded + backed_up.acknowledged_before <= copied
    assert copied <= seeded + backed_up.acknowledged_after + 1  # one may be in flight
    assert tables["audit_auditentry"] > backed_up.acknowledged_before
    # The restored database holds exactly what the manifest counted.
    assert backed_up.counts == tables
    assert "audit log intact" in backed_up.restore.stdout
    assert backed_up.verify.returncode == 0, backed_up.verify.stderr
    assert "audit log intact" in backed_up.verify.stdout
    # The attachment, encrypted under the restored data key, opens byte for byte for
    # the clerk signed in before the backup (the session needs the restored secret key),
    # once the clerk gives a reason, as every opening of a petitioner's file asks.
    status, body = backed_up.download
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == backed_up.seed["sha256"]
    assert manifest["media"]["files"] == len(backed_up.restored.media()) >= 1
    for name in ("data_key", "secret_key"):
        assert (backed_up.restored.var / name).read_text().strip() == (
            backed_up.source.var / name
        ).read_text().strip()


def test_restore_refuses_a_target_that_is_not_empty(backed_up: BackedUp) -> None:
    target = backed_up.restored
    tables = list(manifest_of(backed_up.archive)["database"]["tables"])
    before, media = target.counts(tables), sorted(target.media())
    again = target.yingji("restore", str(backed_up.plain))
    assert again.returncode != 0
    assert "the target is not empty" in again.stderr
    assert target.counts(tables) == before and sorted(target.media()) == media


def changed_copy(archive: Path, target: Path, member: str) -> Path:
    """``archive`` with one byte of ``member`` flipped, everything else as it was."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for info in source:
            handle = source.extractfile(info)
            data = handle.read() if handle else b""
            if info.name == member:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
            copy.addfile(info, io.BytesIO(data))
    return target


def test_restore_refuses_a_changed_archive_and_changes_nothing(
    backed_up: BackedUp, new_place: Callable[[], Place], tmp_path: Path
) -> None:
    manifest = manifest_of(backed_up.archive)
    target = new_place()
    changed = changed_copy(
        backed_up.archive, tmp_path / "changed.tar.gz", manifest["database"]["member"]
    )
    refused = target.yingji(
        "restore", str(changed), "--with-keys", YINGJI_BACKUP_PASSPHRASE=PASSPHRASE
    )
    assert refused.returncode != 0
    assert f"{manifest['database']['member']} does not match its checksum" in refused.stderr
    # A byte changed in the compressed file itself.
    raw = bytearray(backed_up.archive.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    (tmp_path / "damaged.tar.gz").write_bytes(bytes(raw))
    damaged = target.yingji("restore", str(tmp_path / "damaged.tar.gz"))
    assert damaged.returncode != 0
    assert "restore refused" in damaged.stderr
    assert target.counts(list(manifest["database"]["tables"])) == {}
    assert target.media() == []
    assert not list(target.var.glob(".restore-*"))


def test_start_up_refuses_a_data_key_that_cannot_read_the_data(
    backed_up: BackedUp, new_place: Callable[[], Place]
) -> None:
    other_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    serve = backed_up.restored.yingji(
        "serve", "--no-consumer", "--port", str(free_port()), YINGJI_DATA_KEY=other_key
    )
    assert serve.returncode != 0
    assert "YINGJI_DATA_KEY does not decrypt" in serve.stderr
    assert str(backed_up.restored.var / "data_key") in serve.stderr
    assert other_key not in serve.stderr
    # Restored without its keys, a new place has made a data key of its own: the
    # restore says so, and yingji then refuses to start, naming the file.
    target = new_place()
    restore = target.yingji("restore", str(backed_up.plain))
    assert "Restored" in restore.stdout, restore.stderr
    assert "cannot decrypt the restored data" in restore.stderr
    check = target.yingji("check")
    assert check.returncode != 0
    assert "YINGJI_DATA_KEY does not decrypt" in check.stderr
    assert str(target.var / "data_key") in check.stderr


def test_an_archive_without_keys_holds_no_key_material(backed_up: BackedUp) -> None:
    manifest = manifest_of(backed_up.plain)
    assert manifest["keys"] == {"included": False}
    assert "keys.enc" not in manifest["members"]
    for archive in (backed_up.plain, backed_up.archive):
        content = gzip.decompress(archive.read_bytes())
        for name in KEY_FILES:
            path = backed_up.source.var / name
            if not path.exists():
                continue
            key = path.read_text().strip()
            assert key.encode() not in content, (archive.name, name)
            if name != "secret_key":
                assert base64.urlsafe_b64decode(key) not in content, (archive.name, name)
    with_keys = manifest_of(backed_up.archive)
    assert with_keys["keys"]["included"] and "keys.enc" in with_keys["members"]


def test_a_backup_that_fails_part_way_leaves_nothing_behind(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from yingji.backup import archive

    def full_disk(self: archive.Writer, manifest: dict[str, Any]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.Writer, "finish", full_disk)
    with pytest.raises(CommandError, match=r"no archive written: .*No space left"):
        call_command("backup", "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("YINGJI_BACKUP_PASSPHRASE", "too short")
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("backup", "--with-keys", "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == []
