"""Steps of the backup-and-restore scenario, run inside a real install by
``manage.py shell -c`` (see test_restore.py): each prints one JSON line.

Synthetic data only.
"""

from __future__ import annotations

import json
from datetime import date

MARK = "SCENARIO-JSON:"
STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"

KEPT = {"legal_name": "Guadalupe Ramírez Soto", "phone": "414-555-0187"}
DESTROYED = {
    "legal_name": "Oksana Verbytska",
    "aliases": ["Оксана Вербицька"],
    "phone": "608-555-0142",
    "date_of_birth": date(2001, 11, 3),
}
LATER = {"legal_name": "Thandiwe Mokoena", "phone": "262-555-0173"}


def _say(values: dict) -> None:
    print(MARK + json.dumps(values))


def seed() -> None:
    """An agency, a supervisor, and two people with their cases."""
    from haven.accounts.models import Role
    from tests.factories import AgencyFactory, TeamFactory, make_staff, record_intake

    agency = AgencyFactory(name="Backup Test Agency")
    team = TeamFactory(agency=agency, name="Backup Test Team")
    supervisor = make_staff(agency=agency, role=Role.SUPERVISOR, team=team)
    kept = record_intake(actor=supervisor, team=team, advocate=supervisor, **KEPT)
    destroyed = record_intake(actor=supervisor, team=team, advocate=supervisor, **DESTROYED)
    _say(
        {
            "supervisor": supervisor.pk,
            "team": team.pk,
            "kept_case": str(kept.pk),
            "destroyed_case": str(destroyed.pk),
            "destroyed_person": str(destroyed.person_id),
            "destroyed_key": str(destroyed.person.data_key_id),
        }
    )


def after_the_backup(supervisor_id: int, kept_case: str, destroyed_case: str) -> None:
    """A new person, a communication on a kept case, a destruction."""
    from haven.accounts.models import User
    from haven.people.models import Case
    from haven.people.services import person_destroy
    from tests.communications.helpers import log
    from tests.factories import record_intake

    supervisor = User.objects.get(pk=supervisor_id)
    team = Case.objects.get(pk=kept_case).team
    later = record_intake(actor=supervisor, team=team, advocate=supervisor, **LATER)
    entry = log(supervisor, Case.objects.get(pk=kept_case))
    person_destroy(
        actor=supervisor, person=Case.objects.get(pk=destroyed_case).person, basis="request"
    )
    _say(
        {"later_person": str(later.person_id), "later_case": str(later.pk), "entry": str(entry.pk)}
    )


def look(supervisor_id: int, cases: list[str], person: str, key: str) -> None:
    """What the supervisor's browser gets for each case page, and whether
    the destroyed person's row and data key exist."""
    from django.conf import settings
    from django.test import Client, override_settings
    from django.urls import reverse

    from haven.accounts.models import User
    from haven.core.models import DataKey
    from haven.people.models import Person

    client = Client()
    client.force_login(
        User.objects.get(pk=supervisor_id), backend=settings.AUTHENTICATION_BACKENDS[-1]
    )
    # A local install serves collected static files; here there are none.
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC}}
    with override_settings(STORAGES=storages):
        status = {
            case: client.get(reverse("desk:case_detail", args=[case])).status_code for case in cases
        }
    _say(
        {
            "status": status,
            "person_exists": Person.objects.filter(pk=person).exists(),
            "key_exists": DataKey.objects.filter(pk=key).exists(),
            "people": Person.objects.count(),
        }
    )


def said(output: str) -> dict:
    line = next(line for line in output.splitlines() if line.startswith(MARK))
    return json.loads(line.removeprefix(MARK))


def keep_writing(seconds: float) -> None:
    """Record intakes, one after another, for ``seconds``; how many."""
    import time

    from haven.accounts.models import User
    from haven.core.models import Team
    from tests.factories import record_intake

    supervisor = User.objects.get(username__startswith="staff-")
    team = Team.objects.get(name="Backup Test Team")
    print("writing", flush=True)
    end = time.monotonic() + seconds
    count = 0
    while time.monotonic() < end:
        record_intake(
            actor=supervisor, team=team, advocate=supervisor, legal_name=f"Synthetic Writer {count}"
        )
        count += 1
    print(f"wrote {count}", flush=True)
