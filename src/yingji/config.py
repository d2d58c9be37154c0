"""Configuration from ``YINGJI_*`` environment variables.

Pure Python, no Django: settings.py calls :func:`load` once at start-up. A bad value
raises :class:`ConfigError` naming the variable and the form it expects, so a
misconfigured server refuses to start instead of running with a surprise.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PREFIX = "YINGJI_"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A ``YINGJI_*`` variable has a value yingji cannot use."""

    def __init__(self, name: str, expected: str, got: str | None = None) -> None:
        self.name = PREFIX + name
        shown = "" if got is None else f" (got {got!r})"
        super().__init__(f"{self.name} must be {expected}{shown}")


@dataclass(frozen=True)
class Config:
    var_dir: Path
    database: dict[str, object]
    redis_url: str | None
    secret_key: str
    data_key: str
    time_zone: str
    debug: bool
    allowed_hosts: list[str] = field(default_factory=list)
    session_idle_minutes: int = 30
    clock_profile: str = "national"
    first_report_hours: tuple[int, int, int, int] = (2, 2, 4, 4)
    phone_report_minutes: tuple[int, int, int, int] = (30, 30, 30, 30)
    first_report_minutes: tuple[int, int, int, int] = (60, 60, 60, 240)
    report_receipt_minutes: int = 30
    followup_report_hours: int = 24
    final_report_hours: int = 72
    plan_review_years: int = 3
    drill_cycle_years: int = 3
    drill_check_pass_percent: int = 60
    risk_remediation_days: tuple[int, int, int, int] = (90, 60, 30, 15)
    trend: dict[str, int] = field(default_factory=dict)
    petition_number_pattern: str = "{code}-{year}-{seq:06d}"
    document_fonts: dict[str, str] = field(default_factory=dict)
    duty_holiday_leader: bool = True
    duty_holiday_officers: int = 2
    request_slots: int = 8
    smtp: dict[str, object] | None = None
    mail_from: str = "yingji@localhost"
    drill_external: bool = False
    escalation_minutes: dict[str, int] = field(default_factory=dict)
    task_ack_minutes: int = 10
    site_url: str = "http://127.0.0.1:8000"
    behind_proxy: bool = False
    map_tiles: str | None = None
    map_attribution: str = ""
    audit_key: str = ""
    oidc: OidcConfig | None = None
    password_login: bool = True


@dataclass(frozen=True)
class OidcConfig:
    """Single sign-on through an OpenID Connect provider (see accounts/oidc.py)."""

    issuer: str
    client_id: str
    client_secret: str
    claim: str = "preferred_username"
    unit_claim: str = ""
    label: str = ""


def parse_bool(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(name, "one of true, false, 1, 0, yes, no, on, off", raw)


def parse_database_url(raw: str) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into DATABASES."""
    expected = "sqlite:///PATH or postgres://USER:PASSWORD@HOST:PORT/NAME"
    parts = urlsplit(raw.strip())
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///var/db.sqlite3 is relative to the working directory,
        # sqlite:////srv/db.sqlite3 absolute (the dj-database-url convention).
        path = path[1:] if path.startswith("/") else path
        if not path or parts.netloc:
            raise ConfigError("DATABASE_URL", expected, raw)
        db_path = Path(path) if Path(path).is_absolute() else Path.cwd() / path
        return sqlite_database(db_path)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name or not parts.hostname:
            raise ConfigError("DATABASE_URL", expected, _redact(raw))
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("DATABASE_URL", expected, _redact(raw)) from None
        options = dict(parse_qsl(parts.query))
        # No JIT compilation: PostgreSQL compiles a query whose estimated cost passes
        # jit_above_cost, on every run, and the lists and panels of a million cases pass
        # it: the supervisor's overdue count took 77 ms to compile and 200 ms to run.
        # Compiling pays for analytic queries running seconds, not for pages.
        server_options = options.get("options", "")
        if "jit" not in server_options:
            options["options"] = f"-c jit=off {server_options}".strip()
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname,
            "PORT": str(port or ""),
            # No persistent connections: under ASGI each request runs in a thread of its
            # own, so a connection kept for reuse is never reused. It stays open until
            # its thread's locals are collected, and 16 concurrent API clients ran the
            # server out of connections (bench/intake.py). Django's documentation says
            # to disable them under ASGI; the pool (``with_pool``) reuses connections.
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigError("DATABASE_URL", expected, _redact(raw))


def with_pool(database: dict[str, object], size: int) -> dict[str, object]:
    """PostgreSQL through a pool of at most ``size`` connections per process (0: none).

    A new connection costs PostgreSQL a process and the application its set-up, about
    a third of a registration's time (docs/benchmarks.md). Requests beyond the pool's
    size wait for a connection instead of opening one more, which also keeps a
    surge's connections within what the server allows.
    """
    if database["ENGINE"] != "django.db.backends.postgresql" or size == 0:
        return database
    options = dict(database["OPTIONS"])  # type: ignore[call-overload]
    options["pool"] = {"min_size": min(2, size), "max_size": size, "timeout": 30}
    return {**database, "OPTIONS": options}


def sqlite_database(path: Path) -> dict[str, object]:
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing mid-transaction;
    # synchronous=FULL keeps every acknowledged commit across a power cut.
    return {
        # Django's backend, with connections reused across requests (yingji/db).
        "ENGINE": "yingji.db.sqlite3",
        "NAME": str(path),
        # Tests get a file beside it, not memory, so threads exercise real locking.
        "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
    }


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def parse_redis_url(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
        raise ConfigError("REDIS_URL", "redis://HOST:PORT/DB, rediss://… or unix://PATH", raw)
    return value


def parse_time_zone(raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("TIME_ZONE", "an IANA time zone such as Asia/Shanghai", raw) from None
    return raw.strip()


def parse_hosts(raw: str) -> list[str]:
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    for host in hosts:
        if "/" in host or " " in host or "://" in host:
            raise ConfigError(
                "ALLOWED_HOSTS", "comma-separated host names such as 127.0.0.1,localhost", raw
            )
    if not hosts:
        raise ConfigError("ALLOWED_HOSTS", "at least one host name", raw)
    return hosts


def parse_positive_int(name: str, raw: str, *, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(name, f"a whole number from {low} to {high}", raw) from None
    if not low <= value <= high:
        raise ConfigError(name, f"a whole number from {low} to {high}", raw)
    return value


def parse_level_hours(raw: str) -> tuple[int, int, int, int]:
    expected = "four whole numbers of hours for levels I, II, III, IV, such as 2,2,4,4"
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 4 or not all(p.isdigit() and 0 < int(p) <= 168 for p in parts):
        raise ConfigError("FIRST_REPORT_HOURS", expected, raw)
    one, two, three, four = (int(p) for p in parts)
    return (one, two, three, four)


# How long an urgent notice of each kind may wait for an acknowledgement before the next
# person on the duty chain is told (minutes between the chain's steps): a new incident
# must reach a leader within minutes, a report arriving from below within a quarter hour.
ESCALATION_MINUTES = {
    "incident.reported": 5,
    "incident.task": 10,
    "deadline.overdue": 10,
    "incident.report": 15,
}


def parse_escalation_minutes(raw: str) -> dict[str, int]:
    """``kind=minutes`` pairs separated by commas, over the defaults above; a kind names a
    notification kind or the start of one (``incident.`` covers every incident notice)."""
    expected = "kind=minutes pairs separated by commas, such as incident.reported=5"
    minutes = dict(ESCALATION_MINUTES)
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        kind, _sep, value = part.partition("=")
        kind, value = kind.strip(), value.strip()
        if not kind or not value.isdigit() or not 0 < int(value) <= 1440:
            raise ConfigError("ESCALATION_MINUTES", expected, raw)
        minutes[kind] = int(value)
    return minutes


RISK_REMEDIATION_DEFAULT = "90,60,30,15"
# Early warning from petition trends (warnings.trends): the longest window a surge is
# counted over (windows of 1 day up to it are tested), the baseline before it, the least
# count that may be a surge, the false surges a whole scan may raise by chance, per
# thousand scans (split over the places and categories tested), and a
# same-matter cluster's cases, distinct petitioners and window, and collective visits'
# count.
TREND_DEFAULTS = {
    "window_days": 5,
    "baseline_days": 56,
    "surge_min_cases": 5,
    "surge_false_per_1000_scans": 100,
    "cluster_cases": 5,
    "cluster_petitioners": 3,
    "cluster_days": 30,
    "collective_visits": 2,
    "collective_days": 30,
}
TREND_BOUNDS = {
    "window_days": (1, 30),
    "baseline_days": (7, 365),
    "surge_min_cases": (1, 1000),
    "surge_false_per_1000_scans": (1, 1000),
    "cluster_cases": (2, 1000),
    "cluster_petitioners": (2, 1000),
    "cluster_days": (1, 365),
    "collective_visits": (1, 100),
    "collective_days": (1, 365),
}


def parse_trend(raw: str) -> dict[str, int]:
    """``name=number`` pairs separated by commas over TREND_DEFAULTS, each in its bounds."""
    values = dict(TREND_DEFAULTS)
    names = ", ".join(TREND_DEFAULTS)
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name, _sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if name not in TREND_BOUNDS or not value.isdigit():
            raise ConfigError("TREND", f"name=number pairs, the names being {names}", raw)
        low, high = TREND_BOUNDS[name]
        if not low <= int(value) <= high:
            raise ConfigError("TREND", f"{name} between {low} and {high}", raw)
        values[name] = int(value)
    return values


def parse_risk_days(raw: str) -> tuple[int, int, int, int]:
    """Four whole numbers of days to remedy a 重大, 较大, 一般 and 低 hazard (≤ 2 years)."""
    expected = "four whole numbers of days for major, large, general and low, such as 90,60,30,15"
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 4 or not all(p.isdigit() and 0 < int(p) <= 730 for p in parts):
        raise ConfigError("RISK_REMEDIATION_DAYS", expected, raw)
    one, two, three, four = (int(p) for p in parts)
    return (one, two, three, four)


def parse_level_minutes(name: str, raw: str) -> tuple[int, int, int, int]:
    """Four whole numbers of minutes for levels I, II, III, IV (at most a week)."""
    expected = "four whole numbers of minutes for levels I, II, III, IV, such as 30,30,30,30"
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 4 or not all(p.isdigit() and 0 < int(p) <= 10080 for p in parts):
        raise ConfigError(name, expected, raw)
    one, two, three, four = (int(p) for p in parts)
    return (one, two, three, four)


def written_report_default(hours: tuple[int, int, int, int]) -> str:
    """The written first report's minutes when not set: one hour for 较大 (III) and above,
    as the common local rule has it; level IV keeps FIRST_REPORT_HOURS."""
    return f"60,60,60,{hours[3] * 60}"


def parse_profile(raw: str) -> str:
    from yingji.clock.profiles import PROFILES

    name = raw.strip()
    if name not in PROFILES:
        raise ConfigError("CLOCK_PROFILE", "one of " + ", ".join(sorted(PROFILES)), raw)
    return name


def parse_number_pattern(raw: str) -> str:
    expected = (
        "a pattern with {year}, {seq} (e.g. {seq:06d}) and {code} or {office}, "
        "such as {code}-{year}-{seq:06d}"
    )
    try:
        sample = raw.format(code="990100", year=2026, seq=1, office=1)
    except (KeyError, IndexError, ValueError):
        raise ConfigError("PETITION_NUMBER_PATTERN", expected, raw) from None
    needed = "{year}" in raw and "{seq" in raw and ("{code}" in raw or "{office" in raw)
    if not needed or len(sample) > 40:
        raise ConfigError("PETITION_NUMBER_PATTERN", expected, raw)
    return raw


def parse_smtp_url(raw: str) -> dict[str, object] | None:
    """``smtp://[user:password@]host[:port][?starttls]`` or ``smtps://…`` (TLS from the
    start); empty means no e-mail."""
    if not raw:
        return None
    expected = "smtp://[USER:PASSWORD@]HOST[:PORT][?starttls] or smtps://…"
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("SMTP_URL", expected, _redact(raw)) from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname or parts.path not in ("", "/"):
        raise ConfigError("SMTP_URL", expected, _redact(raw))
    if parts.query not in ("", "starttls"):
        raise ConfigError("SMTP_URL", expected, _redact(raw))
    return {
        "host": parts.hostname,
        "port": port or (465 if parts.scheme == "smtps" else 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": parts.scheme == "smtps",
        "use_tls": parts.query == "starttls",
    }


def parse_site_url(raw: str) -> str:
    """Where people reach yingji, for links in e-mail and SMS (no trailing slash)."""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigError(
            "SITE_URL", "http(s)://HOST[:PORT][/PATH], e.g. https://yingji.example.gov.cn", raw
        )
    return raw.rstrip("/")


# The placeholders Leaflet fills in a tile URL; any other name makes it throw.
TILE_PLACEHOLDERS = {"s", "z", "x", "y", "-y", "r"}


def parse_map_tiles(raw: str) -> str | None:
    """A tile server's URL template for the maps; empty means none (outlines only)."""
    value = raw.strip()
    if not value:
        return None
    expected = (
        "an http(s) tile URL template with {z}, {x} and {y} or {-y} "
        "(optionally {s}, {r}), e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ConfigError("MAP_TILES", expected, raw)
    names = set(re.findall(r"\{([^{}]*)\}", value))
    has_row = "y" in names or "-y" in names  # {-y}: the TMS row order
    if not {"z", "x"} <= names or not has_row or not names <= TILE_PLACEHOLDERS:
        raise ConfigError("MAP_TILES", expected, raw)
    return value


def parse_map_attribution(raw: str) -> str:
    """The tile provider's credit, shown as plain text in the corner of every map."""
    value = raw.strip()
    if len(value) > 200 or any(c in value for c in "\r\n\t"):
        raise ConfigError("MAP_ATTRIBUTION", "one line of text of at most 200 characters", raw)
    return value


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def parse_oidc_issuer(raw: str) -> str:
    """The provider's issuer URL: https, or plain http on this machine only (a provider
    started for tests or a trial), since its answers decide who is signed in."""
    value = raw.strip()
    expected = "an https:// issuer URL (http:// only on 127.0.0.1, localhost or ::1)"
    parts = urlsplit(value)
    if not parts.hostname or parts.query or parts.fragment or any(c.isspace() for c in value):
        raise ConfigError("OIDC_ISSUER", expected, raw)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    ):
        raise ConfigError("OIDC_ISSUER", expected, raw)
    return value


def parse_claim_name(name: str, raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}", value):
        raise ConfigError(name, "a claim name such as preferred_username or email", raw)
    return value


def parse_oidc(get: Callable[[str], str | None]) -> OidcConfig | None:
    """The single sign-on settings, or None when YINGJI_OIDC_ISSUER is not set."""
    issuer = (get("OIDC_ISSUER") or "").strip()
    if not issuer:
        return None
    issuer = parse_oidc_issuer(issuer)
    client_id = (get("OIDC_CLIENT_ID") or "").strip()
    if not client_id:
        raise ConfigError("OIDC_CLIENT_ID", "set when YINGJI_OIDC_ISSUER is set")
    client_secret = get("OIDC_CLIENT_SECRET") or ""
    if not client_secret.strip():
        raise ConfigError("OIDC_CLIENT_SECRET", "set when YINGJI_OIDC_ISSUER is set")
    unit_claim = (get("OIDC_UNIT_CLAIM") or "").strip()
    label = (get("OIDC_LABEL") or "").strip()
    if len(label) > 60 or any(c in label for c in "\r\n\t"):
        raise ConfigError("OIDC_LABEL", "one line of text of at most 60 characters", label)
    return OidcConfig(
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret.strip(),
        claim=parse_claim_name("OIDC_CLAIM", get("OIDC_CLAIM") or "preferred_username"),
        unit_claim=parse_claim_name("OIDC_UNIT_CLAIM", unit_claim) if unit_claim else "",
        label=label,
    )


def parse_mail_from(raw: str) -> str:
    if "@" not in raw or any(c.isspace() for c in raw.strip("<> ")):
        raise ConfigError("MAIL_FROM", "an e-mail address, e.g. yingji@example.gov.cn", raw)
    return raw


def parse_fonts(raw: str) -> dict[str, str]:
    expected = "body=FONT,title=FONT,heading=FONT,kai=FONT (any of the four), e.g. body=仿宋_GB2312"
    fonts: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in {"body", "title", "heading", "kai"} or not value.strip():
            raise ConfigError("DOCUMENT_FONTS", expected, raw)
        fonts[key.strip()] = value.strip()
    return fonts


def check_secret_key(raw: str) -> str:
    if len(raw) < 50 or len(set(raw)) < 5:
        raise ConfigError("SECRET_KEY", "a random string of at least 50 characters")
    return raw


def check_key(name: str, raw: str) -> str:
    """A key of 32 random bytes in URL-safe base64, as ``name`` (DATA_KEY, AUDIT_KEY)."""
    try:
        decoded = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        decoded = b""
    if len(decoded) != 32:
        raise ConfigError(name, "32 random bytes in URL-safe base64 (44 characters)")
    return raw


def check_data_key(raw: str) -> str:
    return check_key("DATA_KEY", raw)


def check_audit_key(raw: str) -> str:
    return check_key("AUDIT_KEY", raw)


def stored_secret(var_dir: Path, filename: str, make: str) -> str:
    """Read a generated secret from var/, creating it (mode 600) on first run."""
    path = var_dir / filename
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race; read what it wrote
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make)
    return path.read_text().strip()


def load(environ: Mapping[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ

    def get(name: str, default: str | None = None) -> str | None:
        return env.get(PREFIX + name, default)

    var_dir = Path(get("VAR_DIR") or "var").resolve()

    raw_db = get("DATABASE_URL")
    database = parse_database_url(raw_db) if raw_db else sqlite_database(var_dir / "yingji.sqlite3")
    pool = parse_positive_int("DATABASE_POOL", get("DATABASE_POOL") or "8", low=0, high=500)
    database = with_pool(database, pool)
    redis_url = parse_redis_url(get("REDIS_URL", "") or "")

    secret_key = get("SECRET_KEY")
    if secret_key is None:
        secret_key = stored_secret(var_dir, "secret_key", secrets.token_urlsafe(50))
    check_secret_key(secret_key)

    data_key = get("DATA_KEY")
    if data_key is None:
        new_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
        data_key = stored_secret(var_dir, "data_key", new_key)
    check_data_key(data_key)

    # Keys the audit chain and signs its checkpoints: kept outside the database, so
    # someone who can only write to the database cannot rewrite the log unseen.
    audit_key = get("AUDIT_KEY")
    if audit_key is None:
        new_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
        audit_key = stored_secret(var_dir, "audit_key", new_key)
    check_audit_key(audit_key)

    oidc = parse_oidc(get)
    password_login = parse_bool("PASSWORD_LOGIN", get("PASSWORD_LOGIN", "true") or "true")
    if not password_login and oidc is None:
        # Only administrators could sign in at all.
        raise ConfigError("PASSWORD_LOGIN", "true unless YINGJI_OIDC_ISSUER is set", "false")

    return Config(
        var_dir=var_dir,
        database=database,
        redis_url=redis_url,
        secret_key=secret_key,
        data_key=data_key,
        time_zone=parse_time_zone(get("TIME_ZONE") or "Asia/Shanghai"),
        debug=parse_bool("DEBUG", get("DEBUG", "false") or "false"),
        allowed_hosts=parse_hosts(get("ALLOWED_HOSTS") or "127.0.0.1,localhost,[::1]"),
        session_idle_minutes=parse_positive_int(
            "SESSION_IDLE_MINUTES", get("SESSION_IDLE_MINUTES") or "30", low=5, high=1440
        ),
        clock_profile=parse_profile(get("CLOCK_PROFILE") or "national"),
        first_report_hours=parse_level_hours(get("FIRST_REPORT_HOURS") or "2,2,4,4"),
        phone_report_minutes=parse_level_minutes(
            "PHONE_REPORT_MINUTES", get("PHONE_REPORT_MINUTES") or "30,30,30,30"
        ),
        first_report_minutes=parse_level_minutes(
            "FIRST_REPORT_MINUTES",
            get("FIRST_REPORT_MINUTES")
            or written_report_default(parse_level_hours(get("FIRST_REPORT_HOURS") or "2,2,4,4")),
        ),
        report_receipt_minutes=parse_positive_int(
            "REPORT_RECEIPT_MINUTES", get("REPORT_RECEIPT_MINUTES") or "30", low=1, high=1440
        ),
        followup_report_hours=parse_positive_int(
            "FOLLOWUP_REPORT_HOURS", get("FOLLOWUP_REPORT_HOURS") or "24", low=1, high=168
        ),
        final_report_hours=parse_positive_int(
            "FINAL_REPORT_HOURS", get("FINAL_REPORT_HOURS") or "72", low=1, high=720
        ),
        plan_review_years=parse_positive_int(
            "PLAN_REVIEW_YEARS", get("PLAN_REVIEW_YEARS") or "3", low=1, high=10
        ),
        drill_cycle_years=parse_positive_int(
            "DRILL_CYCLE_YEARS", get("DRILL_CYCLE_YEARS") or "3", low=1, high=10
        ),
        drill_check_pass_percent=parse_positive_int(
            "DRILL_CHECK_PASS_PERCENT", get("DRILL_CHECK_PASS_PERCENT") or "60", low=0, high=100
        ),
        risk_remediation_days=parse_risk_days(
            get("RISK_REMEDIATION_DAYS") or RISK_REMEDIATION_DEFAULT
        ),
        trend=parse_trend(get("TREND") or ""),
        petition_number_pattern=parse_number_pattern(
            get("PETITION_NUMBER_PATTERN") or "{code}-{year}-{seq:06d}"
        ),
        document_fonts=parse_fonts(get("DOCUMENT_FONTS") or ""),
        duty_holiday_leader=parse_bool(
            "DUTY_HOLIDAY_LEADER", get("DUTY_HOLIDAY_LEADER", "true") or "true"
        ),
        duty_holiday_officers=parse_positive_int(
            "DUTY_HOLIDAY_OFFICERS", get("DUTY_HOLIDAY_OFFICERS") or "2", low=1, high=10
        ),
        smtp=parse_smtp_url(get("SMTP_URL") or ""),
        mail_from=parse_mail_from(get("MAIL_FROM") or "yingji@localhost"),
        drill_external=parse_bool("DRILL_EXTERNAL", get("DRILL_EXTERNAL", "false") or "false"),
        escalation_minutes=parse_escalation_minutes(get("ESCALATION_MINUTES") or ""),
        request_slots=parse_positive_int(
            "REQUEST_SLOTS",
            get("REQUEST_SLOTS") or ("8" if str(database["ENGINE"]).endswith("sqlite3") else "0"),
            low=0,
            high=1000,
        ),
        task_ack_minutes=parse_positive_int(
            "TASK_ACK_MINUTES", get("TASK_ACK_MINUTES") or "10", low=1, high=1440
        ),
        site_url=parse_site_url(get("SITE_URL") or "http://127.0.0.1:8000"),
        behind_proxy=parse_bool("BEHIND_PROXY", get("BEHIND_PROXY", "false") or "false"),
        map_tiles=parse_map_tiles(get("MAP_TILES") or ""),
        map_attribution=parse_map_attribution(get("MAP_ATTRIBUTION") or ""),
        audit_key=audit_key,
        oidc=oidc,
        password_login=password_login,
    )
