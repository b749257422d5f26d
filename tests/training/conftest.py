"""Fixtures and helpers shared by the staff training tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from haven.accounts.models import User
from haven.attachments.models import Attachment, AttachmentContent
from haven.audit.models import AuditEvent
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.partners.models import Organization
from haven.training import services
from haven.training.models import Record, Topic


@pytest.fixture
def partner(agency):
    return Organization.objects.create(agency=agency, name="Synthetic Legal Aid")


@pytest.fixture
def other_partner(other_agency):
    return Organization.objects.create(agency=other_agency, name="Elsewhere Clinic")


def topic(code: str) -> Topic:
    return Topic.objects.get(agency=None, code=code)


def train(
    actor: User,
    staff: User,
    code: str,
    completed_on: date,
    hours: str = "2",
    **values: Any,
) -> Record:
    """A training recorded through the service."""
    return services.training_record(
        actor=actor,
        values=services.RecordValues(
            staff_id=staff.pk,
            topic_id=topic(code).pk,
            completed_on=completed_on,
            hours=Decimal(hours),
            **values,
        ),
    )


def every(actor: User, code: str, months: int | None) -> None:
    services.refresher_set(actor=actor, topic_id=topic(code).pk, months=months)


def _rows(model: type[models.Model]) -> list[tuple[Any, ...]]:
    names = [f.attname for f in model._meta.concrete_fields]
    return [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        for row in model.objects.order_by("pk").values_list(*names)  # type: ignore[attr-defined]
    ]


def database_state() -> dict[str, Any]:
    """Every row of training (many-to-many links included) and of what its
    services touch elsewhere: equal before and after means nothing was written."""
    state: dict[str, Any] = {}
    for model in apps.get_app_config("training").get_models():
        state[model._meta.label] = _rows(model)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            state[through._meta.label] = _rows(through)
    for model in (Attachment, AttachmentContent, DataKey, AuditEvent):
        state[model._meta.label] = _rows(model)
    return state


def refused_404(call: Callable[[], object]) -> None:
    before = database_state()
    with pytest.raises(NotFound):
        call()
    assert database_state() == before


def refused(call: Callable[[], object], *fields: str) -> ValidationError:
    """``call`` is refused with a message on each of ``fields`` and writes nothing."""
    before = database_state()
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    assert database_state() == before
    assert hasattr(error, "error_dict"), error
    assert set(fields) <= set(error.message_dict), error.message_dict
    for name in fields:
        assert all(m.strip() for m in error.message_dict[name])
    return error
