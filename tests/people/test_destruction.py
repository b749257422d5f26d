"""Destroying a person: nothing identifying left, the fact of it audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.people.models import Alias, Case, Person, SearchEntry
from haven.people.selectors import case_get, people_matching
from haven.people.services import case_open, person_destroy
from tests.factories import record_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(intake, team):
    person = record_person(
        actor=intake, legal_name="Octavia Brennwald", aliases=["Tavi"], phone="262-555-0100"
    )
    return case_open(actor=intake, person=person, team=team)


def test_destruction_removes_key_rows_and_index(case, intake):
    person = case.person
    data_key_id = person.data_key_id
    person_destroy(actor=intake, person=person, basis="request")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Alias.objects.filter(person_id=person.pk).exists()
    assert not SearchEntry.objects.filter(person_id=person.pk).exists()
    assert not DataKey.objects.filter(pk=data_key_id).exists()
    assert people_matching(user=intake, name="Octavia Brennwald") == []
    with pytest.raises(NotFound):
        case_get(user=intake, case_id=case.pk)


def test_destruction_is_audited_without_identifying_data(case, intake):
    person_destroy(actor=intake, person=case.person, basis="retention")
    event = AuditEvent.objects.get(action=Action.PERSON_DESTROYED)
    assert event.detail == {"basis": "retention"}
    assert "Octavia" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_destruction_needs_a_basis_and_changes_nothing_without_one(case, intake):
    with pytest.raises(ValidationError):
        person_destroy(actor=intake, person=case.person, basis="whim")
    assert Person.objects.filter(pk=case.person_id).exists()
