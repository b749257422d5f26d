"""The staff-safety pages, as each role meets them: what opens, what is a 404,
and what the front desk is told when a visitor matches."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.safety import services
from haven.safety.models import Visit

pytestmark = pytest.mark.django_db

PAGES = {
    "safety:home": {"advocate", "supervisor", "intake", "shelter", "admin", "auditor"},
    "safety:threats": {"advocate", "supervisor", "intake", "shelter", "admin", "auditor"},
    "safety:threat_new": {"advocate", "supervisor", "intake", "shelter", "admin"},
    "safety:concerns": {"advocate", "supervisor", "shelter", "admin"},
    "safety:concern_new": {"advocate", "supervisor", "admin"},
    "safety:visitors": {"intake", "supervisor", "admin"},
    "safety:alerts": {"supervisor", "admin"},
    "safety:checklist": {"advocate", "supervisor", "intake", "shelter", "admin", "auditor"},
    "safety:checklists": {"admin"},
    "safety:settings": {"admin"},
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_opens_for_its_roles_and_is_a_404_for_the_others(name, all_personas, client_for):
    for role, user in all_personas.items():
        response = client_for(user).get(reverse(name))
        expected = 200 if role in PAGES[name] else 404
        assert response.status_code == expected, (name, role)


def test_the_lockdown_page_is_for_designated_administrators_only(admin_user, client_for):
    assert client_for(admin_user).get(reverse("safety:lockdown")).status_code == 404
    services.safety_settings_save(
        actor=admin_user,
        alert_user_ids=[],
        lockdown_user_ids=[admin_user.pk],
        two_to_end_lockdown=False,
    )
    assert client_for(admin_user).get(reverse("safety:lockdown")).status_code == 200


def test_the_front_desk_is_told_only_to_follow_the_procedure(
    intake, advocate, supervisor, client_for
):
    services.concern_save(
        actor=advocate,
        values=services.ConcernValues(
            name="Quillon Marsk", description="Drives a grey van near the office"
        ),
    )
    desk = client_for(intake)
    response = desk.post(
        reverse("safety:visitors"),
        {"name_given": "Kwillon Marsk", "asking_for": "a client"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "visitor procedure" in page
    assert "Quillon" not in page
    assert "grey van" not in page
    assert Visit.objects.get().flagged
    banner = client_for(supervisor).get(reverse("safety:alerts_live") + "?shown=-1")
    assert "needs your attention" in banner.content.decode()
    same = client_for(supervisor).get(reverse("safety:alerts_live") + "?shown=1")
    assert same.status_code == 204
    alerts = client_for(supervisor).get(reverse("safety:alerts")).content.decode()
    assert "Quillon Marsk" in alerts
    assert "Kwillon Marsk" in alerts


def test_a_threat_is_recorded_through_its_page(advocate, supervisor, client_for):
    response = client_for(advocate).post(
        reverse("safety:threat_new"),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "channel": "voicemail",
            "targeted_staff": [advocate.pk],
            "what_happened": "A voice said they would wait outside tonight.",
        },
    )
    assert response.status_code == 303, response.content[:2000]
    detail = client_for(supervisor).get(response["Location"])
    assert "wait outside tonight" in detail.content.decode()
