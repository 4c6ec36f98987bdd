from django.db import migrations

from civique.moderation.charter import create_missing_articles


def forwards(apps, schema_editor):
    create_missing_articles(apps.get_model("moderation", "CharterRule"))


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
