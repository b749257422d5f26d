"""Fixtures and helpers shared by the staff safety tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.utils import timezone

from conftest import sign_in_for_real
from haven.accounts.models import ApiToken, Role, User
from haven.attachments.models import Attachment, AttachmentContent
from haven.audit.models import AuditEvent
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.safety import services
from tests.factories import make_staff

TOTP_PERIOD = 30


def make_advocate2(agency, team):
    return make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-advocate-2")


@pytest.fixture
def advocate2(agency, team):
    """A second advocate of the same team, at whom nothing is aimed."""
    return make_advocate2(agency, team)


@pytest.fixture
def admin2(agency):
    return make_staff(agency=agency, role=Role.ADMIN, username="t-admin-2")


def _away_from_step_edge() -> None:
    """Wait out the last moments of a TOTP step, so a code is checked in the
    step it was made for."""
    into = time.time() % TOTP_PERIOD
    if into > TOTP_PERIOD - 2:
        time.sleep(TOTP_PERIOD - into + 0.1)


def second_factor(user: User) -> str:
    """A TOTP code of ``user`` valid now and not used before in this test.

    Each code opens once (allauth keeps used codes), and a code is valid for
    the step before, the current and the next one: the oldest unused step is
    taken, so a later real sign-in (which uses the current step) is not spent.
    """
    used: set[int] = user.__dict__.setdefault("_totp_steps_used", set())
    _away_from_step_edge()
    now = int(time.time()) // TOTP_PERIOD
    for step in (now - 1, now, now + 1):
        if step not in used:
            used.add(step)
            return format_hotp_value(hotp_value(user.totp_secret, step))
    raise AssertionError("no unused TOTP code left in this window: use another administrator")


def sign_in(client: Client, user: User) -> Client:
    """Sign in through the real pages (conftest.sign_in_for_real), noting the
    TOTP step it spends so that ``second_factor`` does not offer it again."""
    used: set[int] = user.__dict__.setdefault("_totp_steps_used", set())
    _away_from_step_edge()
    used.add(int(time.time()) // TOTP_PERIOD)
    sign_in_for_real(client, user)
    used.add(int(time.time()) // TOTP_PERIOD)
    return client


def wrong_code(user: User) -> str:
    """Six digits that are no valid TOTP code of ``user`` right now."""
    now = int(time.time()) // TOTP_PERIOD
    valid = {format_hotp_value(hotp_value(user.totp_secret, s)) for s in range(now - 2, now + 3)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in valid)


def designate(
    actor: User,
    *,
    alerts: tuple[User, ...] = (),
    lockdown: tuple[User, ...] = (),
    two_to_end: bool = False,
) -> None:
    services.safety_settings_save(
        actor=actor,
        alert_user_ids=[u.pk for u in alerts],
        lockdown_user_ids=[u.pk for u in lockdown],
        two_to_end_lockdown=two_to_end,
    )


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _rows(model: type[models.Model]) -> list[tuple[Any, ...]]:
    names = [f.attname for f in model._meta.concrete_fields]
    return [
        tuple(_plain(v) for v in row)
        for row in model.objects.order_by("pk").values_list(*names)  # type: ignore[attr-defined]
    ]


def database_state() -> dict[str, Any]:
    """Every row of staff safety (its many-to-many links included, sealed
    values as stored), and of the rows its services touch elsewhere: equal
    before and after means nothing was written."""
    state: dict[str, Any] = {}
    for model in apps.get_app_config("safety").get_models():
        state[model._meta.label] = _rows(model)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            state[through._meta.label] = _rows(through)
    for model in (Attachment, AttachmentContent, DataKey, AuditEvent, ApiToken, UserSession):
        state[model._meta.label] = _rows(model)
    state["authenticators"] = _rows(Authenticator)
    return state


def refused_404(call: Callable[[], object]) -> None:
    """``call`` answers 404 and writes nothing at all."""
    before = database_state()
    with pytest.raises(NotFound):
        call()
    assert database_state() == before


def refused(call: Callable[[], object], *fields: str) -> ValidationError:
    """``call`` is refused with a message on each of ``fields`` (on the form
    as a whole when none is named) and writes nothing at all."""
    before = database_state()
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    assert database_state() == before
    assert all(str(m).strip() for m in error.messages), "a refusal always says why"
    if fields:
        assert hasattr(error, "error_dict"), error
        assert set(fields) <= set(error.message_dict), error.message_dict
        for name in fields:
            assert all(m.strip() for m in error.message_dict[name])
    return error


def hours_ago(hours: float) -> Any:
    return timezone.now() - timedelta(hours=hours)
