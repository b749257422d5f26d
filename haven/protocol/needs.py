"""Needs: an assessment the person ranks, each need moving through its
states, and reassessments that keep the history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.text import check_texts, has_hidden_characters
from haven.people.models import Case
from haven.protocol.models import (
    Need,
    NeedAssessment,
    NeedCategory,
    NeedChange,
    NeedStatus,
    Step,
    StepState,
)
from haven.protocol.policies import (
    ensure_may_work_protocol,
    may_keep_protocol_settings,
)
from haven.protocol.tracker import step_advance

MAX_NEEDS = 30

#: The shipped categories' labels, translated (the table keeps English).
SHIPPED_LABELS = {
    "safety_planning": gettext_lazy("Safety planning"),
    "interpretation": gettext_lazy("Interpretation or translation"),
    "food": gettext_lazy("Food"),
    "shelter": gettext_lazy("Shelter"),
    "clothing": gettext_lazy("Clothing"),
    "transportation": gettext_lazy("Transportation"),
    "medical_care": gettext_lazy("Medical care"),
    "housing": gettext_lazy("Housing"),
    "employment": gettext_lazy("Employment"),
    "health_care": gettext_lazy("Health care"),
    "mental_health": gettext_lazy("Mental health counseling"),
    "english_classes": gettext_lazy("English classes"),
    "independent_living": gettext_lazy("Independent-living education"),
    "criminal_proceedings": gettext_lazy("Support through criminal proceedings"),
    "immigration": gettext_lazy("Immigration"),
    "community_integration": gettext_lazy("Community integration"),
}


def category_label(category: NeedCategory) -> str:
    if category.agency_id is None and category.code in SHIPPED_LABELS:
        return str(SHIPPED_LABELS[category.code])
    return category.label


def categories_for(agency_id: int) -> QuerySet[NeedCategory]:
    return NeedCategory.objects.filter(
        Q(agency=None) | Q(agency_id=agency_id), is_active=True
    ).order_by("term", "label")


def _require(actor: User, case: Case) -> None:
    ensure_may_work_protocol(actor, case)


def assessment_record(
    *, actor: User, case: Case, ranked: Sequence[int], note: str = ""
) -> NeedAssessment:
    """The person's needs, most important first (category ids). A need
    already on the case keeps its status and history and takes its new rank;
    a new one starts as identified; one no longer named keeps its status."""
    _require(actor, case)
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if not ranked:
        errors["ranked"] = [_("Choose at least one need.")]
    elif len(ranked) > MAX_NEEDS:
        errors["ranked"] = [_("Choose at most 30 needs.")]
    elif len(set(ranked)) != len(ranked):
        errors["ranked"] = [_("Choose each need once.")]
    allowed = {c.pk: c for c in categories_for(actor.agency_id)}
    if any(pk not in allowed for pk in ranked):
        errors["ranked"] = [_("Choose needs from the list.")]
    check_texts(errors, [("note", note, limits.NOTE)])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = NeedAssessment(case=case, data_key_id=case.person.data_key_id, by=actor)
        assessment.note = note or None
        assessment.save()
        existing = {n.category_id: n for n in Need.objects.select_for_update().filter(case=case)}
        offset = len(ranked)
        for rank, category_id in enumerate(ranked, start=1):
            need = existing.pop(category_id, None)
            if need is None:
                need = Need(
                    case=case,
                    data_key_id=case.person.data_key_id,
                    category_id=category_id,
                    status=NeedStatus.IDENTIFIED,
                    rank=rank,
                    assessment=assessment,
                )
                need.save()
            else:
                need.rank = rank
                need.assessment = assessment
                need.save(update_fields=["rank", "assessment", "updated_at"])
            NeedChange.objects.create(need=need, status=need.status, rank=rank, by=actor)
        # Needs not named this time go after the named ones, in their old order.
        for n, need in enumerate(sorted(existing.values(), key=lambda x: x.rank), start=1):
            need.rank = offset + n
            need.save(update_fields=["rank", "updated_at"])
        step_advance(case, Step.NEEDS, StepState.DONE, actor)
        audit_record(
            action=Action.NEEDS_ASSESSED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"assessment": str(assessment.pk), "needs": len(ranked)},
        )
    return assessment


def need_status_set(*, actor: User, case: Case, need_id: uuid.UUID, status: str) -> Need:
    """Move one need of the case to a new status; the change is kept."""
    _require(actor, case)
    if status not in NeedStatus.values:
        raise ValidationError({"status": [_("Choose one of the options offered.")]})
    with transaction.atomic():
        need = Need.objects.select_for_update().filter(case=case, pk=need_id).first()
        if need is None:
            raise NotFound
        if need.status == status:
            return need
        need.status = status
        need.save(update_fields=["status", "updated_at"])
        NeedChange.objects.create(need=need, status=status, rank=need.rank, by=actor)
        audit_record(
            action=Action.NEED_CHANGED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"need": str(need.pk), "status": status},
        )
    return need


def category_add(*, actor: User, label: str, term: str) -> NeedCategory:
    """An agency's own kind of need (administrators and supervisors)."""
    if not may_keep_protocol_settings(actor):
        raise NotFound
    label = " ".join(label.split())
    errors: dict[str, list[str]] = {}
    if not label or len(label) > 80 or has_hidden_characters(label):
        errors["label"] = [_("Give the need a name of up to 80 characters.")]
    if term not in NeedCategory.Term.values:
        errors["term"] = [_("Choose one of the options offered.")]
    if errors:
        raise ValidationError(errors)
    taken = NeedCategory.objects.filter(Q(agency=None) | Q(agency_id=actor.agency_id))
    if any(category_label(c).casefold() == label.casefold() for c in taken):
        raise ValidationError({"label": [_("Your agency already has this need.")]})
    # A code from the label in Latin letters, made unique; labels in any script.
    base = (slugify(anyascii(label)) or "need")[:32]
    codes = set(taken.values_list("code", flat=True))
    code = base
    n = 1
    while code in codes:
        n += 1
        code = f"{base}-{n}"
    try:
        with transaction.atomic():
            return NeedCategory.objects.create(
                agency_id=actor.agency_id, code=code, label=label, term=term
            )
    except IntegrityError:  # the same need added twice at once
        raise ValidationError({"label": [_("Your agency already has this need.")]}) from None
