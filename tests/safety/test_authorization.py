"""Who may see and do what in staff safety: every role, and a member of
another agency, against every service and selector.

The expected outcomes are written from the rules of
``haven/safety/policies.py``'s docstring, never computed from its functions:
a bug in a policy must fail here. Each cell asserts the allowed answer, or a
404 that looks like a record that does not exist and writes nothing at all.

The world, relative to the roles:

* ``t_intake``: recorded by intake, against the agency, with evidence;
* ``t_shelter``: recorded by the administrator, aimed at the shelter staff
  member, naming the person of concern;
* ``t_advocate``: recorded by the supervisor, aimed at the advocate and at
  intake, naming the person of concern and a case of the team, with evidence;
* the person of concern, with a photo and the same case linked;
* a visitor who matched the person of concern, and the alert it raised;
* the advocate's own safety checklist.

``advocate2`` is an advocate of the same team at whom nothing is aimed;
``outsider`` is another agency's advocate, administrator and auditor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import (
    PERSONAS,
    make_agency,
    make_other_agency,
    make_outsider,
    make_persona,
    make_team,
)
from haven.attachments.services import attachment_open
from haven.audit.models import Action, AuditEvent
from haven.people.models import Case
from haven.safety import selectors, services
from haven.safety.models import (
    Designation,
    PersonOfConcern,
    SafetyChecklist,
    Threat,
    Visit,
    VisitorAlert,
)
from tests import files
from tests.factories import record_intake
from tests.safety.conftest import make_advocate2, refused_404
from tests.shared import fresh, shared_data

pytestmark = pytest.mark.django_db

ROLES = ("advocate", "advocate2", "supervisor", "intake", "shelter", "admin", "auditor", "outsider")
THREATS = ("t_intake", "t_shelter", "t_advocate")

# Threats each role sees (None: no threat log at all, a 404).
THREATS_SEEN: dict[str, frozenset[str] | None] = {
    "advocate": frozenset({"t_advocate"}),
    "advocate2": frozenset(),
    "supervisor": frozenset(THREATS),
    "intake": frozenset({"t_intake", "t_advocate"}),
    "shelter": frozenset({"t_shelter"}),
    "admin": frozenset(THREATS),
    "auditor": frozenset(),
    "outsider": frozenset(),
}
# Who may record a threat (the outsider, in their own agency).
RECORD_THREATS = {"advocate", "advocate2", "supervisor", "intake", "shelter", "admin", "outsider"}
# Who sees the agency's persons of concern; who keeps (records, edits, removes) them.
SEE_CONCERNS = {"advocate", "advocate2", "supervisor", "shelter", "admin"}
KEEP_CONCERNS = {"advocate", "advocate2", "supervisor", "admin"}
# Who keeps the visitor log.
VISITOR_LOG = {"intake", "supervisor", "admin"}
# Who gets visitor alerts when the agency designated nobody.
ALERTS_BY_DEFAULT = {"supervisor", "admin"}
# Who opens the case linked to t_advocate and to the person of concern (a
# case of the team, recorded by the advocate): the team's advocates and
# supervisor. Never administrators, auditors, intake (who did not record
# it) or shelter staff (not a resident of their shelter).
OPENS_CASE = {"advocate", "advocate2", "supervisor"}


@dataclass
class World:
    users: dict
    threats: dict
    case: Case
    concern: PersonOfConcern
    photo_id: object
    evidence: dict
    visit: Visit
    alert: VisitorAlert
    checklist: SafetyChecklist


def make_world() -> World:
    agency = make_agency()
    team = make_team(agency)
    users = {
        "admin" if name == "admin_user" else name: make_persona(name, agency, team)
        for name in PERSONAS
    }
    users["advocate2"] = make_advocate2(agency, team)
    users["outsider"] = make_outsider(make_other_agency())
    case = record_intake(actor=users["advocate"], team=team, legal_name="Synthetic Linked Person")
    concern = services.concern_save(
        actor=users["advocate"],
        values=services.ConcernValues(
            name="Viktor Petrenko",
            plates="KX-4417",
            case_ids=[case.pk],
            photos=[files.accepted(files.png(), "photo.png")],
        ),
    )
    now = timezone.now()
    t_intake = services.threat_record(
        actor=users["intake"],
        values=services.ThreatValues(
            occurred_at=now,
            channel="voicemail",
            what_happened="A voicemail said the office would be watched.",
            against_agency=True,
            evidence=[files.accepted(files.wav(), "voicemail.wav")],
        ),
    )
    t_shelter = services.threat_record(
        actor=users["admin"],
        values=services.ThreatValues(
            occurred_at=now,
            channel="in_person",
            what_happened="A man waited by the shelter door.",
            targeted_staff_ids=[users["shelter"].pk],
            concern_ids=[concern.pk],
        ),
    )
    t_advocate = services.threat_record(
        actor=users["supervisor"],
        values=services.ThreatValues(
            occurred_at=now,
            channel="text",
            what_happened="Texts naming the advocate and the intake worker.",
            targeted_staff_ids=[users["advocate"].pk, users["intake"].pk],
            concern_ids=[concern.pk],
            case_ids=[case.pk],
            evidence=[files.accepted(files.png(4, 4), "screenshot.png")],
        ),
    )
    visit = services.visit_check_in(
        actor=users["intake"], values=services.VisitValues(name_given="Viktor Petrenko")
    )
    checklist = services.checklist_save(
        actor=users["advocate"],
        values=services.ChecklistValues(varied_routes="done", notes="Parks on another street."),
    )
    return World(
        users=users,
        threats={"t_intake": t_intake, "t_shelter": t_shelter, "t_advocate": t_advocate},
        case=case,
        concern=concern,
        photo_id=concern.photos.get().pk,
        evidence={
            "t_intake": t_intake.evidence.get().pk,
            "t_advocate": t_advocate.evidence.get().pk,
        },
        visit=visit,
        alert=VisitorAlert.objects.get(visit=visit),
        checklist=checklist,
    )


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Made once for the module (every test here reads or acts on the same
    world); each test works in its own savepoint on its own copy."""
    yield from shared_data(django_db_blocker, make_world)


@pytest.fixture
def world(_world, db) -> World:
    return fresh(_world)


def names_of(world: World, threats) -> set[str]:
    by_pk = {t.pk: name for name, t in world.threats.items()}
    return {by_pk[t.pk] for t in threats}


# --- Threats ----------------------------------------------------------------------------


def test_the_world_is_what_the_docstring_says(world):
    assert Threat.objects.count() == 3
    assert world.visit.flagged
    assert set(world.threats["t_advocate"].targeted_staff.all()) == {
        world.users["advocate"],
        world.users["intake"],
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_threat_log_lists_exactly_what_the_role_sees(world, role):
    user = world.users[role]
    seen = THREATS_SEEN[role]
    if seen is None:
        refused_404(lambda: selectors.threat_page(user=user))
        return
    page = selectors.threat_page(user=user)
    assert names_of(world, page) == seen
    shown = AuditEvent.objects.filter(action=Action.THREATS_VIEWED, actor=user)
    if seen:
        assert set(shown.get().detail["ids"]) == {str(world.threats[n].pk) for n in seen}
    else:
        assert not shown.exists()


@pytest.mark.parametrize("threat", THREATS)
@pytest.mark.parametrize("role", ROLES)
def test_a_threat_opens_exactly_for_those_who_see_it(world, role, threat):
    user = world.users[role]
    target = world.threats[threat]
    if threat in (THREATS_SEEN[role] or ()):
        got = selectors.threat_get(user=user, threat_id=target.pk)
        assert got.pk == target.pk
        assert got.what_happened == target.what_happened
        event = AuditEvent.objects.get(action=Action.THREATS_VIEWED, actor=user)
        assert event.detail == {"ids": [str(target.pk)]}
    else:
        refused_404(lambda: selectors.threat_get(user=user, threat_id=target.pk))


@pytest.mark.parametrize("threat", THREATS)
@pytest.mark.parametrize("role", ROLES)
def test_a_follow_up_is_allowed_exactly_to_those_who_see_the_threat(world, role, threat):
    user = world.users[role]
    target = world.threats[threat]
    values = services.ThreatFollowUp(
        reported_to_police=True,
        reported_on=timezone.localdate(),
        report_number="SYN-2026-0001",
        evidence=[files.accepted(files.pdf("Synthetic police receipt"), "receipt.pdf")],
    )
    if threat in (THREATS_SEEN[role] or ()):
        services.threat_follow_up(actor=user, threat_id=target.pk, values=values)
        stored = Threat.objects.get(pk=target.pk)
        assert stored.reported_to_police
        assert stored.report_number == "SYN-2026-0001"
        assert stored.evidence.count() == target.evidence.count()
        event = AuditEvent.objects.get(action=Action.THREAT_UPDATED)
        assert event.actor_id == user.pk
    else:
        refused_404(
            lambda: services.threat_follow_up(actor=user, threat_id=target.pk, values=values)
        )


@pytest.mark.parametrize("role", ROLES)
def test_everyone_but_the_auditor_records_threats_in_their_own_agency(world, role):
    user = world.users[role]
    values = services.ThreatValues(
        occurred_at=timezone.now(),
        channel="phone",
        what_happened="A caller asked when the office closes.",
        against_agency=True,
    )
    if role not in RECORD_THREATS:
        refused_404(lambda: services.threat_record(actor=user, values=values))
        return
    threat = services.threat_record(actor=user, values=values)
    assert threat.agency_id == user.agency_id
    assert threat.recorded_by_id == user.pk
    # The one who recorded it sees it, whatever their role.
    assert selectors.threat_get(user=user, threat_id=threat.pk).pk == threat.pk


def test_a_threat_aimed_at_someone_shows_to_them_and_its_recorder_only(world):
    users = world.users
    threat = services.threat_record(
        actor=users["shelter"],
        values=services.ThreatValues(
            occurred_at=timezone.now(),
            channel="social",
            what_happened="A post with the advocate's photo.",
            targeted_staff_ids=[users["advocate2"].pk],
        ),
    )
    for role in ("advocate2", "shelter", "supervisor", "admin"):
        assert selectors.threat_get(user=users[role], threat_id=threat.pk).pk == threat.pk
    for role in ("advocate", "intake", "auditor", "outsider"):
        refused_404(lambda u=users[role]: selectors.threat_get(user=u, threat_id=threat.pk))


@pytest.mark.parametrize("role", ROLES)
def test_linked_cases_are_only_those_the_reader_may_open(world, role):
    user = world.users[role]
    linked = world.threats["t_advocate"].cases.all()
    expected = [world.case] if role in OPENS_CASE else []
    assert selectors.linked_cases(user=user, cases=linked) == expected
    assert selectors.linked_cases(user=user, cases=world.concern.cases.all()) == expected


@pytest.mark.parametrize("role", ["advocate", "supervisor", "intake", "shelter", "admin"])
def test_linked_concerns_show_only_to_those_who_see_persons_of_concern(world, role):
    user = world.users[role]
    threat = world.threats["t_shelter" if role == "shelter" else "t_advocate"]
    expected = [world.concern] if role in SEE_CONCERNS else []
    assert selectors.linked_concerns(user=user, threat=threat) == expected


def test_the_concerns_a_threat_names_are_audited_when_shown(world):
    user = world.users["supervisor"]
    shown = selectors.linked_concerns(user=user, threat=world.threats["t_advocate"])
    assert shown == [world.concern]
    event = AuditEvent.objects.filter(action=Action.CONCERNS_VIEWED, actor=user).get()
    assert event.detail == {"ids": [str(world.concern.pk)]}


@pytest.mark.parametrize("role", ["advocate", "advocate2", "supervisor"])
def test_a_cases_safety_step_shows_what_the_reader_may_see(world, role):
    user = world.users[role]
    seen = THREATS_SEEN[role] or frozenset()
    threats = selectors.case_threats(user=user, case=world.case)
    assert names_of(world, threats) == seen & {"t_advocate"}
    assert selectors.case_concerns(user=user, case=world.case) == [world.concern]
    viewed = AuditEvent.objects.filter(action=Action.CONCERNS_VIEWED, actor=user).get()
    assert viewed.detail == {"ids": [str(world.concern.pk)]}


def test_an_auditor_sees_a_threat_aimed_at_them(world):
    auditor = world.users["auditor"]
    threat = services.threat_record(
        actor=world.users["advocate"],
        values=services.ThreatValues(
            occurred_at=timezone.now(),
            channel="letter",
            what_happened="A letter addressed to the auditor at home.",
            targeted_staff_ids=[auditor.pk],
        ),
    )
    assert selectors.threat_get(user=auditor, threat_id=threat.pk).pk == threat.pk


@pytest.mark.parametrize("role", sorted(SEE_CONCERNS))
def test_a_concerns_threats_are_those_the_reader_sees(world, role):
    user = world.users[role]
    seen = THREATS_SEEN[role] or frozenset()
    threats = selectors.concern_threats(user=user, concern=world.concern)
    assert names_of(world, threats) == seen & {"t_shelter", "t_advocate"}


# --- Evidence and photos ------------------------------------------------------------------


@pytest.mark.parametrize("threat", ["t_intake", "t_advocate"])
@pytest.mark.parametrize("role", ROLES)
def test_evidence_opens_exactly_for_those_who_see_its_threat(world, role, threat):
    user = world.users[role]
    attachment_id = world.evidence[threat]
    if threat in (THREATS_SEEN[role] or ()):
        attachment, data = attachment_open(actor=user, attachment_id=attachment_id)
        assert attachment.pk == attachment_id
        assert data[:4] in (b"RIFF", b"\x89PNG")
        event = AuditEvent.objects.get(action=Action.ATTACHMENT_READ, actor=user)
        assert event.detail == {"attachment": str(attachment_id), "use": "evidence"}
    else:
        refused_404(lambda: attachment_open(actor=user, attachment_id=attachment_id))


@pytest.mark.parametrize("role", ROLES)
def test_a_photo_opens_exactly_for_those_who_see_persons_of_concern(world, role):
    user = world.users[role]
    if role in SEE_CONCERNS:
        _, data = attachment_open(actor=user, attachment_id=world.photo_id)
        assert data == files.png()
    else:
        refused_404(lambda: attachment_open(actor=user, attachment_id=world.photo_id))


@pytest.mark.parametrize(
    ("role", "what", "allowed"),
    [
        ("advocate", "t_advocate", True),
        ("advocate2", "t_advocate", False),
        ("intake", "t_intake", True),
        ("shelter", "t_intake", False),
        ("outsider", "t_advocate", False),
        ("shelter", "photo", True),
        ("intake", "photo", False),
        ("auditor", "photo", False),
        ("outsider", "photo", False),
    ],
)
def test_the_download_page_follows_the_same_rules(world, client_for, role, what, allowed):
    attachment_id = world.photo_id if what == "photo" else world.evidence[what]
    client = client_for(world.users[role])
    reads = AuditEvent.objects.filter(action=Action.ATTACHMENT_READ).count()
    response = client.get(reverse("attachments:download", args=[attachment_id]))
    if allowed:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert AuditEvent.objects.filter(action=Action.ATTACHMENT_READ).count() == reads + 1
    else:
        assert response.status_code == 404
        assert AuditEvent.objects.filter(action=Action.ATTACHMENT_READ).count() == reads


def test_a_removed_concerns_photo_opens_for_nobody(world):
    services.concern_remove(actor=world.users["supervisor"], concern_id=world.concern.pk)
    for role in ("advocate", "supervisor", "admin"):
        refused_404(
            lambda u=world.users[role]: attachment_open(actor=u, attachment_id=world.photo_id)
        )


# --- Persons of concern -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_list_of_persons_of_concern(world, role):
    user = world.users[role]
    if role in SEE_CONCERNS:
        assert list(selectors.concern_page(user=user)) == [world.concern]
        event = AuditEvent.objects.get(action=Action.CONCERNS_VIEWED, actor=user)
        assert event.detail == {"ids": [str(world.concern.pk)]}
        assert selectors.concern_choices(user=user) == [world.concern]
    elif role == "outsider":
        # Their own agency's list: none of the first agency's.
        assert list(selectors.concern_page(user=user)) == []
        assert selectors.concern_choices(user=user) == []
    else:
        refused_404(lambda: selectors.concern_page(user=user))
        assert selectors.concern_choices(user=user) == []


@pytest.mark.parametrize("role", ROLES)
def test_a_person_of_concern_opens_for_those_who_see_them(world, role):
    user = world.users[role]
    if role in SEE_CONCERNS:
        got = selectors.concern_get(user=user, concern_id=world.concern.pk)
        assert got.name == "Viktor Petrenko"
    else:
        refused_404(lambda: selectors.concern_get(user=user, concern_id=world.concern.pk))


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_person_of_concern(world, role):
    user = world.users[role]
    values = services.ConcernValues(name="Oleg Marchuk", description="Drives a grey van.")
    if role in KEEP_CONCERNS | {"outsider"}:
        concern = services.concern_save(actor=user, values=values)
        assert concern.agency_id == user.agency_id
        assert AuditEvent.objects.filter(action=Action.CONCERN_CHANGED, actor=user).exists()
    else:
        refused_404(lambda: services.concern_save(actor=user, values=values))


@pytest.mark.parametrize("role", ROLES)
def test_changing_a_person_of_concern(world, role):
    user = world.users[role]
    values = services.ConcernValues(name="Viktor Petrenko", aliases="Vitya")

    def change():
        return services.concern_save(
            actor=user, values=values, concern_id=world.concern.pk, version=world.concern.version
        )

    if role in KEEP_CONCERNS:
        assert change().aliases == "Vitya"
        assert PersonOfConcern.objects.get(pk=world.concern.pk).version == 2
    else:
        refused_404(change)


@pytest.mark.parametrize("role", ROLES)
def test_removing_a_person_of_concern(world, role):
    user = world.users[role]

    def remove():
        services.concern_remove(actor=user, concern_id=world.concern.pk)

    if role in KEEP_CONCERNS:
        remove()
        assert not PersonOfConcern.objects.exists()
        assert AuditEvent.objects.get(action=Action.CONCERN_REMOVED).actor_id == user.pk
        # The threats that named them stay, without the link.
        assert Threat.objects.count() == 3
        assert not world.threats["t_advocate"].concerns.exists()
    else:
        refused_404(remove)


def test_links_to_cases_the_editor_cannot_open_stay_as_they_were(world, other_team, agency):
    """The administrator sees the person of concern but none of its cases:
    their edit neither shows nor drops the link."""
    admin = world.users["admin"]
    assert selectors.linked_cases(user=admin, cases=world.concern.cases.all()) == []
    services.concern_save(
        actor=admin,
        concern_id=world.concern.pk,
        version=world.concern.version,
        values=services.ConcernValues(name="Viktor Petrenko", case_ids=[]),
    )
    assert list(world.concern.cases.all()) == [world.case]
    # The advocate, who opens the case, can unlink it.
    services.concern_save(
        actor=world.users["advocate"],
        concern_id=world.concern.pk,
        values=services.ConcernValues(name="Viktor Petrenko", case_ids=[]),
    )
    assert not world.concern.cases.exists()


# --- The visitor log ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_checking_a_visitor_in(world, role):
    user = world.users[role]
    values = services.VisitValues(name_given="Ana Lima", purpose="Delivery")
    if role in VISITOR_LOG | {"outsider"}:
        visit = services.visit_check_in(actor=user, values=values)
        assert visit.agency_id == user.agency_id
        assert visit.screened_by_id == user.pk
    else:
        refused_404(lambda: services.visit_check_in(actor=user, values=values))


@pytest.mark.parametrize("role", ROLES)
def test_checking_a_visitor_out(world, role):
    user = world.users[role]
    if role in VISITOR_LOG:
        visit = services.visit_check_out(actor=user, visit_id=world.visit.pk)
        assert visit.checked_out_at is not None
        assert AuditEvent.objects.get(action=Action.VISITOR_CHECKED_OUT).actor_id == user.pk
    else:
        refused_404(lambda: services.visit_check_out(actor=user, visit_id=world.visit.pk))


@pytest.mark.parametrize("role", ROLES)
def test_the_visitor_log(world, role):
    user = world.users[role]
    if role in VISITOR_LOG:
        assert list(selectors.visit_page(user=user)) == [world.visit]
        event = AuditEvent.objects.get(action=Action.VISITS_VIEWED, actor=user)
        assert event.detail == {"ids": [str(world.visit.pk)]}
    elif role == "outsider":
        assert list(selectors.visit_page(user=user)) == []
    else:
        refused_404(lambda: selectors.visit_page(user=user))


# --- Visitor alerts --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_alerts_go_to_supervisors_and_administrators_when_nobody_is_designated(world, role):
    user = world.users[role]
    if role in ALERTS_BY_DEFAULT:
        assert selectors.open_alert_count(user=user) == 1
        alerts = selectors.alert_list(user=user)
        assert alerts == [world.alert]
        assert [c.pk for c in alerts[0].concerns.all()] == [world.concern.pk]
        shown = AuditEvent.objects.filter(action=Action.CONCERNS_VIEWED, actor=user).get()
        assert shown.detail == {"ids": [str(world.concern.pk)]}
    else:
        assert selectors.open_alert_count(user=user) == 0
        if role == "outsider":
            # Their own agency's alerts (they administer it): none of ours.
            assert selectors.alert_list(user=user) == []
        else:
            refused_404(lambda: selectors.alert_list(user=user))


@pytest.mark.parametrize("role", ROLES)
def test_acknowledging_an_alert_by_default(world, role):
    user = world.users[role]

    def acknowledge():
        services.alert_acknowledge(actor=user, alert_id=world.alert.pk)

    if role in ALERTS_BY_DEFAULT:
        acknowledge()
        alert = VisitorAlert.objects.get(pk=world.alert.pk)
        assert alert.acknowledged_by_id == user.pk
        assert selectors.open_alert_count(user=user) == 0
    else:
        refused_404(acknowledge)


@pytest.mark.parametrize("role", ROLES)
def test_once_designated_only_the_designated_get_alerts(world, role):
    users = world.users
    services.safety_settings_save(
        actor=users["admin"],
        alert_user_ids=[users["shelter"].pk, users["advocate2"].pk],
        lockdown_user_ids=[],
        two_to_end_lockdown=False,
    )
    user = users[role]
    if role in {"shelter", "advocate2"}:
        assert selectors.alert_list(user=user) == [world.alert]
        services.alert_acknowledge(actor=user, alert_id=world.alert.pk)
    elif role == "outsider":
        assert selectors.alert_list(user=user) == []
        refused_404(lambda: services.alert_acknowledge(actor=user, alert_id=world.alert.pk))
    else:
        assert selectors.open_alert_count(user=user) == 0
        refused_404(lambda: selectors.alert_list(user=user))
        refused_404(lambda: services.alert_acknowledge(actor=user, alert_id=world.alert.pk))


def test_an_alert_is_acknowledged_once(world):
    services.alert_acknowledge(actor=world.users["supervisor"], alert_id=world.alert.pk)
    before = VisitorAlert.objects.get(pk=world.alert.pk)
    with pytest.raises(ValidationError):
        services.alert_acknowledge(actor=world.users["admin"], alert_id=world.alert.pk)
    after = VisitorAlert.objects.get(pk=world.alert.pk)
    assert (after.acknowledged_by_id, after.acknowledged_at) == (
        before.acknowledged_by_id,
        before.acknowledged_at,
    )
    assert AuditEvent.objects.filter(action=Action.VISITOR_ALERT_ACKNOWLEDGED).count() == 1


# --- Checklists -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_keeps_and_reads_their_own_checklist(world, role):
    user = world.users[role]
    saved = services.checklist_save(
        actor=user,
        values=services.ChecklistValues(unlisted_phone="not_yet", emergency_contacts="A sister."),
    )
    assert saved.user_id == user.pk
    owner, checklist = selectors.checklist_of(user=user, owner_id=user.pk)
    assert owner == user
    assert checklist is not None
    assert checklist.emergency_contacts == "A sister."
    # Reading one's own is not an event of note.
    assert not AuditEvent.objects.filter(action=Action.CHECKLIST_VIEWED).exists()


@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_checklist_is_for_administrators_only(world, role):
    user = world.users[role]
    owner_id = world.users["advocate"].pk
    if role == "advocate":
        return  # their own: above
    if role == "admin":
        owner, checklist = selectors.checklist_of(user=user, owner_id=owner_id)
        assert owner.pk == owner_id
        assert checklist == world.checklist
        assert checklist.notes == "Parks on another street."
        event = AuditEvent.objects.get(action=Action.CHECKLIST_VIEWED)
        assert (event.actor_id, event.detail) == (user.pk, {"owner": owner_id})
        assert owner_id in {u.pk for u, _ in selectors.checklist_overview(user=user)}
    elif role == "outsider":
        # An administrator of their own agency: its staff only.
        refused_404(lambda: selectors.checklist_of(user=user, owner_id=owner_id))
        overview = selectors.checklist_overview(user=user)
        assert {u.agency_id for u, _ in overview} == {user.agency_id}
    else:
        refused_404(lambda: selectors.checklist_of(user=user, owner_id=owner_id))
        refused_404(lambda: selectors.checklist_overview(user=user))


def test_the_overview_leaves_out_the_notes(world):
    rows = dict(selectors.checklist_overview(user=world.users["admin"]))
    checklist = rows[world.users["advocate"]]
    assert checklist.varied_routes == "done"
    assert {"alternative_stay_notes", "emergency_contacts", "notes"} <= (
        checklist.get_deferred_fields()
    )
    assert world.users["outsider"] not in rows


# --- Safety settings ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_change_the_safety_settings(world, role):
    user = world.users[role]

    def save():
        services.safety_settings_save(
            actor=user,
            alert_user_ids=[world.users["supervisor"].pk],
            lockdown_user_ids=[world.users["admin"].pk],
            two_to_end_lockdown=False,
        )

    if role == "admin":
        save()
        assert set(
            Designation.objects.filter(agency=user.agency).values_list("duty", "user_id")
        ) == {("alerts", world.users["supervisor"].pk), ("lockdown", user.pk)}
        assert AuditEvent.objects.filter(action=Action.SAFETY_SETTINGS_CHANGED).count() == 1
    elif role == "outsider":
        # Administrator of their own agency, they cannot designate ours.
        with pytest.raises(ValidationError) as caught:
            save()
        assert {"alerts", "lockdown"} <= set(caught.value.message_dict)
        assert not Designation.objects.exists()
    else:
        refused_404(save)
