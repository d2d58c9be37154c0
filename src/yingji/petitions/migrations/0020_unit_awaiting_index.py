"""The cases waiting for a follow-up are indexed per unit.

The workbench's "ratings to follow up" walked the city's waiting cases in order for the
few of the user's units: 800 ms for a county bureau at 1M (222,230 waiting). It now walks
each unit's stretch of this index (lists.longest_unrated). SQLite's statistics of the new
index are taken at once, so that its planner does not guess how many cases a unit holds.
"""

from django.conf import settings
from django.db import migrations, models


def analyse(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE petitions_unit_awaiting")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_unit_organ_and_document_code"),
        ("petitions", "0019_search_pending"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="petition",
            name="petitions_awaiting_rating",
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=models.Q(("awaiting_rating_since__isnull", False), ("stage", "replied")),
                fields=["unit", "awaiting_rating_since", "id"],
                name="petitions_unit_awaiting",
            ),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop),
    ]
