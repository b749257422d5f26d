"""The hourly limit of check-ins for each staff member (haven/safety/checkins.py):
past it a check-in is refused with a message that says when the desk can
go on and whom to ask, nothing of the visitor is written or screened, the
refusal is audited, and the staff who receive visitor alerts are told once
an hour for each staff member, on the pages and over the API alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from haven.accounts.api_tokens import api_token_create
from haven.audit.models import Action, AuditEvent
from haven.safety import services
from haven.safety.checkins import CheckInsPaused
from haven.safety.models import CheckInAlert, Visit, VisitorAlert
from tests.safety.conftest import designate

pytestmark = pytest.mark.django_db

LIMIT = 3
CONCERN = "Quillon Marsk"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.HAVEN_CHECKINS_PER_HOUR = LIMIT


def check_in(desk, name: str = "Synthetic Courier", **values) -> Visit:
    return services.visit_check_in(
        actor=desk, values=services.VisitValues(name_given=name, **values)
    )


def fill(desk, count: int = LIMIT) -> list[Visit]:
    return [check_in(desk, f"Synthetic Courier {n}") for n in range(count)]


def an_hour_passes(minutes: int = 61) -> None:
    """Move every check-in and alert back, as if the clock had moved on."""
    Visit.objects.update(checked_in_at=F("checked_in_at") - timedelta(minutes=minutes))
    CheckInAlert.objects.update(raised_at=F("raised_at") - timedelta(minutes=minutes))


def limit_alerts(desk) -> list[CheckInAlert]:
    return list(CheckInAlert.objects.filter(desk_user=desk))


def refusals(desk) -> list[dict]:
    return [
        e.detail
        for e in AuditEvent.objects.filter(
            action=Action.VISITOR_CHECK_IN_REFUSED, actor=desk
        ).order_by("seq")
    ]


def next_minute(moment) -> str:
    """The minute the desk is told it may go on: the one after ``moment``."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return formats.time_format(local, "H:i")


class Api:
    """A bearer-token client of the API, as the front desk's own software uses it."""

    def __init__(self, user) -> None:
        self.client = Client(enforce_csrf_checks=True)
        token = api_token_create(user=user, lifetime=timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str):
        return self.client.get(url, **self.headers)

    def post(self, url: str, data: dict | None = None):
        return self.client.post(url, data or {}, content_type="application/json", **self.headers)


# --- The service -------------------------------------------------------------------


def test_past_the_limit_a_check_in_is_refused_and_nothing_of_the_visitor_is_kept(
    intake, advocate, supervisor
):
    services.concern_save(actor=advocate, values=services.ConcernValues(name=CONCERN))
    first, *_ = fill(intake)
    visits = Visit.objects.count()
    with pytest.raises(CheckInsPaused) as caught:
        # A name that would match: it is not screened, so no match is raised.
        check_in(intake, CONCERN, asking_for="Synthetic Person", plate="SYN-1")
    message = " ".join(caught.value.messages)
    assert f"You have checked in {LIMIT} visitors in the last hour" in message
    assert f"at {next_minute(first.checked_in_at + timedelta(hours=1))}" in message
    assert "ask a colleague, a supervisor or an administrator" in message
    assert CONCERN not in message
    assert Visit.objects.count() == visits
    assert not VisitorAlert.objects.exists()
    assert refusals(intake) == [{"limit": LIMIT, "alerted": True}]
    [alert] = limit_alerts(intake)
    assert (alert.agency_id, alert.acknowledged_at) == (intake.agency_id, None)
    raised = AuditEvent.objects.get(action=Action.VISITOR_ALERT_RAISED, object_id=str(alert.pk))
    assert (raised.object_type, raised.detail) == (
        "check_in_alert",
        {"recipients": [supervisor.pk]},
    )


def test_the_alert_goes_once_an_hour_for_each_staff_member_not_at_every_attempt(intake, supervisor):
    fill(intake)
    for _ in range(5):
        with pytest.raises(CheckInsPaused):
            check_in(intake)
    assert len(limit_alerts(intake)) == 1
    assert (
        refusals(intake)
        == [{"limit": LIMIT, "alerted": True}] + [{"limit": LIMIT, "alerted": False}] * 4
    )
    # Another staff member at the desk goes on, and their own limit is their own.
    fill(supervisor)
    with pytest.raises(CheckInsPaused):
        check_in(supervisor)
    assert len(limit_alerts(supervisor)) == 1
    # An hour later the desk goes on; reaching the limit again tells the staff again.
    an_hour_passes()
    fill(intake)
    with pytest.raises(CheckInsPaused):
        check_in(intake)
    assert len(limit_alerts(intake)) == 2


def test_only_the_last_hour_counts(intake):
    fill(intake, LIMIT - 1)
    an_hour_passes(minutes=59)
    check_in(intake)
    with pytest.raises(CheckInsPaused):
        check_in(intake)
    an_hour_passes(minutes=2)
    # The first two are now more than an hour old: two more fit.
    check_in(intake)
    check_in(intake)
    with pytest.raises(CheckInsPaused):
        check_in(intake)


def test_the_count_is_the_databases_so_it_holds_across_workers_and_restarts(intake):
    fill(intake)
    # Nothing kept in memory or in the cache: a new worker counts the same visits.
    cache.clear()
    with pytest.raises(CheckInsPaused):
        check_in(intake)


def test_the_alert_reaches_the_designated_staff(intake, advocate, admin_user):
    designate(admin_user, alerts=(advocate,))
    fill(intake)
    with pytest.raises(CheckInsPaused):
        check_in(intake)
    [alert] = limit_alerts(intake)
    raised = AuditEvent.objects.get(action=Action.VISITOR_ALERT_RAISED, object_id=str(alert.pk))
    assert raised.detail["recipients"] == [advocate.pk]


def test_bad_input_is_refused_for_what_it_is_even_past_the_limit(intake):
    fill(intake)
    with pytest.raises(ValidationError) as caught:
        check_in(intake, "")
    assert not isinstance(caught.value, CheckInsPaused)
    assert "name_given" in caught.value.message_dict
    assert refusals(intake) == []


# --- The pages ---------------------------------------------------------------------


def test_the_desk_sees_the_refusal_and_the_staff_see_the_alert(intake, supervisor, client_for):
    fill(intake)
    desk = client_for(intake)
    response = desk.post(reverse("safety:visitors"), {"name_given": "Synthetic Courier X"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"You have checked in {LIMIT} visitors in the last hour" in body
    assert Visit.objects.count() == LIMIT
    staff = client_for(supervisor)
    banner = staff.get(reverse("safety:alerts_live"), {"shown": "-1"})
    assert "The front desk needs your attention." in banner.content.decode()
    page = staff.get(reverse("safety:alerts")).content.decode()
    assert f"{intake} reached the hourly limit of check-ins at" in page
    assert "Synthetic Courier X" not in page
    [alert] = limit_alerts(intake)
    assert staff.post(reverse("safety:alert_acknowledge", args=[alert.pk])).status_code == 303
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == supervisor.pk
    assert staff.get(reverse("safety:alerts_live"), {"shown": "1"}).status_code == 200


# --- The API -----------------------------------------------------------------------


def test_the_api_check_in_is_held_to_the_same_limit(intake, supervisor):
    desk = Api(intake)
    for n in range(LIMIT):
        assert desk.post("/api/v1/visits", {"name_given": f"Synthetic {n}"}).status_code == 201
    before = Visit.objects.count()
    refused = desk.post("/api/v1/visits", {"name_given": "Synthetic Courier X"})
    assert refused.status_code == 422
    [problem] = refused.json()["detail"]
    assert f"You have checked in {LIMIT} visitors in the last hour" in problem["msg"]
    assert Visit.objects.count() == before
    assert refusals(intake) == [{"limit": LIMIT, "alerted": True}]
    [alert] = limit_alerts(intake)
    # The API's list of visitor alerts holds visits; the limit alert is acknowledged by its id.
    staff = Api(supervisor)
    listed = staff.get("/api/v1/visitor-alerts")
    assert (listed.status_code, listed.json()) == (200, [])
    assert staff.post(f"/api/v1/visitor-alerts/{alert.pk}/acknowledge").status_code == 204
