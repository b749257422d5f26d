# Every change of a threat's police report number, sealed under the threat's key.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import haven.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_agency_and_data_keys"),
        ("safety", "0005_check_in_limit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportNumberChange",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "previous",
                    haven.core.fields.EncryptedTextField(
                        blank=True, editable=True, null=True, verbose_name="report number before"
                    ),
                ),
                (
                    "number",
                    haven.core.fields.EncryptedTextField(
                        blank=True, editable=True, null=True, verbose_name="report number"
                    ),
                ),
                ("changed_at", models.DateTimeField()),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.agency",
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "data_key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.datakey",
                    ),
                ),
                (
                    "threat",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_number_changes",
                        to="safety.threat",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["threat", "changed_at"], name="report_number_history")
                ],
            },
        ),
    ]
