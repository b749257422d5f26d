"""The visitor alerts page is paged: every alert of the last hours can be
reached, each page records the visits it showed, and a page number past the
end or not a number gets a clear answer, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import Action, AuditEvent
from haven.safety import services
from haven.safety.models import VisitorAlert

pytestmark = pytest.mark.django_db

CONCERN = "Quillon Marsk"
ALERTS = 51


@pytest.fixture
def alerts(settings, advocate, intake) -> list[VisitorAlert]:
    """51 visitors who matched, newest first, each a name of its own."""
    settings.HAVEN_CHECKINS_PER_HOUR = 100
    services.concern_save(actor=advocate, values=services.ConcernValues(name=CONCERN))
    for n in range(ALERTS):
        services.visit_check_in(
            actor=intake, values=services.VisitValues(name_given=f"Quillon Marsk {n:02d}")
        )
    shown = list(VisitorAlert.objects.select_related("visit").order_by("-raised_at", "pk"))
    assert len(shown) == ALERTS
    return shown


def names_on(html: str) -> list[str]:
    return [f"Quillon Marsk {n:02d}" for n in range(ALERTS) if f"Quillon Marsk {n:02d}" in html]


def test_every_alert_can_be_reached_page_by_page(alerts, supervisor, client_for):
    staff = client_for(supervisor)
    seen: list[str] = []
    for number in (1, 2, 3):
        response = staff.get(reverse("safety:alerts"), {"page": str(number)})
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Page {number} of 3" in html
        seen += names_on(html)
        shown = AuditEvent.objects.filter(action=Action.VISITS_VIEWED).latest("seq")
        expected = alerts[(number - 1) * 25 : number * 25]
        assert shown.detail == {"ids": [str(a.visit_id) for a in expected]}
    assert sorted(seen) == sorted(a.visit.name_given for a in alerts)
    # The 51st, the oldest, is on the third page alone.
    last = staff.get(reverse("safety:alerts"), {"page": "3"}).content.decode()
    assert names_on(last) == [alerts[-1].visit.name_given]


@pytest.mark.parametrize("asked", ["4", "999", "9" * 10_000])
def test_a_page_past_the_end_is_the_last_with_a_note(alerts, supervisor, client_for, asked):
    response = client_for(supervisor).get(reverse("safety:alerts"), {"page": asked})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There are only 3 pages: this is the last." in html
    assert names_on(html) == [alerts[-1].visit.name_given]


@pytest.mark.parametrize("asked", ["abc", "0", "-1", "1.5", "\u0663", "", " ", "1e3"])
def test_a_page_that_is_not_a_number_is_the_first_with_a_note(
    alerts, supervisor, client_for, asked
):
    response = client_for(supervisor).get(reverse("safety:alerts"), {"page": asked})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Page numbers start at 1: this is the first page." in html
    assert "Page 1 of 3" in html
    assert names_on(html) == sorted(a.visit.name_given for a in alerts[:25])
