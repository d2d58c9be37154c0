"""Every lot has a lot code (批次号): those received without the supplier's get the day
they arrived and their number, as services.lot_code gives new ones."""

from typing import Any

from django.db import migrations
from django.utils import timezone


def give_codes(apps: Any, schema_editor: Any) -> None:
    Lot = apps.get_model("resources", "Lot")
    zone = timezone.get_default_timezone()  # the office's (clock.services.office_zone)
    for lot in Lot.objects.filter(code="").only("pk", "created_at").iterator():
        day = timezone.localdate(lot.created_at, zone)
        Lot.objects.filter(pk=lot.pk).update(code=f"{day:%Y%m%d}-{lot.pk:04d}")


class Migration(migrations.Migration):
    dependencies = [("resources", "0005_retire")]

    operations = [migrations.RunPython(give_codes, migrations.RunPython.noop)]
