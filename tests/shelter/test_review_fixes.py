"""What a security review of the shelter found, each pinned by a test that
failed before its fix: who sees a case's stays, what the stay page shows to
those who cannot open the case, stale stays changed twice, the sealed
details' second factor, administrators naming themselves, audit rows on a
refusal, 500s on odd input, the waiting list over the API and restricted
cases among the residents."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from haven.accounts.models import Membership, Role, User
from haven.audit.models import Action, AuditEvent
from haven.people.field_settings import field_settings_save
from haven.people.models import FieldSetting
from haven.shelter import sites
from haven.shelter.models import ShelterSite, SiteKeyholder, Stay, StayOutcome
from haven.shelter.stays import stay_admit, stay_end, stay_mark_compromised, stay_move
from tests.factories import make_staff, record_intake
from tests.safety.conftest import second_factor, wrong_code
from tests.shelter.stays_world import bed_of, days_ago
from tests.shelter.test_stays_api import API, Api

pytestmark = pytest.mark.django_db


def _last_event() -> int:
    """The id of the latest audit event: ids keep growing across tests on
    PostgreSQL, so only ids after this one are new."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- M3: the front desk never sees a case's stays ---


@pytest.fixture
def desk_case(intake, advocate, team, site_a):
    """A case the front desk recorded, admitted to Site A by its advocate."""
    case = record_intake(
        actor=intake, team=team, advocate=advocate, preferred_name="Guadalupe Ramírez Soto"
    )
    stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    return case


def test_the_front_desk_does_not_see_the_stays_of_a_case_it_recorded(
    client_for, intake, desk_case, site_a
):
    client = client_for(intake)
    api = Api(intake)
    before = _last_event()
    page = client.get(reverse("shelter:case_stays", args=[desk_case.pk]))
    assert page.status_code == 404
    assert "Site A" not in page.content.decode()
    for name in ("shelter:stay_admit", "shelter:stay_request", "shelter:stay_place"):
        assert client.post(reverse(name, args=[desk_case.pk]), {}).status_code == 404
    assert api.get(f"{API}/cases/{desk_case.pk}/stays").status_code == 404
    assert list(AuditEvent.objects.filter(pk__gt=before).values_list("action", flat=True)) == []


def test_the_advocate_still_sees_the_stays(client_for, advocate, desk_case):
    page = client_for(advocate).get(reverse("shelter:case_stays", args=[desk_case.pk]))
    assert page.status_code == 200
    assert "Site A" in page.content.decode()


# --- M4: the stay page shows who cannot open the case what the residents list shows ---


@pytest.fixture
def lupe_stay(advocate, team, site_a):
    case = record_intake(
        actor=advocate,
        team=team,
        advocate=advocate,
        preferred_name="Lupe",
        legal_name="Guadalupe Legalname Soto",
        language="spa",
    )
    return stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)


def test_the_stay_page_shows_shelter_staff_only_the_residents_name(
    client_for, admin_user, shelter, lupe_stay
):
    field_settings_save(actor=admin_user, choices={"language": (FieldSetting.Mode.HIDDEN, "")})
    text = client_for(shelter).get(reverse("shelter:stay", args=[lupe_stay.pk])).content.decode()
    assert "<h1>Lupe</h1>" in text
    assert "Legalname" not in text
    assert "Spanish" not in text


def test_the_case_advocate_still_sees_both_names(client_for, advocate, lupe_stay):
    text = client_for(advocate).get(reverse("shelter:stay", args=[lupe_stay.pk])).content.decode()
    assert "Lupe (Guadalupe Legalname Soto)" in text
    assert "Spanish" in text


# --- M5: a stay changed from a stale copy ---


@pytest.fixture
def two_copies(advocate, case, site_a):
    made = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk, starts_on=days_ago(2))
    return Stay.objects.get(pk=made.pk), Stay.objects.get(pk=made.pk)


def _open_stays(case) -> int:
    return Stay.objects.filter(case=case, ends_on__isnull=True).count()


def test_a_stay_moved_from_one_copy_cannot_be_ended_from_another(
    advocate, case, site_b, two_copies
):
    first, second = two_copies
    stay_move(actor=advocate, stay=first, bed_id=bed_of(site_b).pk)
    rows = list(Stay.objects.order_by("pk").values_list("pk", "ends_on", "outcome"))
    with pytest.raises(ValidationError) as refused:
        stay_end(actor=advocate, stay=second, ends_on=None, outcome=StayOutcome.LEFT)
    assert refused.value.messages == ["This stay has already ended or moved."]
    assert list(Stay.objects.order_by("pk").values_list("pk", "ends_on", "outcome")) == rows
    assert _open_stays(case) == 1


def test_a_stay_ended_from_one_copy_cannot_be_moved_or_marked_from_another(
    advocate, case, site_b, two_copies
):
    first, second = two_copies
    stay_end(actor=advocate, stay=first, ends_on=None, outcome=StayOutcome.LEFT)
    with pytest.raises(ValidationError, match="already ended or moved"):
        stay_move(actor=advocate, stay=second, bed_id=bed_of(site_b).pk)
    with pytest.raises(ValidationError, match="already ended or moved"):
        stay_mark_compromised(actor=advocate, stay=second)
    assert Stay.objects.filter(case=case).count() == 1
    assert _open_stays(case) == 0
    assert Stay.objects.get().compromised_at is None


# --- M2: the sealed details change only with a fresh code ---


def _sealed_now(site_id):
    site = ShelterSite.objects.get(pk=site_id)
    return (site.name, site.address, site.phone, site.rules)


@pytest.mark.parametrize("code", ["wrong", ""])
def test_the_sealed_page_refuses_a_wrong_or_missing_code(client_for, shelter, site_a, code):
    posted = {"address": "1 Elsewhere Road", "second_factor": wrong_code(shelter) if code else ""}
    response = client_for(shelter).post(reverse("shelter:site_sealed", args=[site_a.pk]), posted)
    assert response.status_code == 400
    assert _sealed_now(site_a.pk) == (None, None, None, None)
    assert not AuditEvent.objects.filter(action=Action.SITE_SEALED_CHANGED).exists()


def test_the_sealed_page_saves_with_a_fresh_code(client_for, shelter, site_a):
    posted = {"address": "1 Elsewhere Road", "second_factor": second_factor(shelter)}
    response = client_for(shelter).post(reverse("shelter:site_sealed", args=[site_a.pk]), posted)
    assert response.status_code == 303
    assert _sealed_now(site_a.pk)[1] == "1 Elsewhere Road"
    event = AuditEvent.objects.filter(action=Action.SITE_SEALED_CHANGED).get()
    assert event.detail == {"changed": ["address"]}


def test_the_sealed_api_asks_for_the_code(shelter, site_a):
    api = Api(shelter)
    url = f"{API}/shelter/sites/{site_a.pk}/sealed"
    for body in ({"phone": "608-555-0199"}, {"phone": "608-555-0199", "second_factor": "000000"}):
        if "second_factor" in body:
            body["second_factor"] = wrong_code(shelter)
        refused = api.client.put(url, body, content_type="application/json", **api.headers)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "second_factor"]
        assert _sealed_now(site_a.pk) == (None, None, None, None)
    body = {"phone": "608-555-0199", "second_factor": second_factor(shelter)}
    saved = api.client.put(url, body, content_type="application/json", **api.headers)
    assert saved.status_code == 204
    assert _sealed_now(site_a.pk)[2] == "608-555-0199"


# --- M1 (part): an administrator does not name themselves ---


@pytest.fixture
def admin_supervisor(agency, other_team):
    """An administrator who is also a supervisor in the team South."""
    user = make_staff(agency=agency, role=Role.ADMIN, username="t-admin-supervisor")
    Membership.objects.create(user=user, role=Role.SUPERVISOR, team=other_team)
    return User.objects.get(pk=user.pk)


def test_an_administrator_cannot_name_themselves_keyholder(admin_supervisor, admin_user, site_a):
    before = _last_event()
    with pytest.raises(ValidationError) as refused:
        sites.keyholder_add(actor=admin_supervisor, site_id=site_a.pk, user_id=admin_supervisor.pk)
    assert refused.value.message_dict == {"user_id": ["Another administrator must name you."]}
    assert not SiteKeyholder.objects.exists()
    assert list(AuditEvent.objects.filter(pk__gt=before).values_list("action", flat=True)) == []
    # Another administrator may.
    sites.keyholder_add(actor=admin_user, site_id=site_a.pk, user_id=admin_supervisor.pk)
    assert SiteKeyholder.objects.filter(user=admin_supervisor).exists()


def test_an_administrator_cannot_move_a_site_into_their_own_team(
    admin_supervisor, admin_user, site_a, other_team
):
    values = sites.SiteValues(alias="Site A", team_id=other_team.pk)
    before = _last_event()
    with pytest.raises(ValidationError) as refused:
        sites.site_edit(actor=admin_supervisor, site_id=site_a.pk, values=values)
    assert list(refused.value.message_dict) == ["team_id"]
    assert ShelterSite.objects.get(pk=site_a.pk).team_id != other_team.pk
    assert list(AuditEvent.objects.filter(pk__gt=before).values_list("action", flat=True)) == []
    # Renaming a site of a team the administrator is not in is still theirs to do,
    # and another administrator moves it.
    site = sites.site_edit(actor=admin_user, site_id=site_a.pk, values=values)
    assert site.team_id == other_team.pk


# --- L2: ids past what the database holds are not found, never a 500 ---


def test_removing_a_keyholder_past_any_id_is_not_found(client_for, admin_user, site_a):
    url = f"/shelter/sites/{site_a.pk}/keyholders/99999999999999999999999/remove/"
    assert client_for(admin_user).post(url).status_code == 404


# --- L3: the waiting list over the API ---


def test_the_waiting_list_names_no_case_the_caller_may_not_open(
    advocate, shelter, shelter_b, case, site_a, site_b
):
    from haven.shelter.stays import stay_request_add

    stay_request_add(actor=advocate, case=case, site_id=site_a.pk, priority="urgent")

    mine = Api(advocate).get(f"{API}/shelter/waiting").json()
    assert [row["case_id"] for row in mine] == [str(case.pk)]
    # Site A's shelter staff see the request for their site, without the case.
    theirs = Api(shelter).get(f"{API}/shelter/waiting").json()
    assert [(row["case_id"], row["name"]) for row in theirs] == [(None, "")]
    # Site B's shelter staff do not see a request for Site A at all.
    assert Api(shelter_b).get(f"{API}/shelter/waiting").json() == []


# --- L4: a restricted case in the resident view ---


def test_a_restricted_residents_name_and_notes_are_for_the_staff_named_on_it(
    client_for, advocate, supervisor, shelter, team, site_a
):
    from haven.people.services import case_staff_set

    case = record_intake(
        actor=advocate, team=team, advocate=advocate, preferred_name="Xiomara Restricta"
    )
    stay_admit(
        actor=advocate, case=case, bed_id=bed_of(site_a).pk, safety_notes="Synthetic curfew note"
    )
    case_staff_set(
        actor=supervisor,
        case=case,
        assigned=[advocate],
        restricted=True,
        named=[advocate, supervisor],
    )
    before = _last_event()

    text = client_for(shelter).get(reverse("shelter:residents", args=[site_a.pk])).content.decode()

    assert "Xiomara" not in text
    assert "Synthetic curfew note" not in text
    assert "Name not shown" in text
    # Nobody's record was shown, so the list read names nobody in the audit.
    assert not AuditEvent.objects.filter(pk__gt=before, action=Action.PEOPLE_VIEWED).exists()


# --- L1: a refused change records no read ---


def test_a_check_in_refused_to_the_cases_advocate_records_nothing(advocate, case, site_a):
    """The advocate may open the case and see the stay, but check-ins are the
    site's shelter staff's: the refusal is a 404 that writes nothing, not
    even the record of a read."""
    stay = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    api = Api(advocate)
    before = AuditEvent.objects.count()

    refused = api.post(f"{API}/stays/{stay.pk}/check-ins", {"wellbeing": "fine"})

    assert refused.status_code == 404
    assert AuditEvent.objects.count() == before
