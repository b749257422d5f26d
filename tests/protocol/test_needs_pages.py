"""The needs pages: the person's ranked needs, reassessments that keep the
history, status changes, and the agency's own kinds of need."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import Action, AuditEvent
from haven.protocol.models import Need, NeedAssessment, NeedCategory, NeedChange, NeedStatus
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, preferred_name="Noor Sample", language="spa")


def cat(code: str) -> NeedCategory:
    return NeedCategory.objects.get(agency=None, code=code)


def ranks(**codes: int) -> dict[str, int]:
    return {f"rank_{cat(code).pk}": rank for code, rank in codes.items()}


def assess(client, case, note: str = "", **codes: int):
    return client.post(
        reverse("protocol:needs_assess", kwargs={"case_id": case.pk}),
        {**ranks(**codes), "note": note},
    )


def set_status(client, case, need, status: str):
    return client.post(
        reverse("protocol:need_status", kwargs={"case_id": case.pk, "need_id": need.pk}),
        {f"n{need.pk.hex}-status": status},
    )


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_advocates_and_supervisors_see_the_page(client_for, advocate, supervisor, case):
    for user in (advocate, supervisor):
        response = client_for(user).get(reverse("protocol:needs", kwargs={"case_id": case.pk}))
        assert response.status_code == 200
        assert b"Immediate needs" in response.content
        assert b"Long-term needs" in response.content


def test_everyone_else_gets_404_and_leaves_no_trace(
    client_for, intake, shelter, admin_user, auditor, outsider, advocate, team, case
):
    assess(client_for(advocate), case, food=1)
    need = Need.objects.get(case=case)
    # A case the intake worker recorded: they may open it, not its protocol.
    own = record_intake(actor=intake, team=team, preferred_name="Ila Sample")
    for user, target in (
        (intake, own),
        (intake, case),
        (shelter, case),
        (admin_user, case),
        (auditor, case),
        (outsider, case),
    ):
        client = client_for(user)
        viewed = events(Action.PEOPLE_VIEWED)
        page = reverse("protocol:needs", kwargs={"case_id": target.pk})
        assert client.get(page).status_code == 404
        assert assess(client, target, shelter=1).status_code == 404
        assert set_status(client, target, need, NeedStatus.MET).status_code == 404
        assert events(Action.PEOPLE_VIEWED) == viewed
    assert NeedAssessment.objects.count() == 1
    assert NeedChange.objects.count() == 1
    need.refresh_from_db()
    assert need.status == NeedStatus.IDENTIFIED


def test_a_ranked_assessment_is_saved_in_the_persons_order(client_for, advocate, case):
    client = client_for(advocate)
    response = assess(client, case, note="Wants housing soon", food=2, shelter=1, housing=5)
    assert response.status_code == 303
    assert response["Location"] == reverse("protocol:needs", kwargs={"case_id": case.pk})
    needs = list(Need.objects.filter(case=case).order_by("rank"))
    assert [n.category.code for n in needs] == ["shelter", "food", "housing"]
    assert [n.rank for n in needs] == [1, 2, 3]
    assert {n.status for n in needs} == {NeedStatus.IDENTIFIED}
    assert NeedAssessment.objects.get(case=case).note == "Wants housing soon"
    assert events(Action.NEEDS_ASSESSED) == 1
    page = client.get(reverse("protocol:needs", kwargs={"case_id": case.pk})).content.decode()
    assert page.index("Shelter") < page.index("Food") < page.index("Housing")
    assert "Wants housing soon" in page


def test_a_reassessment_keeps_status_and_history(client_for, advocate, supervisor, case):
    assess(client_for(advocate), case, food=1, shelter=2)
    food = Need.objects.get(case=case, category=cat("food"))
    assert set_status(client_for(supervisor), case, food, NeedStatus.REFERRED).status_code == 303
    response = assess(client_for(advocate), case, immigration=1, food=2)
    assert response.status_code == 303
    assert NeedAssessment.objects.filter(case=case).count() == 2
    by_code = {n.category.code: n for n in Need.objects.filter(case=case)}
    assert by_code["immigration"].rank == 1
    assert by_code["food"].rank == 2
    assert by_code["food"].status == NeedStatus.REFERRED
    assert by_code["shelter"].rank == 3  # not named this time: kept, after the others
    history = list(food.changes.order_by("at", "pk").values_list("status", "rank"))
    assert history == [
        (NeedStatus.IDENTIFIED, 1),
        (NeedStatus.REFERRED, 1),
        (NeedStatus.REFERRED, 2),
    ]
    page = client_for(advocate).get(reverse("protocol:needs", kwargs={"case_id": case.pk}))
    assert b"3 changes" in page.content
    assert b"Past assessments" in page.content


def test_status_changes_are_kept_and_audited(client_for, advocate, case):
    client = client_for(advocate)
    assess(client, case, medical_care=1)
    need = Need.objects.get(case=case)
    for status in (NeedStatus.IN_PROGRESS, NeedStatus.MET):
        assert set_status(client, case, need, status).status_code == 303
    need.refresh_from_db()
    assert need.status == NeedStatus.MET
    assert list(need.changes.order_by("at", "pk").values_list("status", flat=True)) == [
        NeedStatus.IDENTIFIED,
        NeedStatus.IN_PROGRESS,
        NeedStatus.MET,
    ]
    assert events(Action.NEED_CHANGED) == 2


def _counts() -> tuple[int, int, int, int]:
    return (
        Need.objects.count(),
        NeedAssessment.objects.count(),
        NeedChange.objects.count(),
        events(Action.NEEDS_ASSESSED) + events(Action.NEED_CHANGED),
    )


def _nothing_changed(before: tuple[int, int, int, int]) -> bool:
    return _counts() == before


def test_bad_assessments_are_refused_and_change_nothing(client_for, advocate, case, other_agency):
    client = client_for(advocate)
    url = reverse("protocol:needs_assess", kwargs={"case_id": case.pk})
    theirs = NeedCategory.objects.create(
        agency=other_agency, code="their-need", label="Their need", term="immediate"
    )
    before = _counts()
    duplicate = assess(client, case, food=1, shelter=1)
    assert duplicate.status_code == 400
    assert "the same number" in duplicate.content.decode()
    for data in (
        {"rank_999999": "1"},
        {**ranks(food=1), "rank_999999": "2"},
        {f"rank_{theirs.pk}": "1"},
        {**ranks(food=1), "rank_nonsense": "2"},
        {**ranks(food=0)},
        {**ranks(food="x")},  # type: ignore[arg-type]
        {},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert b"error-summary" in response.content
    assert _nothing_changed(before)


def test_another_cases_need_is_404_and_leaves_no_trace(client_for, advocate, team, case):
    client = client_for(advocate)
    other = record_intake(actor=advocate, team=team, preferred_name="Other Sample")
    assess(client, other, food=1)
    theirs = Need.objects.get(case=other)
    before = _counts()
    audit_before = AuditEvent.objects.count()
    assert set_status(client, case, theirs, NeedStatus.MET).status_code == 404
    assert _nothing_changed(before)
    assert AuditEvent.objects.count() == audit_before
    theirs.refresh_from_db()
    assert theirs.status == NeedStatus.IDENTIFIED


def test_an_unknown_status_is_refused(client_for, advocate, case):
    client = client_for(advocate)
    assess(client, case, food=1)
    need = Need.objects.get(case=case)
    before = _counts()
    assert set_status(client, case, need, "solved").status_code == 400
    assert _nothing_changed(before)


def test_administrators_and_supervisors_add_their_own_kinds_of_need(
    client_for, admin_user, supervisor, advocate, outsider, case
):
    url = reverse("protocol:need_categories")
    assert client_for(advocate).get(url).status_code == 404
    client = client_for(admin_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"label": "Child care", "term": "long_term"})
    assert response.status_code == 303
    mine = NeedCategory.objects.get(agency=admin_user.agency, label="Child care")
    assert client.get(url).content.count(b"Child care") == 1
    # A second time is refused with a message; nothing new is added.
    again = client_for(supervisor).post(url, {"label": "Child care", "term": "long_term"})
    assert again.status_code == 400
    assert NeedCategory.objects.filter(label="Child care").count() == 1
    assert client_for(supervisor).post(url, {"label": "", "term": "soon"}).status_code == 400
    # Another agency's staff never see it, and cannot rank it.
    assert b"Child care" not in client_for(outsider).get(url).content
    # The agency's own staff rank it like any other.
    response = client_for(advocate).post(
        reverse("protocol:needs_assess", kwargs={"case_id": case.pk}),
        {f"rank_{mine.pk}": "1"},
    )
    assert response.status_code == 303
    assert Need.objects.get(case=case).category == mine
