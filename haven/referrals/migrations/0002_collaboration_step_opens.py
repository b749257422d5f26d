"""The collaboration step waited for referrals; now they exist, so it opens."""

from django.db import migrations


def open_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="collaboration", state="pending").update(state="not_started")


def close_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="collaboration", state="not_started").update(state="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_referrals"),
        ("protocol", "0002_shipped_data"),
    ]

    operations = [migrations.RunPython(open_step, close_step)]
