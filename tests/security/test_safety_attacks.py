"""Attacks on staff safety (docs/adr/0016-staff-safety.md): threats, persons
of concern, the front desk's screening and its alerts, checklists and the
emergency lockdown, over the pages and the JSON API.

Each test asserts the safe behaviour. The ones marked ``xfail(strict=True)``
show a weakness found in review and not fixed yet: they start passing (and
then fail as XPASS) once it is fixed, and the mark comes off.

Personas: another agency's staff member (``outsider``, also its admin and
auditor), the front desk (intake) probing the screening, an advocate at whom
a threat is not aimed, a departed (deactivated) employee, an administrator
who is not a designated lockdown administrator, someone trying to get past a
lockdown (an old session, a token issued since, htmx polls, an invitation
link, a replayed code), and a trafficker at the desk who gives a name
spelled to dodge the screening or watches the screen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import totp_now
from haven.accounts import services as accounts
from haven.accounts import stepup
from haven.accounts.api_tokens import api_token_create
from haven.accounts.middleware import SEEN
from haven.accounts.models import Role
from haven.attachments.models import Attachment, Use
from haven.audit.models import Action, AuditEvent
from haven.core import limits
from haven.core.errors import NotFound
from haven.safety import lockdown as lockdowns
from haven.safety import services
from haven.safety.models import (
    CheckInAlert,
    Lockdown,
    PersonOfConcern,
    Threat,
    Visit,
    VisitorAlert,
)
from haven.safety.screening import screen
from haven.safety.views import PROCEDURE
from tests import files
from tests.factories import TEST_PASSWORD, make_staff
from tests.safety.conftest import database_state, designate, second_factor, wrong_code

pytestmark = pytest.mark.django_db

API = "/api/v1"
CONCERN = "Viktor Petrenko"
DESCRIPTION = "Synthetic: drives a grey van, waits near the north door"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW_XSS = ("<script>alert(", "<img src=x onerror")
ESCAPED = "&lt;script&gt;alert("
MARK = "Zqxjvmark"  # in every free text of the audit test: never in an event or a log line
WRONG_PASSWORD = "not the password at all 9"


# --- Fixtures and helpers --------------------------------------------------------------


@pytest.fixture
def web(client):
    """The test client, answering 500 instead of raising, so a crash is a
    status code the test can name."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def as_user(web, settings):
    def sign_in(user):
        web.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        return web

    return sign_in


def fresh_client(user, settings) -> Client:
    """A client of its own, signed in as ``user`` (password and MFA done)."""
    client = Client(raise_request_exception=False)
    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
    return client


@pytest.fixture
def second_admin(agency):
    return make_staff(agency=agency, role=Role.ADMIN, username="t-admin-two")


@pytest.fixture
def bystander(agency, team):
    """An advocate of the same team at whom nothing is aimed."""
    return make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-bystander")


@pytest.fixture
def locked_admin(admin_user):
    designate(admin_user, lockdown=(admin_user,))
    return admin_user


def start(actor, **kwargs) -> Lockdown:
    return lockdowns.lockdown_start(
        actor=actor,
        reason=kwargs.pop("reason", "Synthetic drill"),
        days=kwargs.pop("days", 1),
        second_factor=second_factor(actor),
        **kwargs,
    )


def bearer(user) -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, lifetime=timedelta(hours=1))}"
    }


def post_json(client, url, data, method="post", **extra):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json", **extra)


def post_login(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def login_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


def concern(actor, name=CONCERN, **values) -> PersonOfConcern:
    values.setdefault("description", DESCRIPTION)
    return services.concern_save(actor=actor, values=services.ConcernValues(name=name, **values))


def threat(actor, **values) -> Threat:
    values.setdefault("against_agency", True)
    return services.threat_record(
        actor=actor,
        values=services.ThreatValues(
            occurred_at=values.pop("occurred_at", timezone.now() - timedelta(hours=2)),
            channel=values.pop("channel", "phone"),
            what_happened=values.pop("what_happened", "Synthetic: a call to the front desk"),
            **values,
        ),
    )


def check_in(desk, name, **values) -> Visit:
    return services.visit_check_in(
        actor=desk, values=services.VisitValues(name_given=name, **values)
    )


def assert_escaped(html: str) -> None:
    for raw in RAW_XSS:
        assert raw not in html, raw


# --- Lockdown: sign-in must not be an oracle -------------------------------------------


def test_a_stranger_cannot_tell_a_locked_out_name_from_an_unknown_one(locked_admin, advocate):
    start(locked_admin)
    known = post_login(Client(), advocate.username, WRONG_PASSWORD)
    unknown = post_login(Client(), "t-nobody-by-this-name", WRONG_PASSWORD)
    assert known.status_code == unknown.status_code
    assert login_errors(known) == login_errors(unknown)


def test_an_unknown_name_is_answered_as_usual_during_a_lockdown(locked_admin):
    start(locked_admin)
    before = post_login(Client(), "t-nobody-by-this-name", WRONG_PASSWORD)
    assert "not possible right now" not in " ".join(login_errors(before))
    assert not AuditEvent.objects.filter(action=Action.LOCKDOWN_SIGN_IN_REFUSED).exists()


# --- Lockdown: the two-administrator rule ----------------------------------------------


def test_one_administrator_cannot_end_a_two_person_lockdown_by_changing_the_policy(
    admin_user, second_admin
):
    designate(admin_user, lockdown=(admin_user, second_admin), two_to_end=True)
    running = start(admin_user, days=None)
    # Refusing the change is one way to fix it.
    with contextlib.suppress(ValidationError):
        services.safety_settings_save(
            actor=admin_user,
            alert_user_ids=[],
            lockdown_user_ids=[admin_user.pk],
            two_to_end_lockdown=False,
        )
    ended = lockdowns.lockdown_end(
        actor=admin_user, lockdown_id=running.pk, second_factor=second_factor(admin_user)
    )
    assert ended is False, "a single administrator ended a two-person lockdown"
    assert lockdowns.running_lockdown(admin_user.agency_id) is not None


def test_the_same_administrator_cannot_be_both_of_the_two(admin_user, second_admin):
    designate(admin_user, lockdown=(admin_user, second_admin), two_to_end=True)
    running = start(admin_user)
    assert (
        lockdowns.lockdown_end(
            actor=admin_user, lockdown_id=running.pk, second_factor=second_factor(admin_user)
        )
        is False
    )
    with pytest.raises(ValidationError):
        lockdowns.lockdown_end(
            actor=admin_user, lockdown_id=running.pk, second_factor=second_factor(admin_user)
        )
    assert lockdowns.running_lockdown(admin_user.agency_id) is not None


# --- Lockdown: ways around it ----------------------------------------------------------


@pytest.mark.parametrize("record_kept", [True, False], ids=["session-ended", "session-missed"])
def test_an_open_page_polling_during_a_lockdown_is_told_to_leave(
    locked_admin, supervisor, settings, record_kept
):
    desk = fresh_client(supervisor, settings)
    assert desk.get(reverse("desk:dashboard")).status_code == 200
    if not record_kept:
        UserSession.objects.filter(user=supervisor).delete()
    start(locked_admin)
    response = desk.get(reverse("safety:alerts_live"), HTTP_HX_REQUEST="true")
    assert "_auth_user_id" not in desk.session
    assert "HX-Refresh" in response or "HX-Redirect" in response


def test_an_invitation_accepted_during_a_lockdown_does_not_sign_in(locked_admin, agency, team):
    _user, token = accounts.invitation_create(
        actor=locked_admin,
        agency=agency,
        username="t-newcomer",
        email="newcomer@example.org",
        display_name="Synthetic Newcomer",
        grants=[accounts.RoleGrant(role=Role.ADVOCATE, team=team)],
    )
    start(locked_admin)
    client = Client(raise_request_exception=False)
    client.get(reverse("accounts:invitation_accept", args=[token]))
    client.post(
        reverse("accounts:invitation_form"),
        {"password1": "river stones and maple 9", "password2": "river stones and maple 9"},
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("get", "/me/preferences/", {}),
        ("get", "/safety/alerts/live/", {"HTTP_HX_REQUEST": "true"}),
        ("post", "/accounts/reauthenticate/", {}),
        ("get", f"{API}/threats", {}),
    ],
)
def test_a_session_kept_from_before_is_refused_on_every_path(
    locked_admin, advocate, settings, method, path, extra
):
    """A session the lockdown's ending missed (its record lost): the
    per-request check refuses it on pages, the API, htmx polls and the
    re-authentication page alike, and signs it out."""
    client = fresh_client(advocate, settings)
    assert client.get(reverse("desk:dashboard")).status_code == 200
    UserSession.objects.filter(user=advocate).delete()
    start(locked_admin)
    data = {"password": TEST_PASSWORD} if method == "post" else None
    response = getattr(client, method)(path, data, **extra)
    if extra:
        # An htmx poll is told to take the whole page to the sign-in page.
        assert response.status_code == 204
        assert response["HX-Redirect"] == reverse("account_login")
    else:
        assert response.status_code == 503
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKDOWN_SESSION_ENDED, actor=advocate).exists()


def test_a_token_issued_after_the_start_is_refused_and_the_administrators_works(
    locked_admin, advocate, web
):
    start(locked_admin)
    staff = bearer(advocate)
    admin = bearer(locked_admin)
    for path in ("/threats", "/persons-of-concern", "/safety-checklist", "/me"):
        assert web.get(f"{API}{path}", **staff).status_code == 401, path
    assert web.get(f"{API}/threats", **admin).status_code == 200


def test_there_is_no_way_to_start_or_end_a_lockdown_over_the_api(locked_admin, web):
    admin = bearer(locked_admin)
    for path in ("/lockdown", "/lockdowns", "/safety/lockdown", "/safety-lockdown"):
        assert web.get(f"{API}{path}", **admin).status_code in (404, 405), path
        for method in ("post", "put", "delete"):
            response = post_json(web, f"{API}{path}", {"reason": "x", "days": 1}, method, **admin)
            assert response.status_code in (404, 405), (path, method)
    schema = json.dumps(web.get(f"{API}/openapi.json", **admin).json()["paths"])
    assert "lockdown" not in schema.lower()
    assert not Lockdown.objects.exists()


def test_an_administrator_not_designated_cannot_reach_the_lockdown(
    admin_user, second_admin, as_user
):
    designate(admin_user, lockdown=(admin_user,))
    client = as_user(second_admin)
    assert client.get(reverse("desk:dashboard")).status_code == 200
    before = database_state()
    assert client.get(reverse("safety:lockdown")).status_code == 404
    response = client.post(
        reverse("safety:lockdown"),
        {
            "action": "start",
            "reason": "Synthetic",
            "duration": "1",
            "second_factor": second_factor(second_admin),
        },
    )
    assert response.status_code == 404
    assert database_state() == before


def test_another_agencys_lockdown_administrator_cannot_see_or_end_ours(
    locked_admin, outsider, other_agency
):
    running = start(locked_admin)
    designate(outsider, lockdown=(outsider,))
    assert lockdowns.lockdown_current(actor=outsider) is None
    with pytest.raises(ValidationError):
        lockdowns.lockdown_end(
            actor=outsider, lockdown_id=running.pk, second_factor=second_factor(outsider)
        )
    assert lockdowns.running_lockdown(locked_admin.agency_id) is not None
    assert not lockdowns.locked_out(outsider)


def test_a_departed_lockdown_administrator_is_no_longer_one(admin_user, second_admin, settings):
    designate(admin_user, lockdown=(admin_user, second_admin))
    session = fresh_client(second_admin, settings)
    token = bearer(second_admin)
    accounts.staff_deactivate(actor=admin_user, member=second_admin)
    second_admin.refresh_from_db()
    assert not lockdowns.is_lockdown_admin(second_admin)
    assert second_admin not in lockdowns.lockdown_admins(admin_user.agency_id)
    with pytest.raises(NotFound):
        lockdowns.lockdown_start(
            actor=second_admin, reason="x", days=1, second_factor=second_factor(second_admin)
        )
    response = session.get(reverse("safety:lockdown"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert session.get(f"{API}/threats", **token).status_code == 401


# --- Lockdown: second-factor codes -----------------------------------------------------


def test_the_code_typed_at_sign_in_cannot_start_a_lockdown(locked_admin, settings):
    client = Client()
    response = post_login(client, locked_admin.username)
    assert response.status_code == 302
    code = totp_now(locked_admin.totp_secret)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    with pytest.raises(ValidationError) as caught:
        lockdowns.lockdown_start(actor=locked_admin, reason="x", days=1, second_factor=code)
    assert set(caught.value.message_dict) == {"second_factor"}
    assert not Lockdown.objects.exists()


def test_the_code_that_started_a_lockdown_cannot_end_it(locked_admin):
    code = second_factor(locked_admin)
    running = lockdowns.lockdown_start(
        actor=locked_admin, reason="x", days=None, second_factor=code
    )
    with pytest.raises(ValidationError) as caught:
        lockdowns.lockdown_end(actor=locked_admin, lockdown_id=running.pk, second_factor=code)
    assert set(caught.value.message_dict) == {"second_factor"}
    assert lockdowns.running_lockdown(locked_admin.agency_id) is not None


def test_wrong_codes_on_start_and_end_share_one_cap(locked_admin):
    half = stepup.CODE_ATTEMPTS // 2
    for _ in range(half):
        with pytest.raises(ValidationError):
            lockdowns.lockdown_start(
                actor=locked_admin, reason="x", days=None, second_factor=wrong_code(locked_admin)
            )
    running = start(locked_admin, days=None)
    for _ in range(stepup.CODE_ATTEMPTS - half):
        with pytest.raises(ValidationError):
            lockdowns.lockdown_end(
                actor=locked_admin,
                lockdown_id=running.pk,
                second_factor=wrong_code(locked_admin),
            )
    # Past the cap, even the right code is refused: no guessing ten more on the other form.
    with pytest.raises(ValidationError):
        lockdowns.lockdown_end(
            actor=locked_admin, lockdown_id=running.pk, second_factor=second_factor(locked_admin)
        )
    assert lockdowns.running_lockdown(locked_admin.agency_id) is not None
    assert (
        AuditEvent.objects.filter(action=Action.MFA_FAILED, actor=locked_admin).count()
        >= stepup.CODE_ATTEMPTS
    )


@pytest.mark.parametrize(
    "code", ["", " ", "0" * 65, "1" * 5000, "\uff11\uff12\uff13\uff14\uff15\uff16", "12345\x00"]
)
def test_a_malformed_code_is_a_wrong_code_not_an_error(locked_admin, code):
    with pytest.raises(ValidationError) as caught:
        lockdowns.lockdown_start(actor=locked_admin, reason="x", days=1, second_factor=code)
    assert set(caught.value.message_dict) == {"second_factor"}


def test_two_starts_at_once_make_one_lockdown(locked_admin, second_admin, monkeypatch):
    """The second start does not see the first (as in a race): the database's
    one-running-lockdown constraint refuses it, as a refusal, not a crash."""
    designate(locked_admin, lockdown=(locked_admin, second_admin))
    start(locked_admin)
    monkeypatch.setattr(lockdowns, "running_lockdown", lambda agency_id: None)
    with pytest.raises(ValidationError):
        start(second_admin)
    assert Lockdown.objects.filter(ended_at__isnull=True).count() == 1


# --- The front desk: what screening tells it -------------------------------------------


def test_the_desk_is_told_the_same_words_for_an_exact_and_a_close_match(intake, advocate, as_user):
    concern(advocate)
    desk = as_user(intake)
    seen = []
    for given in (CONCERN, "Victor Petrenco", "Somebody Else Entirely"):
        response = desk.post(reverse("safety:visitors"), {"name_given": given}, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        assert DESCRIPTION not in page
        for hint in ("exact", "close", "person of concern", "matched", str(advocate)):
            assert hint not in page.lower().replace("persons of concern", ""), hint
        seen.append([str(m) for m in response.context["messages"]])
    assert seen[0] == seen[1] == [str(PROCEDURE)]
    assert seen[2] != seen[0]
    # Over the API too: the same answer for an exact and a close match.
    token = bearer(intake)
    answers = [
        post_json(desk, f"{API}/visits", {"name_given": given}, **token).json()
        for given in (CONCERN, "Victor Petrenco")
    ]
    assert [{k: a[k] for k in ("flagged", "instruction")} for a in answers] == [
        {"flagged": True, "instruction": answers[0]["instruction"]}
    ] * 2
    assert set(answers[0]) == {"id", "checked_in_at", "flagged", "instruction"}


def test_the_desk_never_reaches_the_alerts_or_the_persons_of_concern(
    intake, advocate, supervisor, as_user, web
):
    found = concern(advocate, photos=[files.accepted(files.png(), "face.png")])
    check_in(intake, CONCERN)
    alert = VisitorAlert.objects.get()
    photo = found.photos.get()
    desk = as_user(intake)
    # The banner says nothing to the desk: no count, whatever it is asked.
    for shown in ("-1", "0", "1", "abc"):
        response = desk.get(reverse("safety:alerts_live"), {"shown": shown})
        assert b"alert-banner" not in response.content
    for url in (
        reverse("safety:alerts"),
        reverse("safety:concerns"),
        reverse("safety:concern", args=[found.pk]),
        reverse("attachments:download", args=[photo.pk]),
    ):
        assert desk.get(url).status_code == 404, url
    assert desk.post(reverse("safety:alert_acknowledge", args=[alert.pk])).status_code == 404
    token = bearer(intake)
    for url in (
        f"{API}/visitor-alerts",
        f"{API}/persons-of-concern",
        f"{API}/persons-of-concern/{found.pk}",
        f"{API}/attachments/{photo.pk}",
    ):
        assert web.get(url, **token).status_code == 404, url
    assert web.post(f"{API}/visitor-alerts/{alert.pk}/acknowledge", **token).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    # A threat the desk records cannot name a person of concern either.
    with pytest.raises(ValidationError) as caught:
        threat(intake, concern_ids=[found.pk])
    assert "concerns" in caught.value.message_dict


def test_the_desk_cannot_check_a_list_of_names_in_to_learn_who_is_on_it(
    intake, advocate, supervisor, as_user
):
    """A desk account checks in one guessed name after another, over the
    pages and the API, at the installation's own limit: past it nothing
    more is screened, so the flag stops answering, and the staff who
    receive alerts are told once."""
    concern(advocate)
    limit = settings.HAVEN_CHECKINS_PER_HOUR
    desk = as_user(intake)
    token = bearer(intake)
    guesses = [f"Synthetic Guess {n}" for n in range(limit)] + [CONCERN, "Victor Petrenco"]
    answers = []
    for n, given in enumerate(guesses):
        if n % 2:
            answer = post_json(desk, f"{API}/visits", {"name_given": given}, **token)
            answers.append((answer.status_code, answer.json().get("flagged")))
        else:
            page = desk.post(reverse("safety:visitors"), {"name_given": given})
            answers.append((page.status_code, None))
    assert answers[:limit] == [(303, None), (201, False)] * (limit // 2)
    # The two names that would match are never screened: the same refusal as any other.
    assert answers[limit:] == [(400, None), (422, None)]
    assert Visit.objects.count() == limit
    assert not VisitorAlert.objects.exists()
    assert CheckInAlert.objects.filter(desk_user=intake).count() == 1
    assert AuditEvent.objects.filter(action=Action.VISITOR_CHECK_IN_REFUSED).count() == 2
    # The staff see who reached the limit, never the names the desk tried.
    html = as_user(supervisor).get(reverse("safety:alerts")).content.decode()
    assert f"{intake} reached the hourly limit of check-ins" in html
    assert CONCERN not in html


# --- Screening: spellings that try to dodge it -----------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "Vik\u200ctor Petrenko",  # zero-width non-joiner (allowed in names)
        "Vik\u200dtor Petrenko",  # zero-width joiner
        "Viktor Petr\u200eenko",  # left-to-right mark
        "\uff36\uff49\uff4b\uff54\uff4f\uff52 \uff30\uff45\uff54\uff52\uff45\uff4e\uff4b\uff4f",
        "V\u0456ktor P\u0435trenko",  # Cyrillic look-alike letters
        "\u0412\u0418\u041a\u0422\u041e\u0420 \u041f\u0415\u0422\u0420\u0415\u041d\u041a\u041e",
        "Viktor\u00a0Petrenko",  # no-break space
        "Viktor\u3000Petrenko",  # ideographic space
        "V\u0336iktor Petrenko",  # combining overlay
        "VIKTOR PETRENKO!",
        "Petrenko, Viktor",
        "Petrenko,Viktor",
        "Viktor Petrenk0",
        "V1ktor Petrenko",
        "Viktor-Petrenko",
        "Viktor.Petrenko",
    ],
)
def test_look_alike_spellings_are_still_flagged(advocate, agency, given):
    concern(advocate)
    assert screen(agency.pk, name=given), given


@pytest.mark.parametrize(
    "hidden", ["\u200b", "\u202e", "\u2066", "\u00ad", "\ufeff", "\u2060", "\u180e"]
)
def test_invisible_characters_are_refused_at_the_desk_not_screened_past(intake, advocate, hidden):
    concern(advocate)
    with pytest.raises(ValidationError) as caught:
        check_in(intake, f"Vik{hidden}tor Petrenko")
    assert "name_given" in caught.value.message_dict
    assert not Visit.objects.exists()


def test_punctuation_between_the_words_does_not_dodge_the_screening(advocate, agency):
    concern(advocate)
    dodged = [
        given
        for given in (
            "Viktor_Petrenko",
            "Petrenko/Viktor",
            "Petrenko;Viktor",
            "Viktor:Petrenko",
            "Viktor&Petrenko",
            "Viktor(Petrenko)",
            "Viktor\u00b7Petrenko",
            "Viktor\u2010Petrenko",
        )
        if not screen(agency.pk, name=given)
    ]
    assert dodged == []


def test_a_look_alike_letter_from_another_layout_does_not_dodge_the_screening(advocate, agency):
    concern(advocate)
    dodged = [
        given
        for given in ("Viktor \u0420etrenko", "Viktor \u03a1etrenko", "\u0420ETRENKO VIKTOR")
        if not screen(agency.pk, name=given)
    ]
    assert dodged == []


def test_a_plate_is_flagged_whatever_its_separators_and_width(advocate, agency):
    concern(advocate, plates="KX-4821\nZZ 9 ABC")
    for plate in ("kx4821", "K X 4 8 2 1", "\uff2b\uff38\uff14\uff18\uff12\uff11", "zz-9-abc"):
        assert screen(agency.pk, name="Somebody Unrelated", plate=plate), plate
    assert not screen(agency.pk, name="Somebody Unrelated", plate="KX482")


# --- Huge and malformed input ----------------------------------------------------------


def test_a_long_alias_list_costs_a_bounded_number_of_queries(
    advocate, django_assert_max_num_queries
):
    aliases = "\n".join(f"Al{i} Bo{i}" for i in range(300))[: limits.NOTE]
    plates = "\n".join(f"P{i}" for i in range(600))[: limits.NOTE]
    # Refusing that many lines is one way to fix it.
    with django_assert_max_num_queries(150), contextlib.suppress(ValidationError):
        concern(advocate, aliases=aliases, plates=plates)


def test_a_request_body_over_the_limit_is_a_400_not_a_crash(intake, advocate, as_user, web):
    big = "x" * (3 * 1024 * 1024)
    client = as_user(advocate)
    for url, data in (
        (reverse("safety:concern_new"), {"name": "A", "description": big}),
        (reverse("safety:threat_new"), {"what_happened": big}),
        (reverse("safety:checklist"), {"notes": big}),
    ):
        assert client.post(url, data).status_code == 400, url
    token = bearer(intake)
    response = post_json(web, f"{API}/visits", {"name_given": big}, **token)
    assert response.status_code == 400
    assert not Visit.objects.exists()
    assert not PersonOfConcern.objects.exists()


def test_texts_over_their_limits_are_refused_on_the_page_and_the_api(
    intake, advocate, as_user, web
):
    client = as_user(advocate)
    response = client.post(
        reverse("safety:concern_new"),
        {"name": "A" * (limits.LINE + 1), "aliases": "B\n" * limits.NOTE},
    )
    assert response.status_code == 400
    token = bearer(advocate)
    for body in (
        {"name": "A", "aliases": ["x"] * 51},
        {"name": "A", "plates": ["x"] * 51},
        {"name": "A", "aliases": ["y" * 200] * 50},
        {"name": "A", "description": "z" * (limits.LONG + 1)},
    ):
        assert post_json(web, f"{API}/persons-of-concern", body, **token).status_code == 422
    assert not PersonOfConcern.objects.exists()
    desk = bearer(intake)
    for field in ("name_given", "asking_for", "plate"):
        body = {"name_given": "A", field: "n" * (limits.LINE + 1)}
        assert post_json(web, f"{API}/visits", body, **desk).status_code == 422, field
    assert not Visit.objects.exists()


PAGE_NUMBERS = ["abc", "-1", "0", "1e9", "9" * 30, "", "\uff11", "\u0661", "1.5", "%00"]


def test_odd_page_numbers_never_crash_a_list(supervisor, intake, as_user, web):
    client = as_user(supervisor)
    for name in ("safety:threats", "safety:concerns", "safety:visitors"):
        for number in PAGE_NUMBERS:
            response = client.get(reverse(name), {"page": number})
            assert response.status_code in (200, 400), (name, number)
    token = bearer(supervisor)
    for path in ("/threats", "/persons-of-concern", "/visits"):
        for number in PAGE_NUMBERS:
            response = web.get(f"{API}{path}", {"page": number}, **token)
            assert response.status_code in (200, 400, 422), (path, number)


@pytest.mark.parametrize(
    "value",
    ["not-a-uuid", "00000000-0000-0000-0000-00000000000g", "1" * 300, "%00", "..%2F..", "0"],
)
def test_malformed_ids_in_api_paths_are_a_404(supervisor, admin_user, web, value):
    token = bearer(supervisor)
    for path in (
        f"/threats/{value}",
        f"/persons-of-concern/{value}",
        f"/staff/{value}/safety-checklist",
    ):
        assert web.get(f"{API}{path}", **token).status_code == 404, path
    for path in (
        f"/visits/{value}/check-out",
        f"/visitor-alerts/{value}/acknowledge",
        f"/threats/{value}/follow-up",
    ):
        response = post_json(web, f"{API}{path}", {"reported_to_police": True}, **token)
        assert response.status_code in (404, 422), path


def test_odd_values_on_the_pages_never_crash(admin_user, advocate, as_user):
    client = as_user(admin_user)
    for user_id in ("99999999999999999999999", "9223372036854775808", "0"):
        assert client.get(f"/safety/checklists/{user_id}/").status_code == 404
    for shown in ("9" * 5000, "-99999999999999999999", "nan", "\u0661"):
        assert client.get(reverse("safety:alerts_live"), {"shown": shown}).status_code == 200
    for case in ("zzz", "00000000-0000-0000-0000-000000000000", "%00"):
        assert client.get(reverse("safety:threat_new"), {"case": case}).status_code == 200
    base = {"channel": "phone", "what_happened": "Synthetic", "against_agency": "on"}
    for when in ("0001-01-01T00:00", "9999-12-31T23:59", "10000-01-01T00:00", "2025-03-09T02:30"):
        response = client.post(reverse("safety:threat_new"), {**base, "occurred_at": when})
        assert response.status_code == 400, when
    token = bearer(advocate)
    for when in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        body = {"occurred_at": when, "channel": "phone", "what_happened": "x"}
        body["against_agency"] = True
        assert post_json(client, f"{API}/threats", body, **token).status_code == 422, when
    assert not Threat.objects.exists()


# --- Another agency's ids --------------------------------------------------------------


@pytest.fixture
def foreign(outsider):
    """Everything staff safety keeps, in another agency."""
    found = concern(outsider, photos=[files.accepted(files.png(), "face.png")])
    made = threat(outsider, evidence=[files.accepted()])
    visit = check_in(outsider, CONCERN)
    services.checklist_save(
        actor=outsider, values=services.ChecklistValues(notes="Synthetic elsewhere note")
    )
    return {
        "concern": found,
        "threat": made,
        "visit": visit,
        "alert": VisitorAlert.objects.get(visit=visit),
        "photo": found.photos.get(),
        "evidence": made.evidence.get(),
        "owner": outsider,
    }


@pytest.mark.parametrize("persona", ["supervisor", "admin_user", "advocate", "intake"])
def test_another_agencys_safety_records_are_404_everywhere(request, as_user, web, foreign, persona):
    user = request.getfixturevalue(persona)
    client = as_user(user)
    token = bearer(user)
    # Signing in and a token's first use write their own rows: not part of the attack.
    assert client.get(reverse("desk:dashboard")).status_code == 200
    assert web.get(f"{API}/me", **token).status_code == 200
    before = database_state()
    f = foreign
    for url in (
        reverse("safety:threat", args=[f["threat"].pk]),
        reverse("safety:concern", args=[f["concern"].pk]),
        reverse("safety:concern_edit", args=[f["concern"].pk]),
        reverse("safety:staff_checklist", args=[f["owner"].pk]),
        reverse("attachments:download", args=[f["photo"].pk]),
        reverse("attachments:download", args=[f["evidence"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("safety:threat", args=[f["threat"].pk]), {"reported_to_police": "on"}),
        (reverse("safety:concern_edit", args=[f["concern"].pk]), {"name": "Taken over"}),
        (reverse("safety:concern_remove", args=[f["concern"].pk]), {}),
        (reverse("safety:visit_out", args=[f["visit"].pk]), {}),
        (reverse("safety:alert_acknowledge", args=[f["alert"].pk]), {}),
    ):
        assert client.post(url, data).status_code == 404, url
    for url in (
        f"{API}/threats/{f['threat'].pk}",
        f"{API}/persons-of-concern/{f['concern'].pk}",
        f"{API}/staff/{f['owner'].pk}/safety-checklist",
        f"{API}/attachments/{f['photo'].pk}",
        f"{API}/attachments/{f['evidence'].pk}",
    ):
        assert web.get(url, **token).status_code == 404, url
    writes = (
        ("post", f"/threats/{f['threat'].pk}/follow-up", {"reported_to_police": True}),
        ("put", f"/persons-of-concern/{f['concern'].pk}", {"name": "Taken over", "version": 1}),
        ("delete", f"/persons-of-concern/{f['concern'].pk}", {}),
        ("post", f"/visits/{f['visit'].pk}/check-out", {}),
        ("post", f"/visitor-alerts/{f['alert'].pk}/acknowledge", {}),
    )
    for method, path, body in writes:
        assert post_json(web, f"{API}{path}", body, method, **token).status_code == 404, path
    # Nor can they be linked from this agency.
    for values in ({"concern_ids": [f["concern"].pk]}, {"targeted_staff_ids": [f["owner"].pk]}):
        with pytest.raises((ValidationError, NotFound)):
            threat(user, **values)
    assert database_state() == before


# --- Evidence of a threat aimed at someone else ----------------------------------------


def test_evidence_of_a_threat_opens_only_for_whom_it_concerns(
    advocate, bystander, supervisor, intake, as_user, web
):
    made = threat(
        intake,
        against_agency=False,
        targeted_staff_ids=[advocate.pk],
        evidence=[files.accepted(files.pdf("Synthetic voicemail transcript"))],
    )
    evidence = made.evidence.get()
    reads = AuditEvent.objects.filter(action=Action.ATTACHMENT_READ)
    for user, allowed in ((advocate, True), (intake, True), (supervisor, True), (bystander, False)):
        client = as_user(user)
        before = reads.count()
        page = client.get(reverse("attachments:download", args=[evidence.pk]))
        api = web.get(f"{API}/attachments/{evidence.pk}", **bearer(user))
        threat_page = client.get(reverse("safety:threat", args=[made.pk]))
        expected = 200 if allowed else 404
        assert (page.status_code, api.status_code, threat_page.status_code) == (expected,) * 3
        assert reads.count() - before == (2 if allowed else 0)


def test_a_safety_file_name_cannot_inject_a_header(advocate, as_user):
    client = as_user(advocate)
    boundary = "HavenSafetyBoundary"
    # Line breaks a header parser might honour, a quote, a NUL-like control, a path.
    nasty = "..\\ev'il\u2028X-Injected: 1\u0085\x0b\x7f;<script>.html"

    fields = {
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "channel": "letter",
        "what_happened": "Synthetic note left at the door",
        "against_agency": "on",
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; '
        f'filename="{nasty}"\r\nContent-Type: text/html\r\n\r\n'.encode()
        + files.pdf()
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    refused = client.post(
        reverse("safety:threat_new"),
        b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    # A name holding a control or line-breaking character is refused, with
    # nothing kept (issue 21); a name with only a path and a quote is tidied.
    assert refused.status_code == 400
    assert "control or invisible character" in refused.content.decode()
    assert not Attachment.objects.filter(use=Use.EVIDENCE).exists()
    parts[-2] = parts[-2].replace(nasty.encode(), b"..\\ev'il;<script>.html")
    client.post(
        reverse("safety:threat_new"),
        b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    attachment = Attachment.objects.get(use=Use.EVIDENCE)
    # Named by its bytes, without folders or characters that break a line.
    assert attachment.name.endswith(".pdf")
    assert not any(c in attachment.name for c in "\\/\u2028\u0085\x0b\x7f\r\n")
    response = client.get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert "X-Injected" not in response
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert re.match(r'^attachment; filename="[^"\\\x00-\x1f]*"; filename\*=UTF-8\'\'', disposition)
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]


# --- Stored XSS through every free text ------------------------------------------------


def test_names_and_accounts_are_escaped_on_every_page(
    advocate, supervisor, intake, admin_user, as_user, settings
):
    found = concern(
        advocate,
        name=XSS,
        aliases=f"{XSS}\nAlias Two",
        description=XSS,
        vehicles=XSS,
        plates="AB-123",
        associates=XSS,
    )
    threat(advocate, what_happened=XSS, concern_ids=[found.pk])
    services.threat_follow_up(
        actor=advocate,
        threat_id=Threat.objects.get().pk,
        values=services.ThreatFollowUp(reported_to_police=True, report_number=XSS[:60]),
    )
    check_in(intake, XSS, asking_for=XSS, purpose=XSS, plate="AB-123")
    services.checklist_save(
        actor=advocate,
        values=services.ChecklistValues(
            alternative_stay_notes=XSS, emergency_contacts=XSS, notes=XSS
        ),
    )
    made = Threat.objects.get()
    pages = {
        supervisor: [
            reverse("safety:concerns"),
            reverse("safety:concern", args=[found.pk]),
            reverse("safety:concern_edit", args=[found.pk]),
            reverse("safety:threats"),
            reverse("safety:threat", args=[made.pk]),
            reverse("safety:threat_new"),
            reverse("safety:alerts"),
            reverse("safety:visitors"),
        ],
        intake: [reverse("safety:visitors")],
        advocate: [reverse("safety:checklist"), reverse("safety:concern", args=[found.pk])],
        admin_user: [
            reverse("safety:checklists"),
            reverse("safety:staff_checklist", args=[advocate.pk]),
        ],
    }
    # These two show no free text at all; every other page shows the payload, escaped.
    without_text = {reverse("safety:threats"), reverse("safety:checklists")}
    for user, urls in pages.items():
        client = fresh_client(user, settings)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert_escaped(html)
            assert (ESCAPED in html) is (url not in without_text), url
    designate(admin_user, lockdown=(admin_user,))
    start(admin_user, reason=XSS)
    response = fresh_client(admin_user, settings).get(reverse("safety:lockdown"))
    assert response.status_code == 200
    assert_escaped(response.content.decode())
    assert ESCAPED in response.content.decode()


# --- Audit rows and logs carry no names ------------------------------------------------


def test_no_free_text_reaches_an_audit_event_or_a_log_line(
    advocate, supervisor, intake, admin_user, caplog, as_user, web
):
    caplog.set_level(logging.DEBUG)
    found = concern(
        advocate,
        name=f"{MARK} Petrenko",
        aliases=f"{MARK} Alias",
        description=MARK,
        vehicles=MARK,
        plates=f"{MARK}1",
        associates=MARK,
    )
    made = threat(advocate, what_happened=MARK, concern_ids=[found.pk])
    services.threat_follow_up(
        actor=advocate,
        threat_id=made.pk,
        values=services.ThreatFollowUp(reported_to_police=True, report_number=MARK),
    )
    check_in(intake, f"{MARK} Petrenko", asking_for=MARK, purpose=MARK, plate=f"{MARK}1")
    services.checklist_save(
        actor=advocate,
        values=services.ChecklistValues(
            alternative_stay_notes=MARK, emergency_contacts=MARK, notes=MARK
        ),
    )
    # Every read, on the pages and the API, and refusals that quote nothing back.
    client = as_user(supervisor)
    for url in (
        reverse("safety:concerns"),
        reverse("safety:concern", args=[found.pk]),
        reverse("safety:threat", args=[made.pk]),
        reverse("safety:alerts"),
        reverse("safety:visitors"),
    ):
        assert client.get(url).status_code == 200
    token = bearer(supervisor)
    assert web.get(f"{API}/visitor-alerts", **token).status_code == 200
    response = post_json(web, f"{API}/visits", {"name_given": f"{MARK}\u200b"}, **token)
    assert response.status_code == 422
    assert MARK not in response.content.decode()
    designate(admin_user, lockdown=(admin_user,))
    running = start(admin_user, reason=MARK)
    post_login(Client(), advocate.username, MARK)
    lockdowns.lockdown_end(
        actor=admin_user, lockdown_id=running.pk, second_factor=second_factor(admin_user)
    )
    services.concern_remove(actor=advocate, concern_id=found.pk)
    events = list(AuditEvent.objects.values())
    assert events
    assert MARK.lower() not in json.dumps(events, default=str).lower()
    assert MARK.lower() not in caplog.text.lower()
    for row in (made, Visit.objects.get(), Lockdown.objects.get()):
        assert MARK not in str(row)
        assert MARK not in repr(row)


# --- The alert banner does not keep a session alive ------------------------------------


def test_polling_the_alert_banner_is_not_activity(supervisor, intake, advocate, settings):
    concern(advocate)
    client = fresh_client(supervisor, settings)
    assert client.get(reverse("desk:dashboard")).status_code == 200
    idle = settings.HAVEN_IDLE_TIMEOUT.total_seconds()
    session = client.session
    almost = time.time() - idle + 30
    session[SEEN] = almost
    session.save()
    check_in(intake, CONCERN)
    for shown in ("-1", "0", "1", "1"):
        response = client.get(
            reverse("safety:alerts_live"), {"shown": shown}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code in (200, 204)
    assert client.session[SEEN] == almost
    # Once the idle time has passed, the next poll ends the session and sends
    # the page to the sign-in page.
    session = client.session
    session[SEEN] = time.time() - idle - 1
    session.save()
    response = client.get(reverse("safety:alerts_live"), {"shown": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED, actor=supervisor).exists()
