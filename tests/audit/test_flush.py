"""Emptying the whole database (Django's flush, run after every transactional test)
lifts the audit guards only for its own duration."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from tests import personas
from tests.audit.tampering import execute, verify
from yingji.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_flush_empties_the_log_and_puts_the_guards_back() -> None:
    personas.build_city()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    personas.build_city()
    assert verify() == "audit log intact: all 8 entries verify\n"
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("DELETE FROM audit_auditentry WHERE id = 8")
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_chainhead SET last_id = 1")
