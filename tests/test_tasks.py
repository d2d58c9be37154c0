"""The database's own nightly job: SQLite's planner statistics taken again."""

from __future__ import annotations

import pytest
from django.db import connection

from yingji.tasks import refresh_planner_statistics

pytestmark = pytest.mark.django_db


def test_the_nightly_job_takes_sqlites_statistics_of_the_grown_tables(
    township_clerk,
) -> None:
    if connection.vendor != "sqlite":
        assert refresh_planner_statistics.call_local() is False  # autovacuum's work there
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchall():
            cursor.execute("DELETE FROM sqlite_stat1")  # none taken, as on a fresh start
    assert refresh_planner_statistics.call_local() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'accounts_user'")
        assert cursor.fetchall()  # the users' table and its indexes were read
