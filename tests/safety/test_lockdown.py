"""The emergency lockdown, end to end: real sign-ins through the sign-in and
second-factor pages, real API tokens, and a controlled clock for its end.

While an agency is locked down, its staff (other than its designated
lockdown administrators) are signed out at once, their tokens answer 401,
and signing in is refused before the password is even checked, with a
message that says nothing of why. Other agencies go on as before. It ends
by itself at the chosen time, or earlier when a lockdown administrator (or
two, by policy) ends it with a fresh second-factor code.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import totp_now
from haven.accounts import stepup
from haven.accounts.api_tokens import api_token_create
from haven.accounts.models import ApiToken, Membership, Role, User
from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.safety import lockdown as lockdowns
from haven.safety.models import Lockdown
from tests.factories import TEST_PASSWORD
from tests.safety.conftest import (
    database_state,
    designate,
    refused,
    refused_404,
    second_factor,
    sign_in,
    wrong_code,
)

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
REASON = "Synthetic drill: a threat against the north office"
# The words of a wrong password: the page tells a stranger nothing of the
# lockdown, nor whether the name exists or the password was right.
NEUTRAL = "The username and/or password you specified are not correct."


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def token_for(user) -> str:
    return api_token_create(user=user, lifetime=timedelta(hours=1))


def start(actor, *, days: int | None = 1, **kwargs) -> Lockdown:
    return lockdowns.lockdown_start(
        actor=actor, reason=REASON, days=days, second_factor=second_factor(actor), **kwargs
    )


def post_login(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def login_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def dashboard(client: Client):
    return client.get(reverse("desk:dashboard"))


def goes_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.fixture
def locked_admin(admin_user):
    """The agency's administrator, designated its lockdown administrator."""
    designate(admin_user, lockdown=(admin_user,))
    return admin_user


# --- While it runs: sessions ----------------------------------------------------------


def test_signed_in_staff_are_signed_out_at_once_and_the_starter_keeps_their_session(
    locked_admin, advocate, supervisor, outsider
):
    staff = sign_in(Client(), advocate)
    other = sign_in(Client(), supervisor)
    own = sign_in(Client(), locked_admin)
    elsewhere = sign_in(Client(), outsider)
    for client in (staff, other, own, elsewhere):
        assert dashboard(client).status_code == 200
    sessions = Session.objects.count()

    lockdown = start(locked_admin, keep_session=own.session.session_key)

    # The agency's sessions are gone from the store: their very next request
    # finds no session, and lands on the sign-in page.
    for client in (staff, other):
        response = dashboard(client)
        assert goes_to_login(response)
        # The browser is told to drop what it kept of the pages.
        assert response["Clear-Site-Data"] == '"cache", "storage"'
        assert not signed_in(client)
        assert goes_to_login(client.get(reverse("accounts:preferences")))
    assert Session.objects.count() == sessions - 2
    assert set(UserSession.objects.values_list("user_id", flat=True)) == {
        locked_admin.pk,
        outsider.pk,
    }
    # The administrator who started it, and another agency, go on.
    assert dashboard(own).status_code == 200
    assert dashboard(elsewhere).status_code == 200
    event = AuditEvent.objects.get(action=Action.LOCKDOWN_STARTED)
    assert event.actor_id == locked_admin.pk
    assert (event.object_type, event.object_id) == ("lockdown", str(lockdown.pk))
    assert event.detail == {"days": 1, "sessions_ended": 2, "tokens_revoked": 0}
    assert REASON not in str(event.detail)


def assert_neutral(response, *hints: str) -> None:
    """The neutral page: it says nothing of why, of a lockdown, or of whom."""
    assert response.status_code == 503
    assert response["Retry-After"] == "3600"
    page = response.content.decode()
    assert "Not available right now" in page
    for hint in (REASON, "lockdown", "Lockdown", *hints):
        assert hint not in page


def test_a_sign_in_half_done_when_it_starts_ends_on_the_neutral_page(locked_admin, intake, agency):
    client = Client()
    response = post_login(client, intake.username)
    assert response["Location"] == reverse("mfa_authenticate")

    start(locked_admin)

    # The second factor would complete the sign-in the password began: it
    # is undone at once, and the neutral page shown.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(intake.totp_secret)})
    assert_neutral(response, agency.name, intake.username)
    assert not signed_in(client)
    event = AuditEvent.objects.get(action=Action.LOCKDOWN_SESSION_ENDED)
    assert (event.actor_id, event.object_id) == (intake.pk, str(intake.pk))
    assert goes_to_login(dashboard(client))
    assert not UserSession.objects.filter(user=intake).exists()


@pytest.fixture
def missed(advocate):
    """A signed-in session that ending the agency's sessions does not know
    of (as if its record were lost): only the per-request check stands."""
    client = sign_in(Client(), advocate)
    assert dashboard(client).status_code == 200
    UserSession.objects.filter(user=advocate).delete()
    return client


def test_a_session_that_ending_missed_gets_the_neutral_page_then_the_sign_in_page(
    locked_admin, missed, advocate, agency
):
    start(locked_admin)
    assert_neutral(dashboard(missed), agency.name, advocate.username)
    assert not signed_in(missed)
    event = AuditEvent.objects.get(action=Action.LOCKDOWN_SESSION_ENDED)
    assert event.actor_id == advocate.pk
    assert goes_to_login(dashboard(missed))
    assert AuditEvent.objects.filter(action=Action.LOCKDOWN_SESSION_ENDED).count() == 1


def test_a_session_that_ending_missed_gets_a_neutral_json_503_on_the_api(locked_admin, missed):
    start(locked_admin)
    response = missed.get(ME)
    assert response.status_code == 503
    assert response.json() == {"detail": "Service unavailable."}
    assert not signed_in(missed)
    assert missed.get(ME).status_code == 401


# --- While it runs: tokens -------------------------------------------------------------------


def test_the_agencys_api_tokens_answer_401_and_another_agencys_work(
    locked_admin, supervisor, advocate, outsider
):
    theirs = token_for(supervisor)
    elsewhere = token_for(outsider)
    assert Client().get(ME, **bearer(theirs)).status_code == 200

    start(locked_admin)

    response = Client().get(ME, **bearer(theirs))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert ApiToken.objects.get(user=supervisor).revoked_at is not None
    # A token issued during the lockdown is refused too.
    fresh = token_for(advocate)
    assert Client().get(ME, **bearer(fresh)).status_code == 401
    assert Client().get(ME, **bearer(elsewhere)).status_code == 200
    assert ApiToken.objects.get(user=outsider).revoked_at is None
    detail = AuditEvent.objects.get(action=Action.LOCKDOWN_STARTED).detail
    assert detail["tokens_revoked"] == 1


# --- While it runs: signing in ---------------------------------------------------------------


@pytest.mark.parametrize("password", [TEST_PASSWORD, "a wrong password entirely"])
def test_sign_in_is_refused_before_the_password_is_checked(locked_admin, advocate, password):
    start(locked_admin)
    client = Client()
    response = post_login(client, advocate.username, password)
    assert response.status_code == 200
    assert login_errors(response) == [NEUTRAL]
    assert b"lockdown" not in response.content.lower()
    assert not signed_in(client)
    event = AuditEvent.objects.get(action=Action.LOCKDOWN_SIGN_IN_REFUSED)
    assert event.actor_id is None
    assert event.agency_id == advocate.agency_id
    assert (event.object_type, event.object_id) == ("user", str(advocate.pk))
    # The password was never looked at: no failed sign-in is counted.
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).exists()


def test_the_refusal_is_the_same_whichever_way_the_name_is_typed(locked_admin, advocate):
    start(locked_admin)
    refusals = []
    for typed in (advocate.username.upper(), f"  {advocate.username} "):
        response = post_login(Client(), typed, "whatever")
        refusals.append(login_errors(response))
    assert refusals == [[NEUTRAL], [NEUTRAL]]
    assert AuditEvent.objects.filter(action=Action.LOCKDOWN_SIGN_IN_REFUSED).count() == 2


def test_an_unknown_name_gets_the_same_answer_and_no_refusal_event(locked_admin):
    start(locked_admin)
    response = post_login(Client(), "no-such-person", "whatever")
    assert login_errors(response) == [NEUTRAL]
    assert not AuditEvent.objects.filter(action=Action.LOCKDOWN_SIGN_IN_REFUSED).exists()


def test_the_lockdown_administrator_can_still_sign_in(locked_admin, supervisor):
    start(locked_admin)
    client = sign_in(Client(), locked_admin)
    assert dashboard(client).status_code == 200
    assert lockdowns.lockdown_current(actor=locked_admin) is not None
    assert not AuditEvent.objects.filter(action=Action.LOCKDOWN_SIGN_IN_REFUSED).exists()
    assert not AuditEvent.objects.filter(action=Action.LOCKDOWN_SESSION_ENDED).exists()


def test_an_administrator_not_designated_is_kept_out_like_everyone(locked_admin, admin2):
    start(locked_admin)
    response = post_login(Client(), admin2.username)
    assert login_errors(response) == [NEUTRAL]


def test_another_agency_signs_in_and_works_as_before(locked_admin, outsider):
    start(locked_admin)
    client = sign_in(Client(), outsider)
    assert dashboard(client).status_code == 200
    assert Client().get(ME, **bearer(token_for(outsider))).status_code == 200
    assert not lockdowns.locked_out(outsider)
    assert not AuditEvent.objects.filter(action=Action.LOCKDOWN_SIGN_IN_REFUSED).exists()


# --- Its end --------------------------------------------------------------------------------


def test_the_lockdown_ends_by_itself_at_the_chosen_time(locked_admin, advocate, monkeypatch):
    old_token = token_for(advocate)
    lockdown = start(locked_admin, days=1)
    started = lockdown.started_at
    assert lockdown.ends_at == started + timedelta(days=1)

    monkeypatch.setattr(timezone, "now", lambda: started + timedelta(days=1, seconds=-1))
    assert lockdowns.locked_out(advocate)
    assert login_errors(post_login(Client(), advocate.username)) == [NEUTRAL]

    monkeypatch.setattr(timezone, "now", lambda: started + timedelta(days=1, seconds=1))
    assert not lockdowns.locked_out(advocate)
    assert lockdowns.running_lockdown(advocate.agency_id) is None
    client = sign_in(Client(), advocate)
    assert dashboard(client).status_code == 200
    # Tokens revoked by the lockdown stay revoked; new ones work.
    assert Client().get(ME, **bearer(old_token)).status_code == 401
    assert Client().get(ME, **bearer(token_for(advocate))).status_code == 200

    # The history records when it ended, once someone looks.
    assert lockdowns.lockdown_current(actor=locked_admin) is None
    closed = Lockdown.objects.get(pk=lockdown.pk)
    assert closed.ended_at == lockdown.ends_at
    assert closed.ended_by_id is None
    event = AuditEvent.objects.get(action=Action.LOCKDOWN_ENDED)
    assert (event.actor_id, event.detail) == (None, {"by": "time"})
    assert event.agency_id == advocate.agency_id
    # And a new one may start.
    assert start(locked_admin).pk != lockdown.pk


def test_a_lockdown_until_ended_outlasts_a_week(locked_admin, advocate, monkeypatch):
    lockdown = start(locked_admin, days=None)
    assert lockdown.ends_at is None
    later = lockdown.started_at + timedelta(days=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert lockdowns.locked_out(advocate)
    assert lockdowns.lockdown_current(actor=locked_admin).pk == lockdown.pk
    assert login_errors(post_login(Client(), advocate.username)) == [NEUTRAL]
    assert lockdowns.lockdown_end(
        actor=locked_admin, lockdown_id=lockdown.pk, second_factor=second_factor(locked_admin)
    )
    assert not lockdowns.locked_out(advocate)


@pytest.mark.parametrize("days", [1, 7])
def test_a_lockdown_lasts_the_days_chosen(locked_admin, advocate, monkeypatch, days):
    lockdown = start(locked_admin, days=days)
    monkeypatch.setattr(timezone, "now", lambda: lockdown.started_at + timedelta(days=days))
    assert not lockdowns.locked_out(advocate)
    monkeypatch.setattr(
        timezone, "now", lambda: lockdown.started_at + timedelta(days=days, seconds=-1)
    )
    assert lockdowns.locked_out(advocate)


def test_the_designated_administrator_ends_it_early(locked_admin, advocate):
    lockdown = start(locked_admin)
    assert lockdowns.lockdown_end(
        actor=locked_admin, lockdown_id=lockdown.pk, second_factor=second_factor(locked_admin)
    )
    ended = Lockdown.objects.get(pk=lockdown.pk)
    assert ended.ended_by_id == locked_admin.pk
    assert ended.ended_at is not None
    assert not lockdowns.locked_out(advocate)
    event = AuditEvent.objects.get(action=Action.LOCKDOWN_ENDED)
    assert event.actor_id == locked_admin.pk
    assert event.detail["by"] == "administrator"
    client = sign_in(Client(), advocate)
    assert dashboard(client).status_code == 200
    # Ending it twice is refused: it is no longer running.
    refused(
        lambda: lockdowns.lockdown_end(
            actor=locked_admin, lockdown_id=lockdown.pk, second_factor="000000"
        )
    )


def test_with_two_to_end_the_same_administrator_cannot_confirm(admin_user, admin2, advocate):
    designate(admin_user, lockdown=(admin_user, admin2), two_to_end=True)
    lockdown = start(admin_user)

    first = lockdowns.lockdown_end(
        actor=admin_user, lockdown_id=lockdown.pk, second_factor=second_factor(admin_user)
    )
    assert first is False
    row = Lockdown.objects.get(pk=lockdown.pk)
    assert row.ended_at is None
    assert row.end_requested_by_id == admin_user.pk
    assert lockdowns.locked_out(advocate)
    requested = AuditEvent.objects.get(action=Action.LOCKDOWN_END_REQUESTED)
    assert requested.actor_id == admin_user.pk

    error = refused(
        lambda: lockdowns.lockdown_end(
            actor=admin_user, lockdown_id=lockdown.pk, second_factor=second_factor(admin_user)
        )
    )
    assert "second lockdown administrator" in error.messages[0]
    assert lockdowns.locked_out(advocate)

    assert lockdowns.lockdown_end(
        actor=admin2, lockdown_id=lockdown.pk, second_factor=second_factor(admin2)
    )
    row.refresh_from_db()
    assert row.ended_by_id == admin2.pk
    assert not lockdowns.locked_out(advocate)
    ended = AuditEvent.objects.get(action=Action.LOCKDOWN_ENDED)
    assert ended.actor_id == admin2.pk
    assert ended.detail == {"by": "administrator", "confirmed_by": admin_user.pk}


def test_with_two_to_end_a_start_needs_two_administrators_still_there(admin_user, admin2):
    designate(admin_user, lockdown=(admin_user, admin2), two_to_end=True)
    Membership.objects.filter(user=admin2).delete()
    refused(lambda: start(admin_user), "__all__")
    assert not Lockdown.objects.exists()


# --- Who may ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["advocate", "supervisor", "intake", "auditor", "admin2", "outsider"]
)
def test_only_a_designated_administrator_starts_ends_or_sees_a_lockdown(locked_admin, request, who):
    user = request.getfixturevalue(who)
    refused_404(
        lambda: lockdowns.lockdown_start(
            actor=user, reason=REASON, days=1, second_factor=totp_now(user.totp_secret)
        )
    )
    lockdown = start(locked_admin)
    refused_404(lambda: lockdowns.lockdown_current(actor=user))
    refused_404(
        lambda: lockdowns.lockdown_end(
            actor=user, lockdown_id=lockdown.pk, second_factor=totp_now(user.totp_secret)
        )
    )
    assert lockdowns.running_lockdown(locked_admin.agency_id).pk == lockdown.pk


def test_a_designated_administrator_who_lost_the_role_is_refused(locked_admin):
    Membership.objects.filter(user=locked_admin).update(role=Role.SUPERVISOR)
    demoted = User.objects.get(pk=locked_admin.pk)
    demoted.totp_secret = locked_admin.totp_secret
    refused_404(lambda: start(demoted))


def test_another_agencys_lockdown_administrator_cannot_end_ours(locked_admin, outsider):
    designate(outsider, lockdown=(outsider,))
    ours = start(locked_admin)
    refused(
        lambda: lockdowns.lockdown_end(
            actor=outsider, lockdown_id=ours.pk, second_factor=second_factor(outsider)
        )
    )
    assert lockdowns.running_lockdown(locked_admin.agency_id).pk == ours.pk
    # Nor does ours touch theirs.
    assert lockdowns.running_lockdown(outsider.agency_id) is None


# --- Refused starts -------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 8, -1, 365])
def test_a_duration_outside_one_to_seven_days_is_refused(locked_admin, days):
    code = second_factor(locked_admin)
    refused(
        lambda: lockdowns.lockdown_start(
            actor=locked_admin, reason=REASON, days=days, second_factor=code
        ),
        "days",
    )
    assert not Lockdown.objects.exists()
    # A refused start does not spend the code.
    lockdowns.lockdown_start(actor=locked_admin, reason=REASON, days=1, second_factor=code)


@pytest.mark.parametrize("reason", ["", "   \n ", "x" * 1001, "Drill\u202eevil", "Drill\x00"])
def test_a_lockdown_needs_a_reason_in_plain_text(locked_admin, reason):
    refused(
        lambda: lockdowns.lockdown_start(
            actor=locked_admin, reason=reason, days=1, second_factor=second_factor(locked_admin)
        ),
        "reason",
    )


def test_a_second_start_while_one_runs_is_refused(locked_admin, advocate):
    first = start(locked_admin)
    error = refused(lambda: start(locked_admin))
    assert "already running" in error.messages[0]
    assert list(Lockdown.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_wrong_code_is_refused_and_changes_nothing_but_the_trail(
    locked_admin, advocate, supervisor
):
    client = sign_in(Client(), advocate)
    token = token_for(supervisor)
    before = database_state()
    with pytest.raises(ValidationError) as caught:
        lockdowns.lockdown_start(
            actor=locked_admin, reason=REASON, days=1, second_factor=wrong_code(locked_admin)
        )
    assert set(caught.value.message_dict) == {"second_factor"}
    after = database_state()
    events = after.pop("audit.AuditEvent")
    assert after == {k: v for k, v in before.items() if k != "audit.AuditEvent"}
    added = AuditEvent.objects.filter(pk__gt=max(e[0] for e in before["audit.AuditEvent"]))
    assert [e.action for e in added] == [Action.MFA_FAILED]
    assert len(events) == len(before["audit.AuditEvent"]) + 1
    assert dashboard(client).status_code == 200
    assert Client().get(ME, **bearer(token)).status_code == 200


def test_a_code_opens_once(locked_admin):
    code = second_factor(locked_admin)
    lockdown = lockdowns.lockdown_start(
        actor=locked_admin, reason=REASON, days=1, second_factor=code
    )
    with pytest.raises(ValidationError) as caught:
        lockdowns.lockdown_end(actor=locked_admin, lockdown_id=lockdown.pk, second_factor=code)
    assert set(caught.value.message_dict) == {"second_factor"}
    assert lockdowns.running_lockdown(locked_admin.agency_id).pk == lockdown.pk


def test_a_recovery_code_is_a_second_factor_too_and_opens_once(locked_admin):
    codes = RecoveryCodes.activate(locked_admin).get_unused_codes()
    lockdown = lockdowns.lockdown_start(
        actor=locked_admin, reason=REASON, days=1, second_factor=codes[0]
    )
    with pytest.raises(ValidationError):
        lockdowns.lockdown_end(actor=locked_admin, lockdown_id=lockdown.pk, second_factor=codes[0])
    assert lockdowns.lockdown_end(
        actor=locked_admin, lockdown_id=lockdown.pk, second_factor=f" {codes[1]} "
    )


def test_wrong_codes_are_capped_then_even_a_right_one_is_refused(locked_admin, admin2):
    for _ in range(stepup.CODE_ATTEMPTS):
        with pytest.raises(ValidationError):
            lockdowns.lockdown_start(
                actor=locked_admin, reason=REASON, days=1, second_factor=wrong_code(locked_admin)
            )
    with pytest.raises(ValidationError) as caught:
        start(locked_admin)
    assert set(caught.value.message_dict) == {"second_factor"}
    assert not Lockdown.objects.exists()
    # Every attempt is audited, the ones refused by the cap too.
    assert (
        AuditEvent.objects.filter(action=Action.MFA_FAILED, actor=locked_admin).count()
        == stepup.CODE_ATTEMPTS + 1
    )
    # The cap is the administrator's own: another one starts it.
    designate(locked_admin, lockdown=(locked_admin, admin2))
    assert start(admin2).started_by_id == admin2.pk


def test_the_settings_keep_a_lockdown_administrator_while_one_runs(locked_admin):
    start(locked_admin)
    refused(
        lambda: designate(locked_admin, lockdown=()),
        "lockdown",
    )
    assert lockdowns.is_lockdown_admin(locked_admin)


def test_a_lockdown_administrator_added_during_a_lockdown_may_sign_in(locked_admin, admin2):
    start(locked_admin)
    assert lockdowns.locked_out(admin2)
    designate(locked_admin, lockdown=(locked_admin, admin2))
    assert not lockdowns.locked_out(admin2)
    assert dashboard(sign_in(Client(), admin2)).status_code == 200


def test_an_http404_is_what_a_stranger_gets_not_a_hint(advocate):
    with pytest.raises(NotFound):
        lockdowns.lockdown_current(actor=advocate)
