"""Spanish from the sign-in page on, and for each user by their profile."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_sign_in_page_in_spanish_by_browser_preference(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "Saltar al contenido principal" in body
    assert "Ocultar pantalla" in body


def test_signed_in_pages_follow_the_profile_language(client_for, admin_user):
    admin_user.language = "es"
    admin_user.save()
    client = client_for(admin_user)
    for name in ("desk:dashboard", "accounts:staff_list", "accounts:staff_invite"):
        body = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="es">' in body, name
        assert "Skip to main content" not in body, name


def test_the_spanish_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
