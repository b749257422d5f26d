"""Shared fixtures: two agencies and a staff member for every role.

The personas follow the product brief's roles; ``outsider`` belongs to another
agency and must never see anything of the first.
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.signals import setting_changed
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.test import Client
from django.test.client import ClientHandler
from django.urls import reverse
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from haven.accounts.models import Membership, Role
from haven.core.ledger import LEDGER_NAME, ledger_path
from haven.core.models import DataKey
from tests.factories import TEST_PASSWORD, AgencyFactory, TeamFactory, make_staff

# Property tests assert behaviour, never speed: a deadline fails a correct
# example on a busy machine (speed is measured by ``make bench``).
hypothesis_settings.register_profile("haven", deadline=None)
hypothesis_settings.load_profile("haven")

# Session fixtures: local installs, migrated and seeded once per run.
pytest_plugins = ["tests.installs"]

# Tests that drive a local install through manage.py subprocesses take a
# minute or more each: they go first, so that no worker is left running one
# alone at the end of a parallel run.
SLOW_FIXTURES = {"migrated_install", "seeded_install", "fresh_postgres"}


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not SLOW_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_finish(session):
    """The thousands of objects made by importing and collecting live for the
    whole run: left out of garbage collection, each collection costs less."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _english_again_after_each_test():
    """A request in Spanish leaves Spanish active in the thread (the locale
    middleware activates, nothing deactivates): the next test would read a
    service's messages in Spanish. Each test starts in the default language."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _nothing_leaves_without_the_gate(request):
    """After every test that used the database: whatever left the agency
    went through the disclosure gate (see tests/ledger.py)."""
    uses_db = {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames) or (
        request.node.get_closest_marker("django_db") is not None
    )
    if uses_db and "browser" not in request.keywords:
        request.getfixturevalue("db")
    else:
        uses_db = False
    yield
    if uses_db:
        from tests.ledger import records_without_the_gate

        assert records_without_the_gate() == [], "a disclosure bypassed the gate"


# Data keys deleted during the current test, and the ledgers written to
# (a test may point HAVEN_LEDGER_DIR at a folder of its own).
_keys_deleted: list[str] = []
_ledgers_used: set[str] = set()


@receiver(post_delete, sender=DataKey, dispatch_uid="tests-keys-deleted")
def _key_deleted(sender, instance, **kwargs):
    _keys_deleted.append(str(instance.pk))


@receiver(setting_changed, dispatch_uid="tests-ledger-moved")
def _ledger_moved(setting, value, **kwargs):
    if setting == "HAVEN_LEDGER_DIR" and value:
        _ledgers_used.add(str(value))


@pytest.fixture(autouse=True)
def _every_destruction_in_the_ledger():
    """After every test: each data key deleted went through the one way a
    key is destroyed (haven.core.keys.data_keys_destroy), which writes the
    destruction ledger, so a restore of an older backup destroys it again.
    A new path that deletes keys by hand fails whichever test walks it."""
    _keys_deleted.clear()
    _ledgers_used.clear()
    path = ledger_path()
    start = path.stat().st_size if path.exists() else 0
    yield
    if not _keys_deleted:
        return
    recorded: set[str] = set()
    files = [(path, start)] + [(Path(f) / LEDGER_NAME, 0) for f in _ledgers_used]
    for file, offset in files:
        if not file.exists():
            continue
        with file.open("rb") as handle:
            handle.seek(offset)
            for line in handle:
                recorded.update(json.loads(line).get("keys", ()))
    missing = set(_keys_deleted) - recorded
    assert not missing, f"{len(missing)} data key(s) deleted without the destruction ledger"


# Settings changed so far in this process (pytest-django's settings fixture,
# override_settings): a request handler built before the last change is stale.
_settings_changes = [0]


def _count_setting_change(**kwargs):
    _settings_changes[0] += 1


setting_changed.connect(_count_setting_change)


class ReusedClientHandler(ClientHandler):
    """The test client's handler, kept from test to test: building the
    middleware chain (WhiteNoise scans the static files) costs more than most
    tests. The chain is built again whenever a setting changed since it was
    built, so each request meets the middleware a fresh client would."""

    built_after = -1

    def __call__(self, environ):
        if self.built_after != _settings_changes[0]:
            self.load_middleware()
            self.built_after = _settings_changes[0]
        return super().__call__(environ)


_CLIENT_HANDLER = ReusedClientHandler(enforce_csrf_checks=False)


@pytest.fixture
def client():
    """pytest-django's ``client``: a new client (no cookies, no session) with
    the process's reused request handler."""
    client = Client()
    client.handler = _CLIENT_HANDLER
    return client


def totp_now(secret: str, *, offset: int = 0) -> str:
    """The current TOTP code for ``secret`` (offset in 30-second steps)."""
    counter = int(time.time()) // 30 + offset
    return format_hotp_value(hotp_value(secret, counter))


# How each persona fixture below is made, also for data shared by a module's
# tests (tests/shared.py): fixture name -> (role, on the team "North"?, user name).
PERSONAS = {
    "advocate": (Role.ADVOCATE, True, "t-advocate"),
    "supervisor": (Role.SUPERVISOR, True, "t-supervisor"),
    "intake": (Role.INTAKE, False, "t-intake"),
    "shelter": (Role.SHELTER, True, "t-shelter"),
    "admin_user": (Role.ADMIN, False, "t-admin"),
    "auditor": (Role.AUDITOR, False, "t-auditor"),
}


def make_agency():
    return AgencyFactory(name="Test Agency")


def make_other_agency():
    return AgencyFactory(name="Elsewhere Agency")


def make_team(agency):
    return TeamFactory(agency=agency, name="North")


def make_other_team(agency):
    return TeamFactory(agency=agency, name="South")


def make_persona(name: str, agency, team):
    role, on_team, username = PERSONAS[name]
    return make_staff(agency=agency, role=role, team=team if on_team else None, username=username)


def make_outsider(other_agency):
    """Another agency's advocate who is also its administrator and auditor:
    the strongest outsider, so a refusal proves isolation, not a missing role."""
    other_team = TeamFactory(agency=other_agency, name="Elsewhere Team")
    user = make_staff(
        agency=other_agency, role=Role.ADVOCATE, team=other_team, username="t-outsider"
    )
    Membership.objects.create(user=user, role=Role.ADMIN)
    Membership.objects.create(user=user, role=Role.AUDITOR)
    return user


@pytest.fixture
def agency(db):
    return make_agency()


@pytest.fixture
def other_agency(db):
    return make_other_agency()


@pytest.fixture
def team(agency):
    return make_team(agency)


@pytest.fixture
def other_team(agency):
    return make_other_team(agency)


@pytest.fixture
def advocate(agency, team):
    return make_persona("advocate", agency, team)


@pytest.fixture
def supervisor(agency, team):
    return make_persona("supervisor", agency, team)


@pytest.fixture
def intake(agency):
    return make_persona("intake", agency, None)


@pytest.fixture
def shelter(agency, team):
    return make_persona("shelter", agency, team)


@pytest.fixture
def admin_user(agency):
    return make_persona("admin_user", agency, None)


@pytest.fixture
def auditor(agency):
    return make_persona("auditor", agency, None)


@pytest.fixture
def outsider(other_agency):
    """Another agency's advocate who is also its administrator and auditor."""
    return make_outsider(other_agency)


@pytest.fixture
def all_personas(advocate, supervisor, intake, shelter, admin_user, auditor):
    return {
        "advocate": advocate,
        "supervisor": supervisor,
        "intake": intake,
        "shelter": shelter,
        "admin": admin_user,
        "auditor": auditor,
    }


def sign_in_for_real(client, user, password: str = TEST_PASSWORD):
    """Sign in through the real pages: password, then the TOTP code."""
    response = client.post(reverse("account_login"), {"login": user.username, "password": password})
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(user.totp_secret)})
    assert response.status_code == 302, response.content[:500]
    # Confirm the password once more, as the second-factor pages ask.
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def real_client_for(client):
    """A test client that signed in through the sign-in and MFA pages."""

    def sign_in(user):
        return sign_in_for_real(client, user)

    return sign_in


@pytest.fixture
def client_for(client):
    """A test client signed in (password and MFA done) as the given user."""

    def sign_in(user):
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        return client

    return sign_in


def step_up(client, user) -> None:
    """``user`` types a fresh code on the second-factor page (allauth's
    re-authentication), as before a change that asks for one
    (haven.accounts.stepup). A TOTP code works once: the next step of the
    window is tried when this one was spent by an earlier step-up."""
    for offset in (0, 1, -1):
        response = client.post(
            reverse("mfa_reauthenticate"), {"code": totp_now(user.totp_secret, offset=offset)}
        )
        if response.status_code == 302:
            return
    raise AssertionError(response.content[:500])


def spare_code(user) -> str:
    """One of ``user``'s recovery codes not used yet, for a call that asks
    for a fresh second factor each time (the API's exports to a third
    party): each works once, as a TOTP code works once in its 30 seconds."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    found = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    codes = found.wrap() if found else RecoveryCodes.activate(user)
    return codes.get_unused_codes()[0]


@pytest.fixture
def stepped_up(client_for):
    """A test client signed in as the given user, who has just proved a fresh second factor."""

    def sign_in(user):
        client = client_for(user)
        step_up(client, user)
        return client

    return sign_in
