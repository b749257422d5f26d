"""Haven's own service taxonomy (haven/partners/data/taxonomy.json): the
kinds of service the people served often need, each naming the need
categories it answers. Shipped rows have no agency."""

import json
from pathlib import Path

from django.db import migrations

TAXONOMY = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def load(apps, schema_editor):
    Taxonomy = apps.get_model("partners", "Taxonomy")
    TaxonomyTerm = apps.get_model("partners", "TaxonomyTerm")
    data = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    info = data["taxonomy"]
    taxonomy, _ = Taxonomy.objects.update_or_create(
        id=info["id"],
        defaults={
            "agency": None,
            "name": info["name"],
            "description": info["description"],
            "uri": info["uri"],
            "version": info["version"],
        },
    )
    ids = {term["code"]: term["id"] for term in data["terms"]}
    for term in data["terms"]:
        TaxonomyTerm.objects.update_or_create(
            id=term["id"],
            defaults={
                "agency": None,
                "taxonomy": taxonomy,
                "code": term["code"],
                "name": term["name"],
                "description": term["description"],
                "language": "eng",
                "need_codes": term["needs"],
            },
        )
    for term in data["terms"]:
        if term["parent"]:
            TaxonomyTerm.objects.filter(id=term["id"]).update(parent_id=ids[term["parent"]])


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_directory")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
