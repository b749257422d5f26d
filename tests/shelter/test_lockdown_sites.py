"""The lockdown page knows the sites: while a lockdown runs it lists the
agency's sites by alias, says whether each is closed to admissions, and
links to closing it. Never another agency's site, never an address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haven.core.keys import data_key_create
from haven.safety import lockdown as lockdowns
from haven.shelter.models import SiteClosure
from tests.safety.conftest import designate, second_factor, sign_in

pytestmark = pytest.mark.django_db

ADDRESS = "1200 Synthetic Hollow Road"


@pytest.fixture
def locked_admin(admin_user):
    designate(admin_user, lockdown=(admin_user,))
    return admin_user


def lockdown_page(user) -> str:
    response = sign_in(Client(), user).get(reverse("safety:lockdown"))
    assert response.status_code == 200
    return response.content.decode()


def test_while_a_lockdown_runs_the_page_lists_the_sites_and_links_to_closing_them(
    locked_admin, site_a, site_b, other_site
):
    site_a.data_key = data_key_create(site_a.agency)[0]
    site_a.address = ADDRESS
    site_a.save()
    ends = timezone.now() + timedelta(days=2)
    SiteClosure.objects.create(
        site=site_b,
        why=SiteClosure.Why.THREAT,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=ends,
        requested_by=locked_admin,
    )
    lockdowns.lockdown_start(
        actor=locked_admin,
        reason="Synthetic drill",
        days=1,
        second_factor=second_factor(locked_admin),
    )
    page = lockdown_page(locked_admin)
    assert "The agency's sites" in page
    assert reverse("shelter:site_close", args=[site_a.pk]) in page
    assert reverse("shelter:site_close", args=[site_b.pk]) in page
    assert "Close Site A to admissions" in page
    assert "Closed to admissions until " + timezone.localtime(ends).strftime("%Y-%m-%d") in page
    assert "Reopen Site B or change its closure" in page
    assert "Far Site" not in page
    assert reverse("shelter:site_close", args=[other_site.pk]) not in page
    assert ADDRESS not in page


def test_without_a_lockdown_the_page_does_not_list_the_sites(locked_admin, site_a):
    page = lockdown_page(locked_admin)
    assert "Site A" not in page
    assert reverse("shelter:site_close", args=[site_a.pk]) not in page


def test_the_link_leads_the_lockdown_administrator_to_closing_the_site(locked_admin, site_a):
    lockdowns.lockdown_start(
        actor=locked_admin,
        reason="Synthetic drill",
        days=1,
        second_factor=second_factor(locked_admin),
    )
    client = sign_in(Client(), locked_admin)
    response = client.get(reverse("shelter:site_close", args=[site_a.pk]))
    assert response.status_code == 200
    assert "Close the site to new admissions" in response.content.decode()
