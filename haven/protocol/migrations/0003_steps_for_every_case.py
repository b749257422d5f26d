"""Every case gets a row for each step of the protocol.

Cases opened before the tracker existed got theirs the first time the
tracker was read; the tracker is now a pure read, so the rows are made here.
The steps and their deadlines are those of this release, written out so the
migration does the same thing whatever the code says later.
"""

from datetime import timedelta

from django.db import migrations

# (step, days after the case opens by which it is due, or None)
STEPS = [
    ("safety", 0),
    ("interpretation", 0),
    ("needs", 3),
    ("rights", 7),
    ("consent", None),
    ("law_enforcement", None),
    ("confidentiality", 3),
    ("collaboration", None),
    ("documentation", None),
    ("staff_safety", None),
    ("minors", 1),
]


def add_missing_steps(apps, schema_editor):
    Case = apps.get_model("people", "Case")
    CaseStep = apps.get_model("protocol", "CaseStep")
    have: dict[object, set[str]] = {}
    for case_id, step in CaseStep.objects.values_list("case_id", "step").iterator():
        have.setdefault(case_id, set()).add(step)
    cases = Case.objects.select_related("person").only("pk", "opened_on", "person__data_key_id")
    rows = []
    for case in cases.iterator(chunk_size=2000):
        done = have.get(case.pk, set())
        rows += [
            CaseStep(
                case_id=case.pk,
                data_key_id=case.person.data_key_id,
                step=step,
                state="not_started",
                due_on=None if days is None else case.opened_on + timedelta(days=days),
            )
            for step, days in STEPS
            if step not in done
        ]
        if len(rows) >= 5000:
            CaseStep.objects.bulk_create(rows)
            rows = []
    CaseStep.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("protocol", "0002_shipped_data"),
        ("people", "0007_alias_position"),
    ]

    operations = [migrations.RunPython(add_missing_steps, migrations.RunPython.noop)]
