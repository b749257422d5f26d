"""The case list for a working day: quick views, filters, sorting and pages,
from codes and ids in the address only, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import Membership, Role
from haven.people.caselist import CaseFilters, filters_from
from haven.people.models import Case
from haven.people.selectors import case_page
from haven.protocol.models import CaseStep, DangerCheck, Step
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def overdue(case: Case, days: int = 3) -> Case:
    CaseStep.objects.filter(case=case, step=Step.NEEDS).update(
        due_on=timezone.localdate() - timedelta(days=days)
    )
    return case


def ids(shown) -> set:
    return {case.pk for case in shown.cases}


@pytest.fixture
def day(intake, advocate, supervisor, team, other_team, agency):
    """A supervisor's day over two teams: one case of each kind."""
    Membership.objects.create(user=supervisor, role=Role.SUPERVISOR, team=other_team)
    cases = {
        "quiet": record_intake(actor=supervisor, team=team, advocate=advocate),
        "danger": record_intake(actor=supervisor, team=team, danger="yes", advocate=advocate),
        "minor": record_intake(actor=supervisor, team=team, estimated_age=15),
        "overdue": overdue(record_intake(actor=supervisor, team=team, advocate=supervisor)),
        "south overdue": overdue(record_intake(actor=supervisor, team=other_team)),
        "restricted": record_intake(actor=supervisor, team=team),
        "closed": record_intake(actor=supervisor, team=team),
    }
    restricted = cases["restricted"]
    restricted.restricted = True
    restricted.save()
    restricted.named_staff.add(supervisor)
    Case.objects.filter(pk=cases["closed"].pk).update(status=Case.Status.CLOSED)
    # Every step of the other cases is well in the future, so only "overdue" ones are.
    CaseStep.objects.exclude(case__in=[cases["overdue"], cases["south overdue"]]).update(
        due_on=timezone.localdate() + timedelta(days=30)
    )
    return cases


def pks(day, *names) -> set:
    return {day[name].pk for name in names}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("all", {"quiet", "danger", "minor", "overdue", "south overdue", "restricted"}),
        ("mine", {"overdue"}),
        ("team", {"quiet", "danger", "minor", "overdue", "south overdue", "restricted"}),
        ("overdue", {"overdue", "south overdue"}),
        ("danger", {"danger"}),
        ("minors", {"minor"}),
        ("restricted", {"restricted"}),
        ("closed", {"closed"}),
    ],
)
def test_each_quick_view_shows_its_cases(day, supervisor, view, expected):
    assert ids(case_page(user=supervisor, filters=CaseFilters(view=view))) == pks(day, *expected)


def test_new_to_me_is_the_advocates_unopened_cases_and_the_queue(day, advocate, client_for):
    shown = case_page(user=advocate, filters=CaseFilters(view="new"))
    # Handed to them, and waiting in their team's queue (minor, restricted is not theirs).
    assert ids(shown) == pks(day, "quiet", "danger", "minor")
    client_for(advocate).get(reverse("desk:case_detail", args=[day["quiet"].pk]))
    assert ids(case_page(user=advocate, filters=CaseFilters(view="new"))) == pks(
        day, "danger", "minor"
    )
    # Every list marks the cases new to them among those it shows.
    assert case_page(user=advocate).new == set(pks(day, "danger", "minor"))


def test_filters_combine(day, supervisor, other_team, team, advocate):
    both = CaseFilters(view="overdue", team=other_team.pk)
    assert ids(case_page(user=supervisor, filters=both)) == pks(day, "south overdue")
    marks = CaseFilters(marks=("overdue",), team=team.pk, assigned="me")
    assert ids(case_page(user=supervisor, filters=marks)) == pks(day, "overdue")
    theirs = CaseFilters(assigned=str(advocate.pk))
    assert ids(case_page(user=supervisor, filters=theirs)) == pks(day, "quiet", "danger")
    queue = CaseFilters(assigned="none", team=team.pk)
    assert ids(case_page(user=supervisor, filters=queue)) == pks(day, "minor", "restricted")
    anything = CaseFilters(status="any", team=team.pk, marks=("danger",))
    assert ids(case_page(user=supervisor, filters=anything)) == pks(day, "danger")


def test_a_later_no_ends_the_danger(day, supervisor):
    DangerCheck.objects.create(
        case=day["danger"], data_key_id=day["danger"].person.data_key_id, answer="no", by=supervisor
    )
    assert ids(case_page(user=supervisor, filters=CaseFilters(view="danger"))) == set()


def test_urgency_puts_danger_then_report_then_overdue_then_the_rest(day, supervisor):
    shown = case_page(user=supervisor, filters=CaseFilters(sort="urgency"))
    order = [case.pk for case in shown.cases]
    assert order[:4] == [
        day["danger"].pk,
        day["minor"].pk,
        *sorted(
            [day["overdue"].pk, day["south overdue"].pk],
            key=lambda pk: Case.objects.get(pk=pk).created_at,
        ),
    ]
    assert set(order[4:]) == pks(day, "quiet", "restricted")
    assert shown.marks[day["minor"].pk] == ["report", "minor"]


def test_last_activity_puts_the_latest_work_first(day, supervisor):
    CaseStep.objects.filter(case=day["quiet"], step=Step.NEEDS).update(
        updated_at=timezone.now() + timedelta(minutes=5)
    )
    shown = case_page(user=supervisor, filters=CaseFilters(sort="activity"))
    assert shown.cases[0].pk == day["quiet"].pk


def test_pages_count_and_past_the_end_serve_the_last(advocate, team):
    for _ in range(27):
        record_intake(actor=advocate, team=team)
    first = case_page(user=advocate, filters=CaseFilters())
    assert (first.first, first.last, first.total, len(first.cases)) == (1, 25, 27, 25)
    second = case_page(user=advocate, filters=CaseFilters(page=2))
    assert (second.first, second.last, len(second.cases)) == (26, 27, 2)
    assert not ids(first) & ids(second)
    beyond = case_page(user=advocate, filters=filters_from({"page": ["999999999999"]}))
    assert (beyond.page.number, beyond.past_end) == (2, True)


def test_the_list_reads_in_a_fixed_number_of_queries(advocate, team):
    def count(filters):
        with CaptureQueriesContext(connection) as captured:
            case_page(user=advocate, filters=filters)
        return len(captured)

    for _ in range(3):
        overdue(record_intake(actor=advocate, team=team, danger="yes", advocate=advocate))
    few = [count(CaseFilters(sort=s, view="overdue")) for s in ("opened", "activity", "urgency")]
    for _ in range(30):
        overdue(record_intake(actor=advocate, team=team, danger="yes", advocate=advocate))
    many = [count(CaseFilters(sort=s, view="overdue")) for s in ("opened", "activity", "urgency")]
    assert many == few
    assert max(many) <= 12


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"view": ["everything"]}, "view"),
        ({"status": ["'; DROP TABLE"]}, "status"),
        ({"team": ["-1"]}, "team"),
        ({"team": ["9" * 40]}, "team"),
        ({"has": ["overdue", "unicorns"]}, "has"),
        ({"assigned": ["x" * 10_000]}, "assigned"),
        ({"sort": ["ü" * 10_000]}, "sort"),
    ],
)
def test_unknown_values_are_left_out_with_a_note(query, note):
    filters = filters_from(query)
    assert len(filters.notes) == 1
    assert note in filters.notes[0]
    # Never the value itself in the note.
    for values in query.values():
        for value in values:
            if value not in ("overdue",):
                assert value not in filters.notes[0]


@pytest.mark.parametrize("page", ["-1", "0", "abc", "\u0661", "1.5", "x" * 10_000, ""])
def test_bad_pages_serve_the_first(page):
    filters = filters_from({"page": [page]})
    assert filters.page == 1


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=99999999999999999999999999999",
        "page=" + "9" * 10_000,
        "view=unknown&status=nope&team=abc&has=zzz&assigned=-3&sort=up",
        "team=" + "1" * 10_000,
        "has=" + "a" * 10_000,
        "view=closed&status=open&page=2",
    ],
)
def test_the_page_never_fails_on_bad_filters(client_for, advocate, team, query):
    record_intake(actor=advocate, team=team)
    response = client_for(advocate).get(f"{reverse('people:case_list')}?{query}")
    assert response.status_code == 200


def test_the_page_keeps_filters_in_the_address_as_codes_only(client_for, supervisor, day, team):
    response = client_for(supervisor).get(
        reverse("people:case_list"), {"view": "overdue", "team": team.pk, "page": "7"}
    )
    body = response.content.decode()
    assert "1\u20131 of 1" in body
    assert f"view=overdue&amp;team={team.pk}" in body
    assert "There is only 1 page" in body
    bad = client_for(supervisor).get(reverse("people:case_list"), {"view": "Synthetic Name"})
    assert "not understood" in bad.content.decode()
    assert "Synthetic Name" not in bad.content.decode()


def test_the_api_filters_sorts_and_pages_the_same(client_for, supervisor, day, other_team):
    api = client_for(supervisor)
    response = api.get(f"/api/v1/cases?view=overdue&team={other_team.pk}")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [str(day["south overdue"].pk)]
    assert response["X-Total-Count"] == "1"
    assert (response["X-Page"], response["X-Pages"]) == ("1", "1")
    item = response.json()[0]
    assert set(item) >= {"id", "status", "team", "opened_on", "restricted", "person"}
    assert item["marks"] == ["overdue"]
    urgent = api.get("/api/v1/cases?sort=urgency").json()
    assert urgent[0]["id"] == str(day["danger"].pk)
    for bad in ("view=unicorns", "page=-1", "page=0", "team=-4", "has=zzz", "assigned=x"):
        assert api.get(f"/api/v1/cases?{bad}").status_code == 422, bad
    assert api.get("/api/v1/cases?page=999999").json() != []


def test_the_front_desk_learns_no_protocol_mark_from_the_list(day, intake, client_for):
    """Danger, a waiting mandated report (a minor), overdue steps: the case
    page hides the protocol from the front desk, so the list does too."""
    recorded = record_intake(actor=intake, team=day["quiet"].team, danger="yes", estimated_age=15)
    shown = case_page(user=intake, filters=CaseFilters())
    assert recorded.pk in ids(shown)
    assert all(marks == [] for marks in shown.marks.values())
    for mark in ("danger", "report", "overdue", "minor"):
        assert ids(case_page(user=intake, filters=CaseFilters(marks=(mark,)))) == set()
    urgent = case_page(user=intake, filters=CaseFilters(sort="urgency"))
    assert recorded.pk in ids(urgent)
    page = client_for(intake).get(reverse("people:case_list")).content.decode()
    for label in ("Danger reported", "Mandated report waiting", "Overdue steps", "In danger"):
        assert label not in page, label
    api = client_for(intake).get("/api/v1/cases").json()
    assert all(case["marks"] == [] for case in api)


def test_the_api_refuses_filters_it_does_not_understand(client_for, supervisor, day):
    # Past the largest id: the pattern lets it through, the filter cannot use it.
    answer = client_for(supervisor).get("/api/v1/cases", {"assigned": "99999999999999999999"})
    assert answer.status_code == 422
    assert [p["loc"] for p in answer.json()["detail"]] == [["query", "assigned"]]
