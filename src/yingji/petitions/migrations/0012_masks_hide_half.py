"""Masks of phones and ID numbers hide at least half of the digits (issue 19).

The masks are stored when a petition is registered, so the ones written under the old
rule (a seven-digit number shown whole) are written again from the ciphertext.
"""

from django.db import migrations

from yingji import crypto


def remask(apps, schema_editor):
    crypto.remask(
        apps.get_model("petitions", "Petition"),
        [
            ("phone_enc", "phone_masked", crypto.mask_phone),
            ("id_number_enc", "id_number_masked", crypto.mask_id_number),
        ],
    )
    crypto.remask(
        apps.get_model("petitions", "Representative"),
        [("phone_enc", "phone_masked", crypto.mask_phone)],
    )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0011_list_filter_indexes")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
