"""The documentation step of the protocol was shown as pending until the
communications log existed; now it does, so every case's step opens."""

from django.db import migrations


def open_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="documentation", state="pending").update(state="not_started")


def close_step(apps, schema_editor):
    CaseStep = apps.get_model("protocol", "CaseStep")
    CaseStep.objects.filter(step="documentation", state="not_started").update(state="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("communications", "0002_no_update_trigger"),
        ("protocol", "0002_shipped_data"),
    ]

    operations = [migrations.RunPython(open_step, close_step)]
