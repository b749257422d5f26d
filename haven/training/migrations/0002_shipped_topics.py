"""Haven's training topics, shared by every agency (their labels are
translated in haven.training.models.SHIPPED; ``name`` is the fallback)."""

from django.db import migrations

SHIPPED = [
    ("dynamics", "Dynamics of human trafficking"),
    ("laws", "Trafficking laws"),
    ("protections", "Protections and services for survivors"),
    ("interpreters", "Working with interpreters"),
    ("mandated_reporting", "Mandated reporting"),
    ("staff_safety", "Staff safety"),
    ("trauma_informed", "Trauma-informed practice"),
]


def ship(apps, schema_editor):
    Topic = apps.get_model("training", "Topic")
    for position, (code, name) in enumerate(SHIPPED, start=1):
        Topic.objects.update_or_create(
            agency=None, code=code, defaults={"name": name, "position": position}
        )


def unship(apps, schema_editor):
    Topic = apps.get_model("training", "Topic")
    Topic.objects.filter(agency=None, code__in=[code for code, _name in SHIPPED]).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(ship, unship)]
