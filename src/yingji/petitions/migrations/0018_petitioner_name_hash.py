"""A keyed hash of each petitioner's name, so that staff can find a returning
petitioner's cases by name as they already can by phone or ID number, without the name
ever being stored or compared in clear. The backfill decrypts each name once, in
batches, and keeps only its hash.
"""

from django.db import migrations, models

BATCH = 2_000


def backfill(apps, schema_editor):
    from yingji import crypto

    Petition = apps.get_model("petitions", "Petition")
    rows = Petition.objects.exclude(name_enc="").only("pk", "name_enc").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        for petition in batch:
            name = crypto.normal_name(crypto.decrypt(petition.name_enc))
            petition.name_hash = crypto.lookup_hash("name", name)
        Petition.objects.bulk_update(batch, ["name_hash"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("petitions", "0017_review_delivery_and_letter_numbers")]

    operations = [
        migrations.AddField(
            model_name="petition",
            name="name_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
