"""Who sees and changes stays: every role against a case's stays, one stay,
check-ins and a site's residents, allowed or 404 exactly, nothing written
on a refusal. Shelter staff see their own site's residents and nothing of
another site's."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.shelter.models import CheckIn, Stay, StayOutcome
from haven.shelter.stay_selectors import residents
from haven.shelter.stays import check_in_record, stay_admit
from tests.shelter.stays_world import bed_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def stay(advocate, case, site_a):
    return stay_admit(
        actor=advocate, case=case, bed_id=bed_of(site_a).pk, safety_notes="Avoid the front window"
    )


def _rows():
    return (
        Stay.objects.count(),
        CheckIn.objects.count(),
        list(Stay.objects.values_list("ends_on", "outcome", "compromised_at")),
    )


def test_shelter_staff_of_the_site_see_the_resident_with_only_what_they_need(
    client_for, shelter, stay, site_a
):
    page = client_for(shelter).get(reverse("shelter:residents", args=[site_a.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Guadalupe Ramírez Soto" in text
    assert "Avoid the front window" in text
    assert "Spanish" in text
    # Their role does not open the case: no link to it.
    assert reverse("desk:case_detail", args=[stay.case_id]) not in text
    event = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).latest("seq")
    assert event.detail == {"ids": [str(stay.case.person_id)], "where": "residents"}


def test_the_resident_view_is_one_audited_list(shelter, stay, site_a):
    before = AuditEvent.objects.count()
    shown = residents(user=shelter, site=site_a)
    assert [r.name for r in shown] == ["Guadalupe Ramírez Soto"]
    assert shown[0].due is True
    assert AuditEvent.objects.count() == before + 1


def test_a_check_in_today_means_none_is_due(shelter, stay, site_a):
    check_in_record(actor=shelter, stay=stay, wellbeing="fine", note="Settled in")
    (resident,) = residents(user=shelter, site=site_a)
    assert resident.due is False
    assert resident.last_check_in.note == "Settled in"


@pytest.mark.parametrize("who", ["shelter_b", "intake", "auditor", "admin_user", "outsider"])
def test_others_see_nothing_of_the_residents(request, client_for, who, stay, site_a):
    user = request.getfixturevalue(who)
    client = client_for(user)
    before = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).count()
    assert client.get(reverse("shelter:residents", args=[site_a.pk])).status_code == 404
    assert client.get(reverse("shelter:stay", args=[stay.pk])).status_code == 404
    assert client.get(reverse("shelter:case_stays", args=[stay.case_id])).status_code == 404
    assert AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).count() == before
    home = client.get(reverse("shelter:home"))
    assert home.status_code in (200, 404)
    assert "Guadalupe" not in home.content.decode()


# Every role against every change of a stay: who may, and 404 for the rest.
CHANGES = {
    "move": ("shelter:stay_move", lambda beds: {"bed": beds[1]}),
    "end": ("shelter:stay_end", lambda beds: {"outcome": StayOutcome.FAMILY}),
    "compromised": ("shelter:stay_compromised", lambda beds: {}),
    "check_in": ("shelter:check_in", lambda beds: {"wellbeing": "fine"}),
}
ALLOWED = {
    "advocate": {"move", "end", "compromised"},
    "supervisor": {"move", "end", "compromised"},
    "shelter": {"move", "end", "compromised", "check_in"},
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize(
    "who",
    [
        "advocate",
        "supervisor",
        "shelter",
        "shelter_b",
        "intake",
        "admin_user",
        "auditor",
        "outsider",
    ],
)
def test_every_role_against_every_change_of_a_stay(request, client_for, who, change, stay, site_a):
    user = request.getfixturevalue(who)
    name, data = CHANGES[change]
    beds = [bed_of(site_a).pk, bed_of(site_a, 2).pk]
    before = _rows()
    answer = client_for(user).post(reverse(name, args=[stay.pk]), data(beds))
    if change in ALLOWED.get(who, set()):
        assert answer.status_code == 303
        assert _rows() != before
    else:
        assert answer.status_code == 404
        assert _rows() == before


@pytest.mark.parametrize(
    "who", ["shelter", "shelter_b", "intake", "admin_user", "auditor", "outsider"]
)
def test_only_who_may_open_the_case_admits_from_it(request, client_for, who, case, site_a):
    user = request.getfixturevalue(who)
    answer = client_for(user).post(
        reverse("shelter:stay_admit", args=[case.pk]), {"bed": bed_of(site_a).pk}
    )
    # Shelter staff do not open a case that is not at their site yet.
    assert answer.status_code == 404
    assert not Stay.objects.exists()


def test_an_advocate_admits_through_the_page_and_bad_input_comes_back_as_400(
    client_for, advocate, case, second_case, site_a
):
    client = client_for(advocate)
    page = client.get(reverse("shelter:case_stays", args=[case.pk]))
    assert page.status_code == 200
    done = client.post(reverse("shelter:stay_admit", args=[case.pk]), {"bed": bed_of(site_a).pk})
    assert done.status_code == 303
    taken = client.post(
        reverse("shelter:stay_admit", args=[second_case.pk]), {"bed": bed_of(site_a).pk}
    )
    assert taken.status_code == 400
    assert "This bed is taken on some of these nights." in taken.content.decode()
    past = client.post(
        reverse("shelter:stay_admit", args=[second_case.pk]),
        {"bed": bed_of(site_a, 2).pk, "starts_on": "1999-01-01"},
    )
    assert past.status_code == 400
    assert Stay.objects.count() == 1


def test_ending_before_the_start_through_the_page_is_a_400(client_for, advocate, stay):
    answer = client_for(advocate).post(
        reverse("shelter:stay_end", args=[stay.pk]),
        {"outcome": StayOutcome.LEFT, "ends_on": (timezone.localdate().replace(day=1)).isoformat()}
        if timezone.localdate().day > 1
        else {"outcome": StayOutcome.LEFT, "ends_on": "2000-01-01"},
    )
    assert answer.status_code == 400
    stay.refresh_from_db()
    assert stay.ends_on is None


def test_shelter_staff_land_on_their_home(client_for, shelter, stay):
    client = client_for(shelter)
    landing = client.get(reverse("desk:dashboard"))
    assert landing.status_code == 302
    assert landing["Location"] == reverse("shelter:home")
    home = client.get(reverse("shelter:home"))
    assert home.status_code == 200
    text = home.content.decode()
    assert "Site A" in text
    assert "Guadalupe Ramírez Soto" in text
