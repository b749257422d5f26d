from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.people.models import Case, Person
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(intake, team):
    long_ago = timezone.localdate() - timedelta(days=365 * 8)
    old = record_intake(actor=intake, team=team, danger="no", legal_name="Old Closed")
    recent = record_intake(actor=intake, team=team, danger="no", legal_name="Recently Closed")
    still_open = record_intake(actor=intake, team=team, danger="no", legal_name="Still Open")
    Case.objects.filter(pk=old.pk).update(status="closed", closed_on=long_ago)
    Case.objects.filter(pk=recent.pk).update(status="closed", closed_on=timezone.localdate())
    return {"old": old, "recent": recent, "open": still_open}


def test_dry_run_counts_and_changes_nothing(cases, agency):
    out = io.StringIO()
    call_command(
        "apply_retention", "--agency", str(agency.pk), "--years", "7", "--dry-run", stdout=out
    )
    assert out.getvalue().strip() == "1 people would be destroyed."
    assert Person.objects.count() == 3


def test_retention_destroys_only_people_whose_cases_all_closed_long_ago(cases, agency):
    call_command(
        "apply_retention", "--agency", str(agency.pk), "--years", "7", stdout=io.StringIO()
    )
    assert not Person.objects.filter(pk=cases["old"].person_id).exists()
    assert Person.objects.filter(pk=cases["recent"].person_id).exists()
    assert Person.objects.filter(pk=cases["open"].person_id).exists()
    event = AuditEvent.objects.get(action=Action.PERSON_DESTROYED)
    assert event.detail == {"basis": "retention"}


@pytest.mark.parametrize(
    "args", [["--agency", "999999", "--years", "7"], ["--agency", "AGENCY", "--years", "0"]]
)
def test_bad_arguments_destroy_nothing(cases, agency, args):
    args = [str(agency.pk) if a == "AGENCY" else a for a in args]
    with pytest.raises(CommandError):
        call_command("apply_retention", *args, stdout=io.StringIO())
    assert Person.objects.count() == 3
