"""YINGJI_AUDIT_KEY: generated into var/ on first run, refused at start when malformed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.test_config import start
from yingji import config


@pytest.mark.parametrize("value", ["not-base64", "c2hvcnQ=", ""])
def test_it_refuses_to_start_with_a_malformed_audit_key(tmp_path: Path, value: str) -> None:
    result = start(tmp_path, YINGJI_AUDIT_KEY=value)
    assert result.returncode == 2
    assert "YINGJI_AUDIT_KEY must be 32 random bytes in URL-safe base64" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_audit_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = config.load({"YINGJI_VAR_DIR": str(tmp_path)})
    second = config.load({"YINGJI_VAR_DIR": str(tmp_path)})
    assert first.audit_key == second.audit_key
    assert first.audit_key != first.data_key
    assert stat.S_IMODE((tmp_path / "audit_key").stat().st_mode) == 0o600


def test_the_audit_key_comes_from_the_environment_when_set(tmp_path: Path) -> None:
    key = "A" * 43 + "="
    loaded = config.load({"YINGJI_VAR_DIR": str(tmp_path), "YINGJI_AUDIT_KEY": key})
    assert loaded.audit_key == key
    assert not (tmp_path / "audit_key").exists()
