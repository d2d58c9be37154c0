"""Every audit action code the source writes has its words (audit/actions.py), so the
audit log never shows a raw code such as ``petitions.petition.register`` (issue 21,
item 25)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from yingji.audit import actions
from yingji.audit.admin import AuditEntryAdmin
from yingji.audit.models import AuditEntry
from yingji.incidents.services.tasks import TRANSITIONS
from yingji.petitions.models import Review, Supervision
from yingji.plans.models import FilingState, PlanVersion
from yingji.resources.models import Movement

SOURCE = Path(actions.__file__).resolve().parents[1]
LITERAL = re.compile(r"""action\s*=\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")
TEMPLATE = re.compile(r"""action\s*=\s*f["']([^"']+)["']""")
# Each code an f-string writes, by its template: the values its placeholder takes.
TEMPLATES = {
    "incidents.task.{action}": [f"incidents.task.{a}" for a in TRANSITIONS],
    "petitions.petition.{kind}": [f"petitions.petition.{k}" for k in Supervision.Kind.values],
    "petitions.{current.level}.decide": [f"petitions.{v}.decide" for v in Review.Level.values],
    "petitions.{current.level}.deliver": [f"petitions.{v}.deliver" for v in Review.Level.values],
    "plans.filing.{state}": [f"plans.filing.{s}" for s in FilingState.values],
    "plans.version.{status}": [f"plans.version.{s}" for s in PlanVersion.Status.values],
    "resources.stock.{kind}": [f"resources.stock.{k}" for k in Movement.Kind.values],
}


def written_codes() -> set[str]:
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes.update(LITERAL.findall(text))
        for template in TEMPLATE.findall(text):
            assert template in TEMPLATES, f"{path.name}: say which codes {template!r} writes"
            codes.update(TEMPLATES[template])
    return codes


def test_every_action_code_the_source_writes_has_words() -> None:
    codes = written_codes()
    assert len(codes) > 80  # the scan found the services' codes
    missing = sorted(code for code in codes if code not in actions.WORDS)
    assert not missing, f"audit action codes without words in audit/actions.py: {missing}"


def test_the_words_are_chinese_in_the_chinese_interface() -> None:
    with translation.override("zh-hans"):
        untranslated = sorted(code for code, words in actions.WORDS.items() if str(words).isascii())
    assert not untranslated


@pytest.mark.django_db
def test_the_audit_admin_shows_the_action_in_words() -> None:
    entry = AuditEntry(action="petitions.petition.register", object_type="petitions.petition")
    admin = AuditEntryAdmin(AuditEntry, None)  # type: ignore[arg-type]
    with translation.override("zh-hans"):
        assert admin.action_words(entry) == "登记信访事项"
        assert admin.action_words(AuditEntry(action="old.code")) == "old.code"
