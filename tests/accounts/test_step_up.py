"""Step-up: every change a stolen session must not make asks for a second
factor proved in the last five minutes, and is refused without one, with
nothing changed.

Each action below is posted by a session signed in long ago (refused), with
the code typed into the form (done), right after a second factor on the
re-authentication page (done without a code), with a code already spent,
and after the five minutes (refused).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from conftest import step_up, totp_now
from haven.accounts import stepup
from haven.accounts.models import ApiToken, Membership, Role, TwoPersonRule, User
from haven.accounts.services import staff_deactivate
from haven.audit.models import Action, AuditEvent
from haven.people.models import FieldSetting, Person
from haven.reports.models import ReportSettings
from haven.safety.models import Designation
from tests.factories import record_intake
from tests.people.test_field_settings import form_post

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Change:
    """One action behind a step-up: who does it, where it is posted, and how
    to tell it happened."""

    persona: str
    url: Callable[[dict[str, Any]], str]
    data: Callable[[dict[str, Any]], dict[str, Any]]
    done: Callable[[dict[str, Any]], bool]
    prepare: Callable[[dict[str, Any]], None] = lambda world: None


def _roles_of(user: User) -> set[str]:
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def _destroy_prepare(world: dict[str, Any]) -> None:
    world["case"] = record_intake(actor=world["supervisor"], team=world["team"])
    TwoPersonRule.objects.create(agency=world["agency"], required=False)


CHANGES = {
    "roles": Change(
        "admin_user",
        lambda w: reverse("accounts:staff_detail", args=[w["advocate"].pk]),
        lambda w: {"roles": [Role.INTAKE]},
        lambda w: _roles_of(w["advocate"]) == {Role.INTAKE},
    ),
    "deactivate": Change(
        "admin_user",
        lambda w: reverse("accounts:staff_deactivate", args=[w["advocate"].pk]),
        lambda w: {},
        lambda w: not User.objects.get(pk=w["advocate"].pk).is_active,
    ),
    "reactivate": Change(
        "admin_user",
        lambda w: reverse("accounts:staff_reactivate", args=[w["advocate"].pk]),
        lambda w: {},
        lambda w: User.objects.get(pk=w["advocate"].pk).is_active,
        prepare=lambda w: staff_deactivate(actor=w["admin_user"], member=w["advocate"]),
    ),
    "lockdown_administrators": Change(
        "admin_user",
        lambda w: reverse("safety:settings"),
        lambda w: {"lockdown": [w["admin_user"].pk]},
        lambda w: Designation.objects.filter(
            user=w["admin_user"], duty=Designation.Duty.LOCKDOWN
        ).exists(),
    ),
    "field_settings": Change(
        "admin_user",
        lambda w: reverse("people:field_settings"),
        lambda w: form_post(mode_gender="hidden"),
        lambda w: FieldSetting.objects.filter(field="gender", mode="hidden").exists(),
    ),
    "report_threshold": Change(
        "admin_user",
        lambda w: reverse("reports:settings"),
        lambda w: {"threshold": "10", "version": "1"},
        lambda w: ReportSettings.objects.filter(threshold=10).exists(),
    ),
    "destroy": Change(
        "supervisor",
        lambda w: reverse("people:person_destroy", args=[w["case"].pk]),
        lambda w: {"confirm": "on"},
        lambda w: not Person.objects.filter(pk=w["case"].person_id).exists(),
        prepare=_destroy_prepare,
    ),
    "api_token": Change(
        "advocate",
        lambda w: reverse("accounts:api_tokens"),
        lambda w: {"days": "7"},
        lambda w: ApiToken.objects.filter(user=w["advocate"]).exists(),
    ),
    "two_person_rule": Change(
        "admin_user",
        lambda w: reverse("accounts:two_person_rule"),
        lambda w: {"rule": "always"},
        lambda w: TwoPersonRule.objects.filter(required=True).exists(),
    ),
}


@pytest.fixture
def world(agency, team, admin_user, advocate, supervisor) -> dict[str, Any]:
    return {
        "agency": agency,
        "team": team,
        "admin_user": admin_user,
        "advocate": advocate,
        "supervisor": supervisor,
    }


def _post(client: Client, change: Change, world: dict[str, Any], **more: str):
    data = {**change.data(world), **more}
    if change is CHANGES["api_token"]:
        # The form's one-use value, as the page gives it.
        page = client.get(change.url(world)).content.decode()
        data["once"] = page.split('name="once" value="', 1)[1].split('"', 1)[0]
    return client.post(change.url(world), data)


def _second_factor_at(client: Client, user: User, at: float) -> None:
    """A real step-up, then moved back in time to ``at``."""
    step_up(client, user)
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    assert [r["method"] for r in records] == ["mfa"]
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{**r, "at": at} for r in records]
    session.save()


def _refused(response, change: Change, world: dict[str, Any]) -> None:
    assert response.status_code in (302, 303, 400), response.status_code
    assert not change.done(world)


@pytest.mark.parametrize("name", list(CHANGES))
def test_refused_without_a_fresh_second_factor_and_nothing_changes(client_for, world, name):
    change = CHANGES[name]
    change.prepare(world)
    client = client_for(world[change.persona])
    before = AuditEvent.objects.exclude(action=Action.PEOPLE_VIEWED).count()
    response = _post(client, change, world)
    _refused(response, change, world)
    if response.status_code == 400:
        assert "needs a fresh second factor" in response.content.decode()
    # Nothing but the failed check itself was recorded.
    assert AuditEvent.objects.exclude(action=Action.PEOPLE_VIEWED).count() == before


@pytest.mark.parametrize("name", list(CHANGES))
def test_done_with_a_code_typed_into_the_form(client_for, world, name):
    change = CHANGES[name]
    change.prepare(world)
    user = world[change.persona]
    client = client_for(user)
    prefix = "account-" if name in ("deactivate", "reactivate") else ""
    response = _post(
        client, change, world, **{f"{prefix}second_factor": totp_now(user.totp_secret)}
    )
    assert response.status_code in (200, 302, 303), response.content[:400]
    assert change.done(world)
    assert AuditEvent.objects.filter(action=Action.STEP_UP, actor=user).count() == 1


@pytest.mark.parametrize("name", list(CHANGES))
def test_done_within_five_minutes_of_a_second_factor(client_for, world, name):
    change = CHANGES[name]
    change.prepare(world)
    user = world[change.persona]
    client = client_for(user)
    step_up(client, user)
    response = _post(client, change, world)
    assert response.status_code in (200, 302, 303)
    assert change.done(world)


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_second_factor_older_than_five_minutes_is_stale(client_for, world, name):
    change = CHANGES[name]
    change.prepare(world)
    user = world[change.persona]
    client = client_for(user)
    _second_factor_at(client, user, time.time() - stepup.window_seconds() - 1)
    _refused(_post(client, change, world), change, world)


def test_a_second_factor_just_inside_the_window_counts(client_for, world):
    change = CHANGES["api_token"]
    client = client_for(world["advocate"])
    _second_factor_at(client, world["advocate"], time.time() - stepup.window_seconds() + 30)
    _post(client, change, world)
    assert change.done(world)


def test_the_page_asks_for_the_code_only_when_the_factor_is_not_fresh(client_for, advocate):
    client = client_for(advocate)
    assert 'name="second_factor"' in client.get(reverse("accounts:api_tokens")).content.decode()
    step_up(client, advocate)
    assert 'name="second_factor"' not in client.get(reverse("accounts:api_tokens")).content.decode()


def test_a_code_already_used_is_refused_and_says_so(client_for, world):
    advocate = world["advocate"]
    code = totp_now(advocate.totp_secret)
    first = client_for(advocate)
    _post(first, CHANGES["api_token"], world, second_factor=code)
    assert ApiToken.objects.filter(user=advocate).count() == 1
    # Another session (a thief's, with the code read over a shoulder) replays it.
    thief = Client()
    thief.force_login(advocate, backend="haven.accounts.backends.HavenAuthenticationBackend")
    response = _post(thief, CHANGES["api_token"], world, second_factor=code)
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert ApiToken.objects.filter(user=advocate).count() == 1


def test_a_wrong_code_is_refused_audited_and_capped(client_for, world):
    advocate = world["advocate"]
    client = client_for(advocate)
    for _ in range(stepup.CODE_ATTEMPTS):
        response = _post(client, CHANGES["api_token"], world, second_factor="000000")
        assert response.status_code == 400
        assert "not right" in response.content.decode()
    # Past the cap even the right code is refused for a while.
    response = _post(
        client, CHANGES["api_token"], world, second_factor=totp_now(advocate.totp_secret)
    )
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=advocate).exists()
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED, actor=advocate).count() == (
        stepup.CODE_ATTEMPTS + 1
    )


def test_a_recovery_code_steps_up_once(client_for, world):
    advocate = world["advocate"]
    codes = RecoveryCodes.activate(advocate).get_unused_codes()
    client = client_for(advocate)
    _post(client, CHANGES["api_token"], world, second_factor=codes[0])
    assert ApiToken.objects.filter(user=advocate).count() == 1
    other = Client()
    other.force_login(advocate, backend="haven.accounts.backends.HavenAuthenticationBackend")
    response = _post(other, CHANGES["api_token"], world, second_factor=codes[0])
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=advocate).count() == 1
    assert Authenticator.objects.filter(user=advocate).exists()


def test_a_form_sent_back_for_another_mistake_keeps_the_fresh_factor(client_for, world):
    """A right code with a wrong threshold: the code is spent and the next
    five minutes start; the corrected form does not ask again."""
    admin = world["admin_user"]
    client = client_for(admin)
    response = client.post(
        reverse("reports:settings"),
        {"threshold": "0", "version": "1", "second_factor": totp_now(admin.totp_secret)},
    )
    assert response.status_code == 400
    assert 'name="second_factor"' not in response.content.decode()
    client.post(reverse("reports:settings"), {"threshold": "10", "version": "1"})
    assert ReportSettings.objects.filter(threshold=10).exists()


def test_a_message_sets_no_cookie_of_its_own(client_for, world):
    client = client_for(world["admin_user"])
    response = client.post(reverse("accounts:staff_deactivate", args=[world["advocate"].pk]))
    assert response.status_code == 302  # refused, with a message saying why
    assert "messages" not in response.cookies
    assert "needs a fresh second factor" in client.get(response["Location"]).content.decode()


def test_a_step_up_gives_the_session_a_new_key(client_for, world):
    """A cookie copied before the proof does not carry the fresh factor."""
    advocate = world["advocate"]
    client = client_for(advocate)
    before = client.session.session_key
    _post(client, CHANGES["api_token"], world, second_factor=totp_now(advocate.totp_secret))
    assert client.session.session_key != before
    stolen = Client()
    stolen.cookies["sessionid"] = before
    assert stolen.get(reverse("accounts:api_tokens")).status_code == 302  # to sign-in


def test_the_reauthentication_page_is_a_step_up_too(client_for, world):
    advocate = world["advocate"]
    client = client_for(advocate)
    before = client.session.session_key
    step_up(client, advocate)
    assert client.session.session_key != before
    assert AuditEvent.objects.filter(action=Action.STEP_UP, actor=advocate).count() == 1


def test_signing_out_everywhere_asks_for_a_second_factor_first(client_for, world):
    """Ending sessions waits for the factor, then is carried out without
    pressing the button again."""
    advocate = world["advocate"]
    client = client_for(advocate)
    other = Client()
    other.force_login(advocate, backend="haven.accounts.backends.HavenAuthenticationBackend")
    response = client.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert other.get(reverse("desk:dashboard")).status_code == 200  # nothing ended yet
    proved = client.post(response["Location"], {"code": totp_now(advocate.totp_secret)})
    assert proved.status_code == 302
    assert proved["Location"] == reverse("account_login")
    assert other.get(reverse("desk:dashboard")).status_code == 302  # ended


def test_ending_sessions_on_the_sessions_page_asks_for_a_second_factor(client_for, world):
    client = client_for(world["advocate"])
    assert client.get(reverse("usersessions_list")).status_code == 200
    response = client.post(reverse("usersessions_list"), {})
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_a_token_form_sent_twice_makes_one_token(client_for, world):
    """Reloading the page that showed a new token sends its form again: the
    second sending makes nothing, and says why."""
    advocate = world["advocate"]
    client = client_for(advocate)
    step_up(client, advocate)
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    once = page.split('name="once" value="', 1)[1].split('"', 1)[0]
    first = client.post(reverse("accounts:api_tokens"), {"days": "7", "once": once})
    assert first.status_code == 200
    again = client.post(reverse("accounts:api_tokens"), {"days": "7", "once": once}, follow=True)
    assert "sent already" in again.content.decode()
    assert ApiToken.objects.filter(user=advocate).count() == 1
