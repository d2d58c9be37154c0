"""Security headers and HTTPS settings: a content security policy the pages pass, no
stored copies of signed-in pages, trusted origins behind an HTTPS proxy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from yingji.accounts.models import User

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "yingji" / "templates"


def test_pages_carry_a_policy_with_no_inline_script_and_are_not_stored(
    township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    page = client.get("/petitions/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy
    assert {"no-store", "private"} <= set(page["Cache-Control"].replace(" ", "").split(","))
    assert "no-store" in client.get("/api/v1/me")["Cache-Control"]
    login = Client().get("/accounts/login/")
    assert "Content-Security-Policy" in login


def test_no_template_holds_an_inline_script_or_handler() -> None:
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                found.append(f"{path.name}: {tag}")
        found += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert found == []


def test_an_oversized_api_body_gets_a_json_answer(township_clerk: User, client_for) -> None:
    body = b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    response = client_for(township_clerk).post(
        "/api/v1/petitions", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == "too_large"


def test_a_failed_cross_site_check_answers_in_chinese(township_clerk: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "clerk", "password": "x"})
    assert response.status_code == 403
    assert "表单未能提交" in response.content.decode()


def settings_under(**environ: str) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ["
        "'CSRF_TRUSTED_ORIGINS', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'ALLOWED_HOSTS']}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yingji.settings", **environ}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_behind_an_https_proxy_the_site_address_sets_origins_cookies_and_hsts() -> None:
    found = settings_under(
        YINGJI_SITE_URL="https://yingji.example.gov.cn", YINGJI_BEHIND_PROXY="true"
    )
    assert found["CSRF_TRUSTED_ORIGINS"] == ["https://yingji.example.gov.cn"]
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["SESSION_COOKIE_SECURE"] is True and found["CSRF_COOKIE_SECURE"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 31536000
    assert "yingji.example.gov.cn" in found["ALLOWED_HOSTS"]
    plain = settings_under(YINGJI_SITE_URL="http://127.0.0.1:8000")
    assert plain["SECURE_PROXY_SSL_HEADER"] is None and plain["SESSION_COOKIE_SECURE"] is False


def test_the_policy_lets_the_configured_tile_server_serve_images() -> None:
    from yingji.middleware import content_security_policy

    assert "img-src 'self' data: blob:;" in content_security_policy(None)
    spread = content_security_policy("https://{s}.tiles.example.cn/{z}/{x}/{y}.png")
    assert "https://*.tiles.example.cn" in spread
    one = content_security_policy("https://tiles.example.cn/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://tiles.example.cn;" in one
