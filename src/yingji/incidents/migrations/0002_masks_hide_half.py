"""Masks of reporters' phones hide at least half of the digits (issue 19).

The masks are stored when an incident is reported, so the ones written under the old
rule (a seven-digit number shown whole) are written again from the ciphertext.
"""

from django.db import migrations

from yingji import crypto


def remask(apps, schema_editor):
    crypto.remask(
        apps.get_model("incidents", "Incident"),
        [("reporter_phone_enc", "reporter_phone_masked", crypto.mask_phone)],
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
