from django.db import migrations

from civique.sla.defaults import create_defaults


def forwards(apps, schema_editor):
    create_defaults(
        apps.get_model("sla", "Calendar"),
        apps.get_model("sla", "OpeningSlot"),
        apps.get_model("sla", "Policy"),
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
