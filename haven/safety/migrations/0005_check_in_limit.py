# The hourly limit of check-ins: its alert, and an index to count a staff
# member's check-ins of the last hour.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_agency_and_data_keys"),
        ("safety", "0004_visit_place"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckInAlert",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("raised_at", models.DateTimeField()),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.agency",
                    ),
                ),
                (
                    "desk_user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["agency", "acknowledged_at", "-raised_at"],
                        name="check_in_alert_open",
                    ),
                    models.Index(fields=["desk_user", "-raised_at"], name="check_in_alert_by_desk"),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["screened_by", "-checked_in_at"], name="visit_by_desk"),
        ),
    ]
