"""Django's ``flush``, which lifts the audit log's DELETE guards while it empties tables.

``flush`` empties every table, the audit log with the rest, and Django runs it after
each transactional test. The database refuses DELETE (and TRUNCATE) on the audit tables,
so the guards are dropped for the flush and created again after it. Emptying the whole
database stays possible for whoever may run this command, as it is for whoever may drop
triggers; an emptied log shows against any checkpoint kept elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from yingji.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if not triggers.guarded(connection):
            super().handle(**options)
            return
        triggers.remove_guards_from(connection)
        try:
            super().handle(**options)
        finally:
            triggers.install_guards_on(connection)
