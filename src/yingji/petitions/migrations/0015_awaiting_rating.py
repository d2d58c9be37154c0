"""Replied cases waiting for a follow-up, kept on the case and indexed.

"Ratings to follow up" (the workbench panel and the list's "rating not recorded") read
every replied case of the units, looked up each one's newest reply and any follow-up
since, and sorted them by the reply: 0.4 to 3 s on the 1M benchmark database. The reply
and rating services now keep ``awaiting_rating_since`` (the newest reply's issue time
while nothing has been recorded since), and a partial index of those cases gives the
panel its order: walked in that order and stopped at the panel's rows.

The backfill sets it as the old rule read the case: the newest reply's issue time, or,
for a replied case with no reply in yingji (an imported ledger), the time it was last
changed; and clears it where a follow-up came at or after it.
"""

import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Q, Subquery


def backfill(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    Reply = apps.get_model("petitions", "Reply")
    FollowUp = apps.get_model("petitions", "FollowUp")
    newest = (
        Reply.objects.filter(petition=OuterRef("pk")).order_by("-issued_at", "-pk").values("issued_at")
    )
    Petition.objects.filter(stage="replied").update(
        awaiting_rating_since=django.db.models.functions.comparison.Coalesce(
            Subquery(newest[:1]), F("updated_at")
        )
    )
    rated = FollowUp.objects.filter(petition=OuterRef("pk"), at__gte=OuterRef("awaiting_rating_since"))
    Petition.objects.filter(awaiting_rating_since__isnull=False).filter(Exists(rated)).update(
        awaiting_rating_since=None
    )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0014_petition_id_text_index")]

    operations = [
        migrations.AddField(
            model_name="petition",
            name="awaiting_rating_since",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="awaiting a follow-up since"
            ),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=Q(("awaiting_rating_since__isnull", False), ("stage", "replied")),
                fields=["awaiting_rating_since", "id"],
                name="petitions_awaiting_rating",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
