"""Masks of team contacts' and experts' phones hide at least half of the digits (issue 19).

The masks are stored when a team or an expert is entered, so the ones written under the
old rule (a seven-digit number shown whole, 876*4321) are written again from the
ciphertext.
"""

from django.db import migrations

from yingji import crypto


def remask(apps, schema_editor):
    crypto.remask(
        apps.get_model("resources", "Team"),
        [("contact_phone_enc", "contact_phone_masked", crypto.mask_phone)],
    )
    crypto.remask(
        apps.get_model("resources", "Expert"),
        [("phone_enc", "phone_masked", crypto.mask_phone)],
    )


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_seed_categories")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
