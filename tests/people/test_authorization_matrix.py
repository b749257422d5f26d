"""The authorization matrix: every role, every people and case page and API
operation, every kind of case.

Each cell asserts exactly the allowed answer or a 404 that looks like a
record that does not exist, and that a refusal changed nothing: no row of
people, cases, aliases, search entries, field settings, break-glass grants or
case staff, and no audit event (in particular none saying identifying data
was shown).

The expected outcomes come from the tables below, written from the product
rules, never from ``haven.people.policies``: a bug in a policy must fail here.

Kinds of case, relative to the user of the cell:

* ``own``: assigned to or recorded by the user (advocate: assigned, on the
  *other* team, so only the assignment can open it; supervisor: recorded by
  and assigned to them on their team; intake: recorded by them; shelter: a
  resident of their team's site, assigned to them, worked by the other team
  (the assignment opens it: a stay opens no case);
  administrator and auditor: assigned to them directly, as no service lets
  them be). For the user of another agency, a case of their own agency that
  they recorded and are assigned to: the control that their refusals below
  are isolation, not a broken sign-in.
* ``team``: an unrestricted case of the user's team (intake, administrator
  and auditor have none: a case of the first team), not a shelter resident.
* ``other_team``: an unrestricted case of the agency's other team.
* ``restricted``: the ``own`` case, restricted to the team's supervisor only.
* ``restricted_named``: the same, with the user named on it too.
* ``other_agency``: a case of another agency, with every link to the user
  forged in the database (assigned, named, recorded by them, staying at
  their team's site): only the agency boundary stands between them and it.

For the user of another agency, every kind but ``own`` is a case of the first
agency (with the same forged links where the kind names them).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import step_up
from haven.accounts.models import Role, TwoPersonRule
from haven.audit.models import Action, AuditEvent
from haven.core.models import DataKey
from haven.people.details import DETAIL_NAMES
from haven.people.models import Alias, BreakGlass, Case, FieldSetting, Person, SearchEntry
from haven.people.services import case_staff_set, person_details, person_update
from tests.factories import make_staff, record_intake
from tests.shelter.places import resident_of

pytestmark = pytest.mark.django_db

ROLES = ("advocate", "supervisor", "intake", "shelter", "admin", "auditor", "outsider")
KINDS = ("own", "team", "other_team", "restricted", "restricted_named", "other_agency")

SHARED_NAME = "Synthetic Matrix"  # every person's preferred name, to search for
IMMIGRATION = "t_visa"
IMMIGRATION_SHOWN = b"T visa"  # how the case page shows it
NOT_FOUND = {"detail": "Not Found"}


def grid(text: str) -> dict[str, frozenset[str]]:
    """``role  Y - ...`` lines, one column per kind, into {role: allowed kinds}."""
    table: dict[str, frozenset[str]] = {}
    for line in text.strip().splitlines()[1:]:
        role, *marks = line.split()
        assert len(marks) == len(KINDS), line
        table[role] = frozenset(k for k, m in zip(KINDS, marks, strict=True) if m == "Y")
    assert tuple(table) == ROLES
    return table


# Who may open the case (its page, the API's case): advocates their assigned
# and team cases, supervisors their team's, intake only what they recorded,
# shelter staff only residents, restricted cases only named staff,
# administrators and auditors nothing, another agency nothing.
OPENS = grid("""
              own  team  other_team  restricted  restricted_named  other_agency
advocate       Y    Y     -           -           Y                 -
supervisor     Y    Y     -           -           Y                 -
intake         Y    -     -           -           Y                 -
shelter        Y    -     -           -           Y                 -
admin          -    -     -           -           -                 -
auditor        -    -     -           -           -                 -
outsider       Y    -     -           -           -                 -
""")

# Who may change the person and close the case: advocates and supervisors who
# can open it (the other agency's user is an advocate of their own agency).
CHANGES = grid("""
              own  team  other_team  restricted  restricted_named  other_agency
advocate       Y    Y     -           -           Y                 -
supervisor     Y    Y     -           -           Y                 -
intake         -    -     -           -           -                 -
shelter        -    -     -           -           -                 -
admin          -    -     -           -           -                 -
auditor        -    -     -           -           -                 -
outsider       Y    -     -           -           -                 -
""")

# Who may set the staff and restriction of a case and destroy its person:
# supervisors of the case's team, and named ones only when it is restricted.
MANAGES = grid("""
              own  team  other_team  restricted  restricted_named  other_agency
advocate       -    -     -           -           -                 -
supervisor     Y    Y     -           -           Y                 -
intake         -    -     -           -           -                 -
shelter        -    -     -           -           -                 -
admin          -    -     -           -           -                 -
auditor        -    -     -           -           -                 -
outsider       -    -     -           -           -                 -
""")

# Emergency access: advocates and supervisors, to any case of their own agency.
BREAKS_GLASS = grid("""
              own  team  other_team  restricted  restricted_named  other_agency
advocate       Y    Y     Y           Y           Y                 -
supervisor     Y    Y     Y           Y           Y                 -
intake         -    -     -           -           -                 -
shelter        -    -     -           -           -                 -
admin          -    -     -           -           -                 -
auditor        -    -     -           -           -                 -
outsider       Y    -     -           -           -                 -
""")

# Per role, whatever the case.
FULL_RECORD = frozenset({"advocate", "supervisor", "shelter", "outsider"})
SEES_RESTRICTED_FIELDS = frozenset({"advocate", "supervisor", "outsider"})
RECORDS = frozenset({"advocate", "supervisor", "intake", "outsider"})
SEARCHES = frozenset({"advocate", "supervisor", "intake", "shelter", "outsider"})
# The other agency's user is also its administrator: their own agency's settings.
CONFIGURES = frozenset({"admin", "outsider"})


# --- The failures the matrix names, so a regression reads plainly ---------------


class AuditedRefusal(AssertionError):
    """A refused request left an audit event saying identifying data was shown."""


class NameShownToIntake(AssertionError):
    """A page showed a name to a role that sees only the minimal intake."""


class RefusalNotFound(AssertionError):
    """A refusal answered something other than 404."""


# --- The world: users, and a case of the kind a cell asks for ---------------------

PERSONA_FIXTURES = {
    "advocate": "advocate",
    "supervisor": "supervisor",
    "intake": "intake",
    "shelter": "shelter",
    "admin": "admin_user",
    "auditor": "auditor",
    "outsider": "outsider",
}
WORKS_CASES = frozenset({"advocate", "supervisor", "shelter"})


class World:
    """The people a cell needs, made on first use (staff are the costly part
    of a cell), and ``build`` for a case of each kind."""

    def __init__(self, request) -> None:
        self.request = request
        self.team = request.getfixturevalue("team")
        self.client_for = request.getfixturevalue("client_for")
        self._users: dict[str, Any] = {}
        self._leads: dict[int, Any] = {}

    def user(self, role: str):
        if role not in self._users:
            self._users[role] = self.request.getfixturevalue(PERSONA_FIXTURES[role])
        return self._users[role]

    def role_of(self, user) -> str | None:
        return next((r for r, u in self._users.items() if u == user), None)

    @property
    def other_team(self):
        return self.request.getfixturevalue("other_team")

    @property
    def outsider_team(self):
        return self.user("outsider").memberships.exclude(team=None).get().team

    def lead(self, team):
        """A supervisor of ``team`` who is no persona (never signs in: no MFA)."""
        if team.pk not in self._leads:
            self._leads[team.pk] = make_staff(
                agency=team.agency,
                role=Role.SUPERVISOR,
                team=team,
                mfa=False,
                username=f"t-lead-{team.pk}",
            )
        return self._leads[team.pk]

    def record(self, actor, team, *, label: str) -> Case:
        """A first contact through the service, with an immigration status:
        given at once by those who may record it, otherwise set afterwards by
        a supervisor of the team (intake staff may not record it)."""
        may_record_status = self.role_of(actor) in SEES_RESTRICTED_FIELDS or actor in (
            self._leads.values()
        )
        case = record_intake(
            actor=actor,
            team=team,
            legal_name=f"Synthetic {label} {uuid.uuid4().hex[:6]}",
            preferred_name=SHARED_NAME,
            aliases=[f"Synthetic alias {label}"],
            immigration_status=IMMIGRATION if may_record_status else "",
        )
        if not may_record_status:
            person_update(
                actor=self.lead(team),
                case=case,
                details=replace(person_details(case.person), immigration_status=IMMIGRATION),
                covering=("immigration_status",),
            )
        return case

    def staff(self, case: Case, *, assigned=(), restricted=False, named=()) -> None:
        """Set a case's staff through the service, as a supervisor of its team;
        links no service allows (intake, administrator, auditor, another
        agency's user) are then forged in the database."""
        lead = self.lead(case.team)
        served = [u for u in assigned if self.role_of(u) in WORKS_CASES]
        named_ok = [u for u in named if self.role_of(u) in WORKS_CASES]
        case_staff_set(
            actor=lead,
            case=case,
            assigned=served,
            restricted=restricted,
            named=[lead, *named_ok] if restricted else [],
        )
        for user in assigned:
            if user not in served:
                case.assigned.add(user)
        for user in named:
            if user not in named_ok:
                case.named_staff.add(user)

    def build(self, kind: str, role: str) -> Case:
        user = self.user(role)
        lead = self.lead(self.team)
        if role == "outsider":
            return self._build_for_outsider(kind, user, lead)
        if kind == "team":
            return self.record(lead, self.team, label="team")
        if kind == "other_team":
            return self.record(lead, self.other_team, label="other team")
        if kind == "other_agency":
            outsider = self.user("outsider")
            case = self.record(outsider, self.outsider_team, label="other agency")
            Case.objects.filter(pk=case.pk).update(created_by=user)
            resident_of(case, self.team, actor=outsider)
            case.assigned.add(user)
            case.named_staff.add(user)
            return case
        restricted = kind in {"restricted", "restricted_named"}
        named = [user] if kind == "restricted_named" else []
        if role == "advocate":
            case = self.record(lead, self.other_team, label="assigned")
            self.staff(case, assigned=[user], restricted=restricted, named=named)
        elif role == "supervisor":
            case = self.record(user, self.team, label="own")
            self.staff(case, assigned=[user], restricted=restricted, named=named)
        elif role == "intake":
            case = self.record(user, self.team, label="intake")
            if restricted:
                self.staff(case, restricted=True, named=named)
        elif role == "shelter":
            case = self.record(lead, self.other_team, label="resident")
            resident_of(case, self.team, actor=lead)
            self.staff(case, assigned=[user], restricted=restricted, named=named)
        else:  # administrator, auditor
            case = self.record(lead, self.team, label="assigned")
            self.staff(case, assigned=[user], restricted=restricted, named=named)
        return case

    def _build_for_outsider(self, kind: str, user, lead) -> Case:
        if kind == "own":
            case = self.record(user, self.outsider_team, label="outsider own")
            case.assigned.add(user)
            return case
        team = self.other_team if kind == "other_team" else self.team
        case = self.record(lead, team, label=f"first agency {kind}")
        if kind in {"restricted", "restricted_named"}:
            self.staff(
                case,
                assigned=[user],
                restricted=True,
                named=[user] if kind == "restricted_named" else [],
            )
        if kind == "other_agency":
            Case.objects.filter(pk=case.pk).update(created_by=user)
            resident_of(case, self.outsider_team, actor=lead)
            case.assigned.add(user)
            case.named_staff.add(user)
        return case


@pytest.fixture(scope="module")
def _one_client():
    return Client()


@pytest.fixture
def client(_one_client):
    """The test client that ``client_for`` signs in, shared by the module's
    cells with its cookies cleared for each: building a client's middleware
    (whitenoise scans the static files) would otherwise cost more than a cell."""
    _one_client.cookies = SimpleCookie()
    return _one_client


@pytest.fixture
def world(request, db):
    return World(request)


# --- What must not change on a refusal ----------------------------------------------

WATCHED = (
    Person,
    Alias,
    SearchEntry,
    Case,
    Case.assigned.through,
    Case.named_staff.through,
    FieldSetting,
    BreakGlass,
    DataKey,
)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row, as stored (ciphertext included), of the tables a refused
    request must leave alone: the test database is small."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for model in WATCHED:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            rows[model._meta.label] = sorted(
                (
                    tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                    for row in cursor.fetchall()
                ),
                key=repr,
            )
    return rows


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=since).order_by("id"))


def assert_nothing_changed(before: dict[str, Any], since: int) -> None:
    after = snapshot()
    changed = [key for key in before if before[key] != after[key]]
    assert changed == [], f"a refusal changed: {changed}"
    events = new_events(since)
    if events and all(e.action == Action.PEOPLE_VIEWED for e in events):
        raise AuditedRefusal([(e.action, e.detail) for e in events])
    assert events == [], [(e.action, e.detail) for e in events]


def assert_not_found(response, *, api: bool = False) -> None:
    assert response.status_code == 404, (response.status_code, response.content[:300])
    if api:
        assert response.json() == NOT_FOUND


# --- The operations on one case -----------------------------------------------------


def post_json(client, url: str, body: object):
    return client.post(url, json.dumps(body), content_type="application/json")


@dataclass(frozen=True)
class Op:
    table: dict[str, frozenset[str]]
    api: bool = False


OPS: dict[str, Op] = {
    "case_page": Op(OPENS),
    "person_edit_get": Op(CHANGES),
    "person_edit_post": Op(CHANGES),
    "staff_get": Op(MANAGES),
    "staff_post": Op(MANAGES),
    "destroy_get": Op(MANAGES),
    "destroy_post": Op(MANAGES),
    "close_post": Op(CHANGES),
    "api_case": Op(OPENS, api=True),
    "api_person_patch": Op(CHANGES, api=True),
    "break_glass": Op(BREAKS_GLASS),
}


PAGES = {
    "case_page": "desk:case_detail",
    "person_edit_get": "people:person_edit",
    "person_edit_post": "people:person_edit",
    "staff_get": "people:case_staff",
    "staff_post": "people:case_staff",
    "destroy_get": "people:person_destroy",
    "destroy_post": "people:person_destroy",
    "close_post": "people:case_close",
}


def body_for(op: str, case: Case, world: World) -> dict[str, Any]:
    """What the op posts for ``case`` (worked out before the request, so that
    reading the case is not counted against the request)."""
    if op == "person_edit_post":
        # The name kept, the preferred name changed, and an immigration status,
        # which only advocates and supervisors may set.
        return {
            "legal_name": Person.objects.get(pk=case.person_id).legal_name or "",
            "preferred_name": "Synthetic Edited",
            "language": "und",
            "trafficking_type": "unknown",
            "immigration_status": "u_visa",
        }
    if op == "staff_post":
        # A supervisor of the team added to the assigned staff, the rest kept.
        assigned = {*case.assigned.values_list("pk", flat=True), world.lead(case.team).pk}
        body: dict[str, Any] = {
            "assigned": sorted(assigned),
            "named_staff": sorted(case.named_staff.values_list("pk", flat=True)),
        }
        if case.restricted:
            body["restricted"] = "on"
        return body
    if op == "api_person_patch":
        return {"preferred_name": "Synthetic Edited", "immigration_status": "u_visa"}
    if op == "destroy_post":
        return {"confirm": "on"}
    if op == "close_post":
        return {"reason": "goals_met"}
    if op == "break_glass":
        return {"reason": "Synthetic emergency: covering for a colleague"}
    return {}


def send(op: str, client, case_id: object, body: dict[str, Any]):
    """Send ``op`` for ``case_id`` (a real case, or a random id)."""
    if op == "api_case":
        return client.get(f"/api/v1/cases/{case_id}")
    if op == "api_person_patch":
        return client.patch(
            f"/api/v1/cases/{case_id}/person", json.dumps(body), content_type="application/json"
        )
    if op == "break_glass":
        return client.post(reverse("people:break_glass"), {"case": str(case_id), **body})
    url = reverse(PAGES[op], args=[case_id])
    if op.endswith("_post"):
        return client.post(url, body)
    return client.get(url)


def check_allowed(
    op: str, role: str, response, case: Case, world: World, before: dict[str, Any], since: int
) -> None:
    user = world.user(role)
    detail = reverse("desk:case_detail", args=[case.pk])
    events = new_events(since)
    actions = [e.action for e in events]
    if op in {"case_page", "person_edit_get", "staff_get", "destroy_get", "api_case"}:
        assert response.status_code == 200, (response.status_code, response.content[:300])
        assert [(e.action, e.actor_id, e.detail["ids"]) for e in events] == [
            (Action.PEOPLE_VIEWED, user.pk, [str(case.person_id)])
        ]
        assert snapshot() == before  # a read changes nothing
    if op == "case_page":
        person = Person.objects.get(pk=case.person_id)
        content = response.content
        # Immigration status: advocates and supervisors only.
        assert (IMMIGRATION_SHOWN in content) == (role in SEES_RESTRICTED_FIELDS), role
        assert (b"Immigration status" in content) == (role in SEES_RESTRICTED_FIELDS), role
        assert (b"Synthetic alias" in content) == (role in FULL_RECORD), role
        if role in FULL_RECORD:
            assert person.legal_name.encode() in content
        elif person.legal_name.encode() in content or SHARED_NAME.encode() in content:
            raise NameShownToIntake(role)
    elif op == "api_case":
        body = response.json()
        assert (body["id"], body["person"]["id"]) == (str(case.pk), str(case.person_id))
        person = Person.objects.get(pk=case.person_id)
        expected = person.legal_name if role in FULL_RECORD else None
        assert body["person"]["legal_name"] == expected
        # Immigration status: advocates and supervisors only.
        record = body.get("record", {})
        assert (record.get("immigration_status") == IMMIGRATION) == (
            role in SEES_RESTRICTED_FIELDS
        ), record
    elif op == "person_edit_get":
        assert b'name="immigration_status"' in response.content
    elif op == "api_person_patch":
        assert response.status_code == 200, response.content
        person = Person.objects.get(pk=case.person_id)
        assert (person.preferred_name, person.immigration_status) == ("Synthetic Edited", "u_visa")
        assert actions == [Action.PEOPLE_VIEWED, Action.PERSON_CHANGED]
    elif op == "person_edit_post":
        assert (response.status_code, response["Location"]) == (302, detail), response.content
        person = Person.objects.get(pk=case.person_id)
        assert (person.preferred_name, person.immigration_status) == ("Synthetic Edited", "u_visa")
        assert Action.PERSON_CHANGED in actions
    elif op == "staff_post":
        assert (response.status_code, response["Location"]) == (302, detail), response.content
        assert world.lead(case.team) in case.assigned.all()
        assert Action.CASE_STAFF_CHANGED in actions
    elif op == "destroy_post":
        assert (response.status_code, response["Location"]) == (302, reverse("people:case_list"))
        assert not Person.objects.filter(pk=case.person_id).exists()
        assert not Case.objects.filter(pk=case.pk).exists()
        assert Action.PERSON_DESTROYED in actions
    elif op == "close_post":
        assert (response.status_code, response["Location"]) == (302, detail)
        case.refresh_from_db()
        assert (case.status, case.close_reason) == (Case.Status.CLOSED, "goals_met")
        assert Action.CASE_CLOSED in actions
    elif op == "break_glass":
        assert (response.status_code, response["Location"]) == (302, detail), response.content
        assert BreakGlass.objects.filter(case=case, user=user).count() == 1
        assert Action.BREAK_GLASS in actions


def _case_cells():
    for op in OPS:
        for role in ROLES:
            for kind in KINDS:
                yield pytest.param(op, role, kind, id=f"{op}-{role}-{kind}")


@pytest.mark.parametrize(("op", "role", "kind"), list(_case_cells()))
def test_case_operation(world, op, role, kind):
    case = world.build(kind, role)
    body = body_for(op, case, world)
    client = world.client_for(world.user(role))
    if op == "destroy_post":
        step_up(client, world.user(role))
        # Who may destroy, not whether a second supervisor must approve
        # (tests/accounts/test_approvals.py): one supervisor decides here.
        TwoPersonRule.objects.update_or_create(
            agency=world.team.agency, defaults={"required": False}
        )
    before, since = snapshot(), last_event_id()
    response = send(op, client, case.pk, body)
    if kind in OPS[op].table[role]:
        check_allowed(op, role, response, case, world, before, since)
        if op == "break_glass":
            page = client.get(reverse("desk:case_detail", args=[case.pk]))
            assert page.status_code == 200
        return
    assert_not_found(response, api=OPS[op].api)
    assert_nothing_changed(before, since)


# --- Lists and searches: exactly the cases the user may open ------------------------


def build_all(world: World, role: str) -> dict[str, Case]:
    return {kind: world.build(kind, role) for kind in KINDS}


def shown_case_ids(content: bytes, cases: dict[str, Case]) -> set[str]:
    return {kind for kind, case in cases.items() if str(case.pk).encode() in content}


LIST_MARKS: dict[str, list[pytest.MarkDecorator]] = {}


def _role_params(marks: dict[str, list[Any]] | None = None):
    return [pytest.param(role, id=role, marks=(marks or {}).get(role, [])) for role in ROLES]


@pytest.mark.parametrize("how", ["list", "search"])
@pytest.mark.parametrize("role", _role_params(LIST_MARKS))
def test_case_list_page(world, role, how):
    cases = build_all(world, role)
    client = world.client_for(world.user(role))
    before, since = snapshot(), last_event_id()
    url = reverse("people:case_list")
    response = client.post(url, {"q": SHARED_NAME}) if how == "search" else client.get(url)
    if role not in SEARCHES:
        assert_not_found(response)
        assert_nothing_changed(before, since)
        return
    assert response.status_code == 200
    expected = OPENS[role]
    assert shown_case_ids(response.content, cases) == expected
    events = new_events(since)
    assert [e.action for e in events] == [Action.PEOPLE_VIEWED]
    assert sorted(events[0].detail["ids"]) == sorted(str(cases[k].person_id) for k in expected)
    assert snapshot() == before
    if role not in FULL_RECORD:
        # The search box keeps what the user typed; the results must add no name.
        results = response.content.split(b'name="q"', 1)[-1].split(b"</form>", 1)[-1]
        names = [Person.objects.get(pk=cases[k].person_id).legal_name for k in expected]
        if SHARED_NAME.encode() in results or any(n.encode() in results for n in names):
            raise NameShownToIntake(role)


@pytest.mark.parametrize("role", _role_params())
def test_api_case_list(world, role):
    cases = build_all(world, role)
    client = world.client_for(world.user(role))
    before, since = snapshot(), last_event_id()
    response = client.get("/api/v1/cases")
    if role not in SEARCHES:
        assert_not_found(response, api=True)
        assert_nothing_changed(before, since)
        return
    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body} == {str(cases[k].pk) for k in OPENS[role]}
    for item in body:
        assert (item["person"]["preferred_name"] == SHARED_NAME) == (role in FULL_RECORD)
    assert snapshot() == before


@pytest.mark.parametrize("role", _role_params())
def test_api_people_search(world, role):
    cases = build_all(world, role)
    client = world.client_for(world.user(role))
    before, since = snapshot(), last_event_id()
    response = post_json(client, "/api/v1/people/search", {"name": SHARED_NAME})
    if role not in SEARCHES:
        assert_not_found(response, api=True)
        assert_nothing_changed(before, since)
        return
    assert response.status_code == 200
    body = response.json()
    expected = OPENS[role]
    assert {p["id"] for p in body} == {str(cases[k].person_id) for k in expected}
    assert {c for p in body for c in p["cases"]} == {str(cases[k].pk) for k in expected}
    for person in body:
        assert (person["preferred_name"] == SHARED_NAME) == (role in FULL_RECORD)
    events = new_events(since)
    assert [e.action for e in events] == [Action.PEOPLE_VIEWED]
    assert snapshot() == before


# --- Recording a first contact ------------------------------------------------------


INTAKE_STEPS = ("start", "language", "identity")


def intake_steps(client, team, upto: str):
    """Walk the intake pages up to ``upto``; returns that step's GET and POST."""
    start, language, identity = (
        reverse("people:intake_start"),
        reverse("people:intake_language"),
        reverse("people:intake_identity"),
    )
    posts = {
        "start": (start, {"danger": "no"}),
        "language": (language, {"language": "spa"}),
        # Immigration status is asked by no intake step: posting it records nothing.
        "identity": (
            identity,
            {
                "team": team.pk,
                "legal_name": "Synthetic Intake Person",
                "immigration_status": IMMIGRATION,
                "record_anyway": "on",
            },
        ),
    }
    for step in INTAKE_STEPS[: INTAKE_STEPS.index(upto)]:
        url, data = posts[step]
        assert client.post(url, data).status_code == 302
    url, data = posts[upto]
    return client.get(url), lambda: client.post(url, data)


@pytest.mark.parametrize("step", INTAKE_STEPS)
@pytest.mark.parametrize("role", _role_params())
def test_intake_pages(world, role, step):
    user = world.user(role)
    client = world.client_for(user)
    own_team = world.outsider_team if role == "outsider" else world.team
    if role not in RECORDS:
        before, since = snapshot(), last_event_id()
        for url in ("people:intake_start", "people:intake_language", "people:intake_identity"):
            assert_not_found(client.get(reverse(url)))
        shown, post = intake_steps_refused(client, own_team, step)
        assert_not_found(shown)
        assert_not_found(post())
        assert_nothing_changed(before, since)
        return
    shown, post = intake_steps(client, own_team, step)
    assert shown.status_code == 200
    people = Person.objects.count()
    response = post()
    assert response.status_code == 302, response.content[:500]
    if step != "identity":
        assert Person.objects.count() == people
        return
    case = Case.objects.get(created_by=user)
    # The front desk's part ends with the hand-off: back home, told where the case went.
    home = reverse("desk:dashboard") if role == "intake" else None
    assert response["Location"] == (home or reverse("desk:case_detail", args=[case.pk]))
    assert case.queued_at is not None
    assert (case.team, case.agency_id) == (own_team, user.agency_id)
    assert case.person.legal_name == "Synthetic Intake Person"
    assert case.person.immigration_status is None


def intake_steps_refused(client, team, step):
    url = reverse(f"people:intake_{'identity' if step == 'identity' else step}")
    data = {"start": {"danger": "no"}, "language": {"language": "spa"}}.get(
        step, {"team": team.pk, "legal_name": "Synthetic Refused", "record_anyway": "on"}
    )
    return client.get(url), lambda: client.post(url, data)


@pytest.mark.parametrize("role", _role_params())
def test_intake_on_another_agencys_team_records_nothing(world, role):
    """The identity step offers only the user's agency's teams."""
    client = world.client_for(world.user(role))
    foreign = world.team if role == "outsider" else world.outsider_team
    if role not in RECORDS:
        before, since = snapshot(), last_event_id()
        assert_not_found(client.post(reverse("people:intake_start"), {"danger": "no"}))
        assert_nothing_changed(before, since)
        return
    _shown, _post = intake_steps(client, foreign, "identity")
    before, since = snapshot(), last_event_id()
    response = client.post(
        reverse("people:intake_identity"),
        {"team": foreign.pk, "legal_name": "Synthetic Elsewhere", "record_anyway": "on"},
    )
    assert response.status_code == 400
    assert_nothing_changed(before, since)


API_BODIES = {
    "plain": {"danger": "no", "legal_name": "Synthetic Api Person"},
    "immigration_status": {
        "danger": "no",
        "legal_name": "Synthetic Api Person",
        "immigration_status": IMMIGRATION,
    },
    "other_agency_team": {"danger": "no", "legal_name": "Synthetic Api Person"},
}


def _api_create_cells():
    for variant in API_BODIES:
        for role in ROLES:
            yield pytest.param(role, variant, id=f"{variant}-{role}")


@pytest.mark.parametrize(("role", "variant"), list(_api_create_cells()))
def test_api_people_create(world, role, variant):
    user = world.user(role)
    client = world.client_for(user)
    own_team = world.outsider_team if role == "outsider" else world.team
    foreign = world.team if role == "outsider" else world.outsider_team
    team = foreign if variant == "other_agency_team" else own_team
    before, since = snapshot(), last_event_id()
    response = post_json(client, "/api/v1/people", {"team_id": team.pk, **API_BODIES[variant]})
    may_record = role in RECORDS
    if (may_record and variant == "plain") or (
        variant == "immigration_status" and role in SEES_RESTRICTED_FIELDS
    ):
        assert response.status_code == 201, response.content
        case = Case.objects.select_related("person").get(pk=response.json()["case_id"])
        assert (case.team, case.created_by, case.agency_id) == (team, user, user.agency_id)
        expected = IMMIGRATION if variant == "immigration_status" else None
        assert case.person.immigration_status == expected
        return
    if may_record:
        # Refused by a rule of a role that may record: a clear 4xx (the team is
        # not one of theirs; they may not record immigration status).
        assert response.status_code == 422, response.content
    elif response.status_code != 404:
        assert_nothing_changed(before, since)
        raise RefusalNotFound(response.status_code)
    else:
        assert response.json() == NOT_FOUND
    assert_nothing_changed(before, since)


# --- The agency's person record settings: administrators only ----------------------


def field_settings_body(label: str) -> dict[str, str]:
    body = {f"mode_{name}": FieldSetting.Mode.OPTIONAL for name in DETAIL_NAMES}
    body.update({f"label_{name}": "" for name in DETAIL_NAMES})
    body["label_self_term"] = label
    return body


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", _role_params())
def test_field_settings(world, role, method):
    user = world.user(role)
    client = world.client_for(user)
    url = reverse("people:field_settings")
    before, since = snapshot(), last_event_id()
    if method == "get":
        response = client.get(url)
    else:
        if role in CONFIGURES:
            step_up(client, user)
        response = client.post(url, field_settings_body("Synthetic words"))
    if role not in CONFIGURES:
        assert_not_found(response)
        assert_nothing_changed(before, since)
        return
    if method == "get":
        assert response.status_code == 200
        assert snapshot() == before
        return
    assert (response.status_code, response["Location"]) == (302, url), response.content[:500]
    # Only the user's own agency's settings changed.
    assert list(FieldSetting.objects.values_list("agency_id", "field", "label")) == [
        (user.agency_id, "self_term", "Synthetic words")
    ]


@pytest.mark.parametrize("op", list(OPS))
def test_a_refusal_looks_like_a_case_that_does_not_exist(world, op):
    """Another agency's case and no case at all: the same answer, byte for byte."""
    case = world.build("other_agency", "supervisor")
    client = world.client_for(world.user("supervisor"))
    refused = send(op, client, case.pk, body_for(op, case, world))
    missing = send(op, client, uuid.uuid4(), body_for(op, case, world))
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
