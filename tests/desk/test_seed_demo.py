from __future__ import annotations

import io
import unicodedata
from datetime import date, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import totp_now
from haven.accounts.models import Membership, Role, User
from haven.audit.models import AuditEvent
from haven.core.models import Agency, DataKey, Team
from haven.desk.management.commands.seed_demo import (
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    demo_totp_secret,
)
from haven.people.models import Alias, Case, Person, SearchEntry
from haven.people.selectors import people_matching, visible_cases
from haven.shelter.models import Bed, ShelterSite, Stay

pytestmark = pytest.mark.django_db

EXPECTED = {
    "demo-advocate": Role.ADVOCATE,
    "demo-supervisor": Role.SUPERVISOR,
    "demo-intake": Role.INTAKE,
    "demo-shelter": Role.SHELTER,
    "demo-shelter-south": Role.SHELTER,
    "demo-admin": Role.ADMIN,
    "demo-auditor": Role.AUDITOR,
    "other-advocate": Role.ADVOCATE,
}


def snapshot():
    return (
        sorted(User.objects.values_list("username", "agency__name", "password")),
        sorted(Membership.objects.values_list("user__username", "role", "team__name")),
        Team.objects.count(),
        Agency.objects.count(),
        Authenticator.objects.count(),
        AuditEvent.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        Alias.objects.count(),
        SearchEntry.objects.count(),
        DataKey.objects.count(),
        sorted(Case.objects.values_list("person_id", "team__name", "status", "restricted")),
        sorted(ShelterSite.objects.values_list("alias", "team__name", "data_key_id")),
        Bed.objects.count(),
        sorted(Stay.objects.values_list("case_id", "site__alias", "bed_id", "starts_on")),
        sorted(Case.assigned.through.objects.values_list("case_id", "user__username")),
        sorted(Case.named_staff.through.objects.values_list("case_id", "user__username")),
    )


def test_seed_demo_creates_one_user_per_role_and_prints_their_secrets():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    for username, role in EXPECTED.items():
        user = User.objects.get(username=username)
        assert list(user.memberships.values_list("role", flat=True)) == [role]
        assert demo_totp_secret(username) in out.getvalue()
    assert User.objects.get(username="other-advocate").agency.name == "Other Agency"
    assert User.objects.get(username="demo-admin").agency.name == "Demo Agency"


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_demo_user_signs_in_with_the_printed_secret():
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "demo-advocate", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    code = totp_now(demo_totp_secret("demo-advocate"))
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("desk:dashboard")).status_code == 200


@pytest.fixture
def seeded():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def people_of(agency_name):
    return list(Person.objects.filter(agency__name=agency_name).select_related("data_key"))


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_each_demo_agency_gets_its_synthetic_people_with_one_case_each(seeded):
    assert DEMO_PEOPLE == {"Demo Agency": 30, "Other Agency": 5}
    for agency_name, count in DEMO_PEOPLE.items():
        assert Person.objects.filter(agency__name=agency_name).count() == count
        cases = Case.objects.filter(agency__name=agency_name)
        assert cases.count() == count
        assert set(cases.values_list("person__agency__name", flat=True)) == {agency_name}
        assert set(cases.values_list("team__agency__name", flat=True)) == {agency_name}
        assert f"{agency_name:<16} {count} people, {count} cases" in seeded
    creators = set(
        Case.objects.filter(agency__name="Demo Agency").values_list(
            "created_by__username", flat=True
        )
    )
    assert creators == {"demo-intake", "demo-advocate"}
    assert set(
        Case.objects.filter(agency__name="Other Agency").values_list(
            "created_by__username", flat=True
        )
    ) == {"other-advocate"}


def test_exactly_one_restricted_case_named_to_demo_advocate(seeded):
    restricted = Case.objects.get(restricted=True)
    assert restricted.agency.name == "Demo Agency"
    assert list(restricted.named_staff.values_list("username", flat=True)) == ["demo-advocate"]
    advocate = User.objects.get(username="demo-advocate")
    supervisor = User.objects.get(username="demo-supervisor")
    assert visible_cases(user=advocate).filter(pk=restricted.pk).exists()
    assert not visible_cases(user=supervisor).filter(pk=restricted.pk).exists()


def test_demo_staff_each_see_some_cases(seeded):
    advocate = User.objects.get(username="demo-advocate")
    shelter = User.objects.get(username="demo-shelter")
    south_assigned = Case.objects.filter(assigned=advocate, team__name="South Team")
    assert south_assigned.exists(), "assignment should reach beyond the advocate's team"
    # Shelter staff work their site's residents, not whole cases.
    assert not visible_cases(user=shelter).exists()
    assert Case.objects.filter(status=Case.Status.CLOSED).exists()
    for username in ("demo-intake", "demo-supervisor", "other-advocate"):
        assert visible_cases(user=User.objects.get(username=username)).exists(), username


def test_one_demo_person_is_a_minor_of_sixteen(seeded):
    today = timezone.localdate()
    ages = [
        age_on(date.fromisoformat(p.date_of_birth), today)
        for p in people_of("Demo Agency")
        if p.date_of_birth
    ]
    assert 16 in ages
    assert min(ages) < 18
    assert sum(age < 18 for age in ages) == 1
    assert any(p.date_of_birth is None for p in people_of("Demo Agency"))


def scripts_of(text: str) -> set[str]:
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


def test_names_come_in_several_scripts_and_the_summary_prints_none(seeded):
    people = people_of("Demo Agency") + people_of("Other Agency")
    names = [p.legal_name for p in people]
    assert all(names)
    assert len(set(names)) == len(names)
    scripts = set().union(*(scripts_of(n) for n in names))
    assert {"LATIN", "CYRILLIC", "ARABIC", "CJK", "DEVANAGARI"} <= scripts
    assert sum(not n.isascii() for n in names) > len(names) // 2
    assert any(p.preferred_name for p in people)
    assert any(p.phone for p in people)
    assert Alias.objects.exists()
    for person in people:
        assert person.legal_name not in seeded
        for word in person.legal_name.split():
            assert len(word) < 4 or word not in seeded


def test_seeded_people_are_found_by_search(seeded):
    advocate = User.objects.get(username="demo-advocate")
    case = Case.objects.filter(assigned=advocate, restricted=False).select_related(
        "person__data_key"
    )[0]
    person = case.person
    assert person in people_matching(user=advocate, name=person.legal_name)


def _stage(states: dict[str, str]) -> int:
    """How many steps of the demo's order are done, in order."""
    from haven.desk.demo import STAGES

    finished = {"done", "not_applicable"}
    return next((n for n, step in enumerate(STAGES) if states[step] not in finished), len(STAGES))


def test_the_demo_shows_an_ordinary_day(seeded):
    from collections import defaultdict

    from haven.communications.models import Interpreter
    from haven.desk.demo import ALL_DONE, DEMO_PLANS, INTERPRETERS, PARTNERS, POLICIES, TRAINING
    from haven.partners.models import Organization
    from haven.preparedness.models import PolicyAcknowledgement, PolicyDocument
    from haven.protocol.models import CaseStep, DangerCheck, MandatedReport
    from haven.protocol.steps import OPEN_STATES
    from haven.referrals.models import Referral
    from haven.safety.models import PersonOfConcern
    from haven.training.models import Record

    agency = Agency.objects.get(name="Demo Agency")
    today = timezone.localdate()
    # The directory, the roster, a person of concern, training and policies.
    assert Organization.objects.filter(agency=agency).count() == len(PARTNERS)
    interpreters = list(Interpreter.objects.filter(agency=agency))
    assert len(interpreters) == len(INTERPRETERS)
    assert all(i.agreement_id and i.agreement_expires_on > today for i in interpreters)
    assert PersonOfConcern.objects.filter(agency=agency).count() == 1
    assert Record.objects.filter(agency=agency).count() == sum(len(t[1]) for t in TRAINING)
    assert PolicyDocument.objects.filter(agency=agency).count() == len(POLICIES)
    assert PolicyAcknowledgement.objects.filter(version__document__agency=agency).count() == sum(
        len(p[2]) for p in POLICIES
    )

    # Every stage of the protocol has a case at it.
    states: dict[object, dict[str, str]] = defaultdict(dict)
    for case_id, step, state in CaseStep.objects.filter(case__agency=agency).values_list(
        "case_id", "step", "state"
    ):
        states[case_id][step] = state
    stages = sorted(_stage(s) for s in states.values())
    assert sorted(p.stage for p in DEMO_PLANS.values()) == stages
    assert set(stages) == set(range(ALL_DONE + 1))

    # A working day, not a wall of overdue steps: two cases late, by days.
    late = CaseStep.objects.filter(
        case__agency=agency,
        case__status=Case.Status.OPEN,
        due_on__lt=today,
        state__in=OPEN_STATES,
    )
    assert late.values("case_id").distinct().count() == 2
    assert late.count() <= 3
    assert min(late.values_list("due_on", flat=True)) >= today - timedelta(days=7)
    # One person in danger today, one minor's report waiting, referrals waiting.
    assert DangerCheck.objects.filter(case__agency=agency, answer="yes").count() == 1
    report = MandatedReport.objects.get(case__agency=agency, status="open")
    # Dated as the case is, not the moment the demo was made.
    assert timezone.localdate(report.opened_at) == report.case.opened_on < today
    waiting = Referral.objects.filter(case__agency=agency, status="sent")
    assert waiting.count() == sum(1 for p in DEMO_PLANS.values() if p.stage == 7)
    assert all(timezone.localdate(r.sent_at) < today for r in waiting)
    assert Case.objects.filter(agency=agency, status=Case.Status.CLOSED).count() == 2

    # The two named people can be found by staff who see their cases.
    supervisor = User.objects.get(username="demo-supervisor")
    south = User.objects.get(username="demo-advocate-south")
    found = {
        p.legal_name
        for user in (supervisor, south)
        for name in ("Guadalupe Ramírez Soto", "Emilia Cazares Carrera")
        for p in people_matching(user=user, name=name)
    }
    assert found == {"Guadalupe Ramírez Soto", "Emilia Cazares Carrera"}
    # The printout counts what it made, and names no one.
    assert "Guadalupe" not in seeded
    assert "4 partners" in seeded


def test_the_demo_has_two_sites_of_two_teams_with_one_resident_and_sealed_addresses(seeded):
    sites = {s.alias: s for s in ShelterSite.objects.select_related("team", "data_key")}
    assert sorted(sites) == ["Site A", "Site B"]
    assert sites["Site A"].team.name == "North Team"
    assert sites["Site B"].team.name == "South Team"
    assert [b.site.alias for b in Bed.objects.select_related("site")].count("Site A") == 3
    for site in sites.values():
        assert site.data_key_id is not None
        assert site.address.endswith("(synthetic)")
    raw = ShelterSite.objects.filter(alias="Site A").values_list("address", flat=True).get()
    assert b"Example Lane" not in bytes(raw)
    stay = Stay.objects.select_related("site", "case__team").get()
    assert (stay.site.alias, stay.ends_on, stay.bed.site_id) == ("Site A", None, stay.site_id)
    assert stay.case.team.name == "North Team"
    assert "2 shelter sites, 1 stays" in seeded
    for username, team in (("demo-shelter", "North Team"), ("demo-shelter-south", "South Team")):
        shelter = User.objects.get(username=username)
        assert list(shelter.memberships.values_list("team__name", flat=True)) == [team]
