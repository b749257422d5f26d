"""A new agency's administrator is told what to set up, and each item is
ticked by what the agency has recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.communications.models import Interpreter
from haven.desk import setup
from haven.desk.setup import setup_checklist, setup_while_unfinished
from haven.protocol.models import County, ReportingContact
from haven.safety.models import Designation

pytestmark = pytest.mark.django_db


def ticked(agency) -> dict[str, bool]:
    return {step.label: step.done for step in setup_checklist(agency.pk)}


def test_a_new_agency_has_everything_but_its_first_team_and_staff_to_do(agency, team):
    state = ticked(agency)
    assert state["Teams"] is True
    assert state["Interpreters"] is False
    assert state["Lockdown administrators"] is False
    assert state["Mandated-reporting contacts"] is False


def test_items_are_ticked_by_what_is_recorded_for_that_agency_only(
    agency, other_agency, admin_user
):
    Interpreter.objects.create(agency=agency, name="Roster Interpreter (synthetic)", kind="staff")
    Designation.objects.create(agency=agency, user=admin_user, duty=Designation.Duty.LOCKDOWN)
    ReportingContact.objects.create(
        agency=agency, county=County.objects.first(), name="County intake line (synthetic)"
    )
    state = ticked(agency)
    assert state["Interpreters"] is True
    assert state["Lockdown administrators"] is True
    assert state["Mandated-reporting contacts"] is True
    elsewhere = ticked(other_agency)
    assert not elsewhere["Interpreters"]
    assert not elsewhere["Lockdown administrators"]


def test_every_item_links_to_a_page_the_administrator_can_open(client_for, admin_user):
    client = client_for(admin_user)
    for step in setup_checklist(admin_user.agency_id):
        assert client.get(step.url).status_code == 200, step.url


def test_the_administrator_sees_the_checklist_and_others_do_not(client_for, admin_user, advocate):
    home = reverse("desk:dashboard")
    assert "Set up your agency" in client_for(admin_user).get(home).content.decode()
    assert "Set up your agency" not in client_for(advocate).get(home).content.decode()


def test_the_checklist_goes_away_once_everything_is_done(agency, monkeypatch):
    assert setup_while_unfinished(agency.pk)
    done = [
        setup.SetupItem(item.label, item.hint, item.url_name, lambda _agency_id: True)
        for item in setup.ITEMS
    ]
    monkeypatch.setattr(setup, "ITEMS", tuple(done))
    assert setup_while_unfinished(agency.pk) == []
