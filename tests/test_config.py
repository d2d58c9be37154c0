"""Configuration: bad YINGJI_* values stop start-up with a message that names them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from yingji import config


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    clean.update({"YINGJI_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-m", "yingji.cli", "check"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("YINGJI_DEBUG", "maybe", "YINGJI_DEBUG must be one of true, false"),
        ("YINGJI_DATABASE_URL", "mysql://x/y", "YINGJI_DATABASE_URL must be sqlite:///PATH"),
        ("YINGJI_DATABASE_URL", "postgres://u:secretpw@h/", "YINGJI_DATABASE_URL must be"),
        ("YINGJI_TIME_ZONE", "Asia/Beijing", "YINGJI_TIME_ZONE must be an IANA time zone"),
        ("YINGJI_DATABASE_POOL", "-1", "YINGJI_DATABASE_POOL must be a whole number"),
        ("YINGJI_DATABASE_POOL", "many", "YINGJI_DATABASE_POOL must be a whole number"),
        ("YINGJI_REQUEST_SLOTS", "-1", "YINGJI_REQUEST_SLOTS must be a whole number"),
        ("YINGJI_REQUEST_SLOTS", "1001", "YINGJI_REQUEST_SLOTS must be a whole number"),
        ("YINGJI_REDIS_URL", "localhost:6379", "YINGJI_REDIS_URL must be redis://"),
        ("YINGJI_SECRET_KEY", "short", "YINGJI_SECRET_KEY must be a random string"),
        ("YINGJI_DATA_KEY", "not-base64", "YINGJI_DATA_KEY must be 32 random bytes"),
        ("YINGJI_ALLOWED_HOSTS", "http://example.org/", "YINGJI_ALLOWED_HOSTS must be"),
        ("YINGJI_SESSION_IDLE_MINUTES", "0", "YINGJI_SESSION_IDLE_MINUTES must be a whole"),
        ("YINGJI_DUTY_HOLIDAY_LEADER", "sometimes", "YINGJI_DUTY_HOLIDAY_LEADER must be one of"),
        ("YINGJI_DUTY_HOLIDAY_OFFICERS", "0", "YINGJI_DUTY_HOLIDAY_OFFICERS must be a whole"),
        ("YINGJI_SMTP_URL", "smtp://u:secretpw@:25", "YINGJI_SMTP_URL must be smtp://"),
        ("YINGJI_MAIL_FROM", "not an address", "YINGJI_MAIL_FROM must be an e-mail address"),
        ("YINGJI_DRILL_EXTERNAL", "perhaps", "YINGJI_DRILL_EXTERNAL must be one of"),
        ("YINGJI_SITE_URL", "yingji.example.gov.cn", "YINGJI_SITE_URL must be http(s)://"),
        ("YINGJI_MAP_TILES", "tiles.example.gov.cn/{z}/{x}/{y}.png", "YINGJI_MAP_TILES must be"),
        ("YINGJI_MAP_TILES", "https://tiles.example.gov.cn/{z}/{x}.png", "YINGJI_MAP_TILES must"),
        ("YINGJI_MAP_ATTRIBUTION", "测绘院\n审图号", "YINGJI_MAP_ATTRIBUTION must be one line"),
        ("YINGJI_RISK_REMEDIATION_DAYS", "90,60,30", "YINGJI_RISK_REMEDIATION_DAYS must be four"),
        ("YINGJI_RISK_REMEDIATION_DAYS", "90,60,30,0", "YINGJI_RISK_REMEDIATION_DAYS must be"),
        ("YINGJI_TREND", "window_days=0", "YINGJI_TREND must be window_days between 1 and 30"),
        ("YINGJI_TREND", "surge=3", "YINGJI_TREND must be name=number pairs"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(
    tmp_path: Path, name: str, value: str, expected: str
) -> None:
    result = start(tmp_path, **{name: value})
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "secretpw" not in result.stderr


def test_it_starts_with_good_values_and_makes_private_secrets(tmp_path: Path) -> None:
    result = start(tmp_path, YINGJI_DEBUG="no", YINGJI_TIME_ZONE="Asia/Urumqi")
    assert result.returncode == 0, result.stderr
    for name in ("secret_key", "data_key"):
        mode = stat.S_IMODE((tmp_path / "var" / name).stat().st_mode)
        assert mode == 0o600


def test_secrets_are_kept_across_starts(tmp_path: Path) -> None:
    first = config.load({"YINGJI_VAR_DIR": str(tmp_path)})
    second = config.load({"YINGJI_VAR_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key
    assert first.data_key == second.data_key


def test_postgres_connections_are_pooled_unless_the_pool_is_zero(tmp_path: Path) -> None:
    url = "postgres://app:pw@db.local/yingji"
    env = {"YINGJI_VAR_DIR": str(tmp_path), "YINGJI_DATABASE_URL": url}
    pooled = config.load(env).database["OPTIONS"]
    no_jit = {"options": "-c jit=off"}
    assert pooled == {**no_jit, "pool": {"min_size": 2, "max_size": 8, "timeout": 30}}
    single = config.load({**env, "YINGJI_DATABASE_POOL": "1"}).database["OPTIONS"]
    assert single == {**no_jit, "pool": {"min_size": 1, "max_size": 1, "timeout": 30}}
    assert config.load({**env, "YINGJI_DATABASE_POOL": "0"}).database["OPTIONS"] == no_jit


def test_requests_at_once_are_bounded_by_default_on_sqlite_only(tmp_path: Path) -> None:
    env = {"YINGJI_VAR_DIR": str(tmp_path)}
    assert config.load(env).request_slots == 8
    postgres = {**env, "YINGJI_DATABASE_URL": "postgres://app:pw@db.local/yingji"}
    assert config.load(postgres).request_slots == 0
    assert config.load({**postgres, "YINGJI_REQUEST_SLOTS": "16"}).request_slots == 16


def test_database_urls() -> None:
    pg = config.parse_database_url("postgres://app:p%40ss@db.local:5433/yingji?sslmode=require")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "app",
        "p@ss",
        "db.local",
        "5433",
    )
    # JIT off, unless the address's own server options say otherwise.
    plain = {"sslmode": "require", "options": "-c jit=off"}
    assert pg["OPTIONS"] == plain
    pooled = config.with_pool(pg, 12)
    assert pooled["OPTIONS"] == {**plain, "pool": {"min_size": 2, "max_size": 12, "timeout": 30}}
    assert pg["OPTIONS"] == plain and pooled["CONN_MAX_AGE"] == 0
    own = config.parse_database_url("postgres://app@db/yingji?options=-c%20work_mem%3D64MB")
    assert own["OPTIONS"] == {"options": "-c jit=off -c work_mem=64MB"}
    jit = config.parse_database_url("postgres://app@db/yingji?options=-c%20jit%3Don")
    assert jit["OPTIONS"] == {"options": "-c jit=on"}
    assert config.with_pool(pg, 0) is pg
    relative = config.parse_database_url("sqlite:///var/x.sqlite3")
    assert config.with_pool(relative, 8) is relative
    assert str(relative["NAME"]).endswith("var/x.sqlite3")
    absolute = config.parse_database_url("sqlite:////srv/yingji/db.sqlite3")
    assert absolute["NAME"] == "/srv/yingji/db.sqlite3"
    options = absolute["OPTIONS"]
    assert isinstance(options, dict) and options["transaction_mode"] == "IMMEDIATE"
    assert "busy_timeout" in str(options["init_command"])


@pytest.mark.parametrize(
    "value",
    [
        "ftp://tiles.example.gov.cn/{z}/{x}/{y}.png",
        "https:///{z}/{x}/{y}.png",
        "https://tiles.example.gov.cn/{z}/{y}.png",
        "https://tiles.example.gov.cn/{z}/{x}/{y}.png?key={apikey}",
        "https://tiles.example.gov.cn/{z}/{x}/{y}.png {s}",
    ],
)
def test_a_tile_url_needs_http_and_z_x_y_and_nothing_leaflet_cannot_fill(value: str) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load({"YINGJI_VAR_DIR": "var", "YINGJI_MAP_TILES": value})
    assert str(caught.value).startswith("YINGJI_MAP_TILES must be an http(s) tile URL template")


def test_maps_default_to_no_tile_server_and_take_a_template_and_credit(tmp_path: Path) -> None:
    plain = config.load({"YINGJI_VAR_DIR": str(tmp_path)})
    assert plain.map_tiles is None and plain.map_attribution == ""
    tianditu = "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY"
    chosen = config.load(
        {
            "YINGJI_VAR_DIR": str(tmp_path),
            "YINGJI_MAP_TILES": f"  {tianditu} ",
            "YINGJI_MAP_ATTRIBUTION": " 天地图 GS(2024)0568号 ",
        }
    )
    assert chosen.map_tiles == tianditu
    assert chosen.map_attribution == "天地图 GS(2024)0568号"
    assert config.parse_map_tiles("http://10.0.0.5:8080/tms/{z}/{x}/{-y}.png{r}")
    assert config.parse_map_attribution("x" * 200) == "x" * 200
    with pytest.raises(config.ConfigError):
        config.parse_map_attribution("x" * 201)


def test_trend_settings_override_only_what_they_name() -> None:
    values = config.parse_trend("window_days=5, cluster_cases=8")
    assert values["window_days"] == 5 and values["cluster_cases"] == 8
    assert values["baseline_days"] == config.TREND_DEFAULTS["baseline_days"]
    assert config.parse_risk_days("30,20,10,5") == (30, 20, 10, 5)


OIDC_SET = {
    "YINGJI_OIDC_ISSUER": "https://idp.example.gov.cn/realms/staff",
    "YINGJI_OIDC_CLIENT_ID": "yingji",
    "YINGJI_OIDC_CLIENT_SECRET": "s3cret",
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"YINGJI_OIDC_CLIENT_ID": ""}, "YINGJI_OIDC_CLIENT_ID must be set"),
        ({"YINGJI_OIDC_CLIENT_SECRET": " "}, "YINGJI_OIDC_CLIENT_SECRET must be set"),
        ({"YINGJI_OIDC_ISSUER": "http://idp.example.gov.cn"}, "YINGJI_OIDC_ISSUER must be"),
        ({"YINGJI_OIDC_ISSUER": "idp.example.gov.cn"}, "YINGJI_OIDC_ISSUER must be"),
        ({"YINGJI_OIDC_ISSUER": "https://idp/?a=1"}, "YINGJI_OIDC_ISSUER must be"),
        ({"YINGJI_OIDC_CLAIM": "user name"}, "YINGJI_OIDC_CLAIM must be a claim name"),
        ({"YINGJI_OIDC_LABEL": "x" * 61}, "YINGJI_OIDC_LABEL must be one line"),
        ({"YINGJI_PASSWORD_LOGIN": "perhaps"}, "YINGJI_PASSWORD_LOGIN must be one of"),
    ],
)
def test_it_refuses_single_sign_on_settings_it_cannot_use(
    tmp_path: Path, changes: dict[str, str], expected: str
) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load({"YINGJI_VAR_DIR": str(tmp_path), **OIDC_SET, **changes})
    assert expected in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_password_sign_in_is_switched_off_only_with_single_sign_on(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="YINGJI_PASSWORD_LOGIN must be true unless"):
        config.load({"YINGJI_VAR_DIR": str(tmp_path), "YINGJI_PASSWORD_LOGIN": "false"})
    chosen = config.load(
        {"YINGJI_VAR_DIR": str(tmp_path), **OIDC_SET, "YINGJI_PASSWORD_LOGIN": "false"}
    )
    assert chosen.password_login is False


def test_single_sign_on_is_off_unless_an_issuer_is_set(tmp_path: Path) -> None:
    assert config.load({"YINGJI_VAR_DIR": str(tmp_path)}).oidc is None
    chosen = config.load(
        {
            "YINGJI_VAR_DIR": str(tmp_path),
            **OIDC_SET,
            "YINGJI_OIDC_UNIT_CLAIM": "org_code",
            "YINGJI_OIDC_LABEL": "政务统一身份认证",
        }
    )
    assert chosen.oidc == config.OidcConfig(
        issuer="https://idp.example.gov.cn/realms/staff",
        client_id="yingji",
        client_secret="s3cret",
        claim="preferred_username",
        unit_claim="org_code",
        label="政务统一身份认证",
    )
    for loopback in ("http://127.0.0.1:8080", "http://localhost:9000/x", "http://[::1]:8080"):
        assert config.parse_oidc_issuer(loopback) == loopback
