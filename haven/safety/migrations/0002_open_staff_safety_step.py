"""The staff-safety step of the protocol was shown as pending until threats
and persons of concern could be recorded; now they can, so every case's step
opens."""

from django.db import migrations


def open_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="staff_safety", state="pending").update(state="not_started")


def close_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="staff_safety", state="not_started").update(state="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0001_initial"),
        ("protocol", "0002_shipped_data"),
    ]

    operations = [migrations.RunPython(open_step, close_step)]
