"""Visitor screening knows the sites: a check-in says where it happens (the
office or a site by its alias), and an alert at a site names it and reaches
its shelter staff besides the staff designated for alerts. The front desk
sees aliases only; a place it may not choose is refused, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from haven.accounts.api_tokens import api_token_create
from haven.accounts.models import Role
from haven.audit.models import Action, AuditEvent
from haven.core.keys import data_key_create
from haven.safety import selectors, services
from haven.safety.models import Visit, VisitorAlert
from haven.safety.places import place_choices
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

CONCERN = "Oswin Fabricatov"
ADDRESS = "1200 Synthetic Hollow Road"
SEALED_NAME = "Harbour House (synthetic)"
API = "/api/v1"


def keep(actor, name: str = CONCERN):
    return services.concern_save(actor=actor, values=services.ConcernValues(name=name))


def check_in(actor, name: str = CONCERN, place: str = "") -> Visit:
    return services.visit_check_in(
        actor=actor, values=services.VisitValues(name_given=name, place=place)
    )


def api_for(user) -> tuple[Client, dict[str, str]]:
    token = api_token_create(user=user, lifetime=timedelta(hours=1))
    return Client(enforce_csrf_checks=True), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def written() -> tuple[int, int]:
    return Visit.objects.count(), VisitorAlert.objects.count()


@pytest.fixture
def sealed_site_a(site_a):
    """Site A with a sealed name and address, which must never show."""
    site_a.data_key = data_key_create(site_a.agency)[0]
    site_a.name = SEALED_NAME
    site_a.address = ADDRESS
    site_a.save()
    return site_a


def test_the_front_desk_may_choose_the_agencys_sites_by_alias(intake, site_a, site_b, other_site):
    assert place_choices(intake.agency_id) == [
        (str(site_a.pk), "Site A"),
        (str(site_b.pk), "Site B"),
    ]
    assert selectors.visit_places(user=intake) == place_choices(intake.agency_id)


def test_an_alert_at_site_a_reaches_its_shelter_staff_and_not_site_bs(
    advocate, intake, shelter, shelter_b, supervisor, site_a, site_b
):
    keep(advocate)
    visit = check_in(intake, place=str(site_a.pk))
    assert (visit.flagged, visit.place, visit.place_label) == (True, str(site_a.pk), "Site A")
    alert = VisitorAlert.objects.get(visit=visit)

    assert [a.pk for a in selectors.alert_list(user=shelter)] == [alert.pk]
    assert selectors.open_alert_count(user=shelter) == 1
    assert selectors.alert_list(user=shelter_b) == []
    assert selectors.open_alert_count(user=shelter_b) == 0
    # The designated staff (none designated: the supervisors) still get it.
    assert [a.pk for a in selectors.alert_list(user=supervisor)] == [alert.pk]

    raised = AuditEvent.objects.get(action=Action.VISITOR_ALERT_RAISED)
    assert shelter.pk in raised.detail["recipients"]
    assert shelter_b.pk not in raised.detail["recipients"]
    assert raised.detail["place"] == str(site_a.pk)


def test_an_alert_at_the_office_does_not_reach_the_sites(
    advocate, intake, shelter, supervisor, site_a
):
    keep(advocate)
    visit = check_in(intake)
    assert (visit.flagged, visit.place, visit.place_label) == (True, "", "")
    assert selectors.alert_list(user=shelter) == []
    assert len(selectors.alert_list(user=supervisor)) == 1


def test_the_alert_names_site_a_by_alias_and_never_its_address(
    advocate, intake, shelter, client_for, sealed_site_a
):
    keep(advocate)
    check_in(intake, place=str(sealed_site_a.pk))
    page = client_for(shelter).get(reverse("safety:alerts")).content.decode()
    assert "At Site A" in page
    assert CONCERN in page
    assert ADDRESS not in page
    assert SEALED_NAME not in page


def test_the_shelter_staff_of_another_site_do_not_see_the_alert(
    advocate, intake, shelter_b, client_for, site_a, site_b
):
    keep(advocate)
    visit = check_in(intake, place=str(site_a.pk))
    page = client_for(shelter_b).get(reverse("safety:alerts")).content.decode()
    assert CONCERN not in page
    alert = VisitorAlert.objects.get(visit=visit)
    response = client_for(shelter_b).post(reverse("safety:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_shelter_staff_of_the_site_may_say_they_deal_with_it(advocate, intake, shelter, site_a):
    keep(advocate)
    visit = check_in(intake, place=str(site_a.pk))
    alert = VisitorAlert.objects.get(visit=visit)
    services.alert_acknowledge(actor=shelter, alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.acknowledged_by == shelter


def test_the_api_says_where_an_alert_was_raised(advocate, intake, shelter, site_a):
    keep(advocate)
    client, auth = api_for(intake)
    response = client.post(
        f"{API}/visits",
        {"name_given": CONCERN, "place": str(site_a.pk)},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    assert response.json()["flagged"] is True
    client, auth = api_for(shelter)
    alerts = client.get(f"{API}/visitor-alerts", **auth).json()
    assert [(a["place"], a["place_label"]) for a in alerts] == [(str(site_a.pk), "Site A")]


def test_the_api_lists_the_places_for_the_desk_only(intake, advocate, site_a):
    client, auth = api_for(intake)
    places = client.get(f"{API}/visit-places", **auth).json()
    assert places == [{"id": str(site_a.pk), "label": "Site A"}]
    client, auth = api_for(advocate)
    assert client.get(f"{API}/visit-places", **auth).status_code == 404


@pytest.mark.parametrize("place", ["other", "made-up", "inactive"])
def test_a_place_the_agency_does_not_have_is_refused_and_nothing_written(
    advocate, intake, site_a, other_site, place
):
    keep(advocate)
    if place == "inactive":
        site_a.is_active = False
        site_a.save(update_fields=["is_active"])
    wanted = {
        "other": str(other_site.pk),
        "made-up": "00000000-0000-4000-8000-000000000000",
        "inactive": str(site_a.pk),
    }[place]
    before, seq = written(), last_seq()
    with pytest.raises(ValidationError) as refusal:
        check_in(intake, place=wanted)
    assert "place" in refusal.value.message_dict
    assert written() == before
    assert last_seq() == seq


def test_the_api_refuses_another_agencys_site_with_a_422(advocate, intake, site_a, other_site):
    keep(advocate)
    client, auth = api_for(intake)
    before, seq = written(), last_seq()
    response = client.post(
        f"{API}/visits",
        {"name_given": CONCERN, "place": str(other_site.pk)},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422, response.content
    assert ["body", "place"] in [e["loc"] for e in response.json()["detail"]]
    assert written() == before
    assert last_seq() == seq


def test_the_desk_page_offers_aliases_and_refuses_another_agencys_site(
    intake, client_for, sealed_site_a, other_site
):
    desk = client_for(intake)
    page = desk.get(reverse("safety:visitors")).content.decode()
    assert "Site A" in page
    assert "Far Site" not in page
    assert ADDRESS not in page
    assert SEALED_NAME not in page
    before = written()
    response = desk.post(
        reverse("safety:visitors"), {"name_given": "Synthetic Visitor", "place": str(other_site.pk)}
    )
    assert response.status_code == 400
    assert written() == before
    response = desk.post(
        reverse("safety:visitors"),
        {"name_given": "Synthetic Visitor", "place": str(sealed_site_a.pk)},
    )
    assert response.status_code == 303
    assert Visit.objects.get().place_label == "Site A"


def test_shelter_staff_without_a_site_receive_no_alerts(agency, other_team):
    lone = make_staff(agency=agency, role=Role.SHELTER, team=other_team, username="t-shelter-lone")
    assert selectors.receives_alerts(lone) is False
