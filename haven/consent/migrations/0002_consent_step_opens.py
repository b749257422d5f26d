"""The consent step of the protocol was shown as pending until consent
records existed; now they do, so every case's step opens."""

from django.db import migrations


def open_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="consent", state="pending").update(state="not_started")


def close_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="consent", state="not_started").update(state="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_consent_and_disclosures"),
        ("protocol", "0002_shipped_data"),
    ]

    operations = [migrations.RunPython(open_step, close_step)]
