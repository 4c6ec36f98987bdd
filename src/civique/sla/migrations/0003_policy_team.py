import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_team_contact_visibility"),
        ("sla", "0002_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="team",
            field=models.ForeignKey(
                blank=True,
                help_text="Vide : tous les services.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sla_policies",
                to="core.team",
                verbose_name="service",
            ),
        ),
    ]
