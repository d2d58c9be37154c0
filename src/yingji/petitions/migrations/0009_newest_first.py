"""Lists walk petitions newest first and stop at a page.

Indexes on (received_at, id) and (stage, received_at, id) serve the list's order; the search entries of existing
petitions are keyed by their receipt time (search 0003) so that a search walks them in
the same order.
"""

from django.db import migrations, models

from yingji.search.fts import rebuild_sqlite, sort_key


def key_entries(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Petition = apps.get_model("petitions", "Petition")
    SearchEntry = apps.get_model("search", "SearchEntry")
    petition_type = ContentType.objects.filter(app_label="petitions", model="petition").first()
    if petition_type is None:
        return
    received = dict(Petition.objects.values_list("pk", "received_at"))
    entries = SearchEntry.objects.filter(subject_type=petition_type).only("pk", "subject_id")
    for entry in entries.iterator():
        at = received.get(entry.subject_id)
        if at is not None:
            SearchEntry.objects.filter(pk=entry.pk).update(sort_key=sort_key(at, entry.pk))
    if schema_editor.connection.vendor == "sqlite":
        rebuild_sqlite(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0008_transfers_from_above"),
        ("search", "0003_sort_key"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(fields=["received_at", "id"], name="petitions_received"),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                fields=["stage", "received_at", "id"], name="petitions_stage_received"
            ),
        ),
        migrations.RunPython(key_entries, migrations.RunPython.noop),
    ]
