"""PostgreSQL: a petition found from its deadline, by the deadline's text subject id.

A deadline names its subject by a text id (clock.Deadline.subject_id), so a query that
goes from the deadlines to their petitions (the cases with a missed deadline,
clock.with_missed_deadline, as the supervisor's "overdue cases by unit" panel counts
them) compares ``petition.id::varchar`` with it. Without an index on that expression
PostgreSQL hashes the missed deadlines and reads every petition to probe them: on the 1M
benchmark database the panel took 1.1 to 1.3 s for the city's supervisor, a sequential
scan of the petition table. With it PostgreSQL looks up the petition of each missed
deadline (19,235 of them): 0.3 s (docs/benchmarks.md, "The workbench panels"). The table
is analysed at once: without statistics of the expression the planner keeps to the
sequential scan, and autovacuum would not analyse a table that has not changed. SQLite checks each petition's deadlines
instead (a correlated EXISTS) and would not use the index, so it is not made there.
"""

from django.db import migrations

# Named here, not imported: a migration keeps meaning what it meant when written.
INDEX = "petitions_id_text"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The expression as the ORM writes Cast(id, CharField()): ("id")::varchar.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON petitions_petition ((id::varchar))"
    )
    schema_editor.execute("ANALYZE petitions_petition")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0013_category_stage_index")]
    operations = [migrations.RunPython(forwards, backwards)]
