"""Shipped reference data: Wisconsin's 72 counties, and the need categories
every agency starts with (agencies add their own)."""

import csv
from pathlib import Path

from django.db import migrations

COUNTIES = Path(__file__).resolve().parent.parent / "data" / "wi_counties.csv"

NEEDS = [
    ("safety_planning", "Safety planning", "immediate"),
    ("interpretation", "Interpretation or translation", "immediate"),
    ("food", "Food", "immediate"),
    ("shelter", "Shelter", "immediate"),
    ("clothing", "Clothing", "immediate"),
    ("transportation", "Transportation", "immediate"),
    ("medical_care", "Medical care", "immediate"),
    ("housing", "Housing", "long_term"),
    ("employment", "Employment", "long_term"),
    ("health_care", "Health care", "long_term"),
    ("mental_health", "Mental health counseling", "long_term"),
    ("english_classes", "English classes", "long_term"),
    ("independent_living", "Independent-living education", "long_term"),
    ("criminal_proceedings", "Support through criminal proceedings", "long_term"),
    ("immigration", "Immigration", "long_term"),
    ("community_integration", "Community integration", "long_term"),
]


def load(apps, schema_editor):
    County = apps.get_model("protocol", "County")
    NeedCategory = apps.get_model("protocol", "NeedCategory")
    with COUNTIES.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            County.objects.update_or_create(fips=row["fips"], defaults={"name": row["name"]})
    for code, label, term in NEEDS:
        NeedCategory.objects.update_or_create(
            agency=None, code=code, defaults={"label": label, "term": term}
        )


class Migration(migrations.Migration):
    dependencies = [("protocol", "0001_protocol")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
