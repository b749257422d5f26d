"""Fixtures and helpers shared by the preparedness tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from haven.attachments.models import Attachment, AttachmentContent
from haven.audit.models import AuditEvent
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.partners.models import Organization
from haven.preparedness import services
from tests import files


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def pdf_upload(text: str = "Synthetic policy") -> Any:
    return files.accepted(files.pdf(text), "policy.pdf")


def version_values(**values: Any) -> services.VersionValues:
    values.setdefault("approved_on", days_ago(10))
    values.setdefault("next_review_on", days_ago(10) + timedelta(days=365))
    values.setdefault("file", pdf_upload())
    return services.VersionValues(**values)


def make_policy(
    actor,
    *,
    kind: str = "eligibility",
    title: str = "Who we serve",
    owner=None,
    first: services.VersionValues | bool | None = True,
):
    first_version = version_values() if first is True else (first or None)
    return services.policy_save(
        actor=actor,
        values=services.PolicyValues(kind=kind, title=title, owner_id=(owner or actor).pk),
        first_version=first_version,
    )


def make_org(agency, name: str = "County DA Victim-Witness (synthetic)") -> Organization:
    return Organization.objects.create(agency=agency, name=name, kind="da_victim_witness")


def meeting_values(**values: Any) -> services.MeetingValues:
    values.setdefault("kind", "da_victim_witness")
    values.setdefault("held_on", days_ago(3))
    if "organization_id" not in values and "partner_name" not in values:
        values["partner_name"] = "County Health Clinic (synthetic)"
    return services.MeetingValues(**values)


def agreement_values(org, **values: Any) -> services.AgreementValues:
    values.setdefault("kind", "mou")
    values.setdefault("signed_on", days_ago(30))
    values.setdefault("file", pdf_upload("Synthetic MOU"))
    return services.AgreementValues(organization_id=getattr(org, "pk", org), **values)


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _rows(model: type[models.Model]) -> list[tuple[Any, ...]]:
    names = [f.attname for f in model._meta.concrete_fields]
    return [
        tuple(_plain(v) for v in row)
        for row in model.objects.order_by("pk").values_list(*names)  # type: ignore[attr-defined]
    ]


def database_state() -> dict[str, Any]:
    """Every row of preparedness (links included) and of the rows its
    services touch elsewhere: equal before and after means nothing was written."""
    state: dict[str, Any] = {}
    for model in apps.get_app_config("preparedness").get_models():
        state[model._meta.label] = _rows(model)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            state[through._meta.label] = _rows(through)
    for model in (Attachment, AttachmentContent, DataKey, AuditEvent):
        state[model._meta.label] = _rows(model)
    return state


def refused_404(call: Callable[[], object]) -> None:
    """``call`` answers 404 and writes nothing at all."""
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
    assert all(str(m).strip() for m in error.messages), "a refusal always says why"
    if fields:
        assert hasattr(error, "error_dict"), error
        assert set(fields) <= set(error.message_dict), error.message_dict
    return error
