"""The audit log is append-only, and `yingji audit verify` finds any tampering."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from tests import personas
from tests.audit.tampering import drop_guards
from yingji.audit.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def without_update_guard(sql: str, params: list[object]) -> None:
    """Tamper as someone with the database owner's rights would: drop the guard first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute(sql, params)


def test_every_change_of_the_city_is_in_a_chain_that_verifies(city: personas.City) -> None:
    count = AuditEntry.objects.count()
    assert count == 8  # one entry per unit created
    assert verify() == f"audit log intact: all {count} entries verify\n"
    first = AuditEntry.objects.order_by("id").first()
    assert first is not None and first.action == "org.unit.create"
    assert first.actor_label == "tests" and len(first.after_digest) == 64


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "org.unit.update"), ("actor_label", "someone else"), ("after_digest", "0" * 64)],
)
def test_it_detects_a_changed_entry(city: personas.City, column: str, value: str) -> None:
    target = AuditEntry.objects.order_by("id")[3]
    without_update_guard(
        f"UPDATE audit_auditentry SET {column} = %s WHERE id = %s",  # noqa: S608
        [value, target.id],
    )
    with pytest.raises(CommandError, match=rf"broken at entry #{target.id}: its contents"):
        verify()


def test_it_detects_a_removed_entry(city: personas.City) -> None:
    drop_guards("audit_entry_no_delete")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 5")
    with pytest.raises(CommandError, match=r"broken at entry #6: its link"):
        verify()


def test_it_detects_a_removed_newest_entry(city: personas.City) -> None:
    newest = AuditEntry.objects.order_by("-id").first()
    assert newest is not None
    drop_guards("audit_entry_no_delete")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [newest.id])
    with pytest.raises(CommandError, match=rf"#{newest.id}: the chain ends"):
        verify()


def test_an_entry_rehashed_with_the_key_still_breaks_the_next_link(
    city: personas.City,
) -> None:
    from yingji.audit import chain, services

    target = AuditEntry.objects.order_by("id")[2]
    target.action = "forged"
    forged_hash = chain.keyed_hash(services._entry_key(), target.chained_fields(), target.prev_hash)
    without_update_guard(
        "UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s",
        ["forged", forged_hash, target.id],
    )
    with pytest.raises(CommandError, match=rf"broken at entry #{target.id + 1}: its link"):
        verify()


def test_the_database_refuses_updates(city: personas.City) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = 1")


def test_the_code_has_no_update_or_delete_path(city: personas.City) -> None:
    entry = AuditEntry.objects.get(id=1)
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(id=1).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    request = RequestFactory().get("/")
    admin = site._registry[AuditEntry]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert verify().startswith("audit log intact")


def test_the_audit_list_names_types_and_changed_fields_in_words(city: personas.City) -> None:
    from django.utils.translation import override

    from yingji.audit.admin import field_words, kind_words

    with override("zh-hans"):
        assert kind_words("petitions.petition") == "信访事项"
        assert field_words("petitions.petition", ["stage", "unit_id"]) == "办理阶段、办理单位"
        assert field_words("plans.planversion", ["legal_basis", "groups"]) == (
            "法律法规及政策依据、工作组"
        )
        assert field_words("gone.model", ["x"]) == "x"
    entry = AuditEntry.objects.get(id=1)
    admin = site._registry[AuditEntry]
    assert admin.kind(entry) == kind_words(entry.object_type) != entry.object_type
    assert "kind" in admin.get_readonly_fields(RequestFactory().get("/"), entry)


def test_an_update_audited_on_some_fields_names_only_those_that_changed(
    city: personas.City,
) -> None:
    """A snapshot of some fields is compared with the same fields (activating an incident
    once listed every column of the row as changed)."""
    from yingji.audit import services as audit
    from yingji.org.models import Unit

    unit = Unit.objects.order_by("pk").first()
    assert unit is not None
    before = audit.snapshot(unit, ["name"])
    unit.name = unit.name + "（新）"
    unit.save()
    with transaction.atomic():
        entry = audit.record_update(
            actor=audit.Actor.system("test"), action="org.unit.rename", obj=unit, before=before
        )
    assert entry is not None and entry.changed_fields == ["name"]
