"""Needs: the person's needs in their own order, each with its history; an
assessment the person ranks; and the agency's own kinds of need."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.core import limits
from haven.core.forms import show_refusal
from haven.people.access import case_for
from haven.people.models import Case
from haven.protocol import needs, selectors
from haven.protocol.models import NeedCategory, NeedStatus
from haven.protocol.policies import may_keep_protocol_settings, may_see_protocol, may_work_protocol
from haven.protocol.views.common import case_for_work

RANK_PREFIX = "rank_"
RANK_MAX = 99


class AssessmentForm(forms.Form):
    """One number per kind of need: the person's own order (1 first); a
    blank means it is not a need now. Built from the agency's categories."""

    note = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Anything the person wants remembered about this assessment."),
    )

    def __init__(self, *args: Any, categories: Iterable[NeedCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            self.fields[f"{RANK_PREFIX}{category.pk}"] = forms.IntegerField(
                label=needs.category_label(category),
                required=False,
                min_value=1,
                max_value=RANK_MAX,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "rank"}),
            )
        # The note goes after the categories.
        self.order_fields([*(f"{RANK_PREFIX}{c.pk}" for c in self.categories), "note"])

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The categories' fields, immediate needs first, then long-term."""
        result = []
        for term, legend in (
            (NeedCategory.Term.IMMEDIATE, _("Immediate needs")),
            (NeedCategory.Term.LONG_TERM, _("Long-term needs")),
        ):
            fields = [self[f"{RANK_PREFIX}{c.pk}"] for c in self.categories if c.term == term]
            if fields:
                result.append((legend, fields))
        return result

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ranks: dict[int, int] = {}
        for category in self.categories:
            value = cleaned.get(f"{RANK_PREFIX}{category.pk}")
            if value is not None:
                ranks[category.pk] = value
        # Numbers sent for kinds of need not offered here (another agency's,
        # a retired one, one that does not exist) go to the service, which
        # refuses them: nothing is silently dropped.
        for key in self.data:
            if not key.startswith(RANK_PREFIX) or key in self.fields:
                continue
            raw = str(self.data.get(key, "")).strip()
            if not raw:
                continue
            try:
                pk, value = int(key[len(RANK_PREFIX) :]), int(raw)
            except ValueError:
                raise ValidationError(_("Choose needs from the list.")) from None
            ranks[pk] = value
        numbers = list(ranks.values())
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise ValidationError(
                _(
                    "Two or more needs have the same number (%(numbers)s). Give each "
                    "need its own number: 1 for what matters most to the person."
                )
                % {"numbers": ", ".join(str(n) for n in repeated)}
            )
        cleaned["ranked"] = [pk for pk, _rank in sorted(ranks.items(), key=lambda item: item[1])]
        return cleaned


class NeedStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Where it stands"), choices=NeedStatus.choices)


class CategoryForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Name of the need"), max_length=80)
    term = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=NeedCategory.Term.choices,
        widget=forms.RadioSelect,
    )


def _needs_page(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    assess_form: AssessmentForm | None = None,
    failed_need: uuid.UUID | None = None,
    status_form: NeedStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = list(selectors.needs_of(case))
    may_work = may_work_protocol(user)
    items = [
        {
            "need": need,
            "label": needs.category_label(need.category),
            "term": need.category.get_term_display(),
            "status_label": NeedStatus(need.status).label,
            "changes": [
                {"change": change, "status_label": NeedStatus(change.status).label}
                for change in need.changes.all()
            ],
            "form": (
                status_form
                if status_form is not None and need.pk == failed_need
                else NeedStatusForm(initial={"status": need.status}, prefix=f"n{need.pk.hex}")
            )
            if may_work
            else None,
        }
        for need in rows
    ]
    if may_work and assess_form is None:
        current = {need.category_id: need.rank for need in rows}
        assess_form = AssessmentForm(
            categories=needs.categories_for(user.agency_id),
            initial={f"{RANK_PREFIX}{pk}": rank for pk, rank in current.items()},
        )
    assessments = selectors.assessments_of(case)[:20]
    return render(
        request,
        "protocol/needs/needs.html",
        {
            "case": case,
            "items": items,
            "may_work": may_work,
            "form": assess_form,
            "assessments": assessments,
        },
        status=status,
    )


def needs_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _case: may_see_protocol(user))
    return _needs_page(request, user, case)


@require_http_methods(["POST"])
def needs_assess(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    form = AssessmentForm(request.POST, categories=needs.categories_for(user.agency_id))
    if form.is_valid():
        try:
            needs.assessment_record(
                actor=user,
                case=case,
                ranked=form.cleaned_data["ranked"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The assessment is saved."))
            return _see_other(_needs_url(case))
    return _needs_page(request, user, case, assess_form=form, status=400)


@require_http_methods(["POST"])
def need_status(request: HttpRequest, case_id: uuid.UUID, need_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    # The need must be this case's: asked with the policy, before the read is
    # audited, so a wrong pair leaves no trace and looks like a missing page.
    case = case_for(
        user,
        case_id,
        lambda c: may_work_protocol(user) and selectors.has_need(c, need_id),
    )
    form = NeedStatusForm(request.POST, prefix=f"n{need_id.hex}")
    if form.is_valid():
        try:
            needs.need_status_set(
                actor=user, case=case, need_id=need_id, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return _see_other(_needs_url(case))
    messages.error(request, _("Choose one of the options offered."))
    return _needs_page(request, user, case, failed_need=need_id, status_form=form, status=400)


@require_http_methods(["GET", "POST"])
def need_categories(request: HttpRequest) -> HttpResponse:
    """The kinds of need the agency assesses: ours, and its own."""
    user = authenticated_user(request)
    if not may_keep_protocol_settings(user):
        raise Http404
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            needs.category_add(
                actor=user, label=form.cleaned_data["label"], term=form.cleaned_data["term"]
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The need is added."))
            return _see_other(_categories_url())
    categories = [
        {
            "label": needs.category_label(category),
            "term": category.get_term_display(),
            "own": category.agency_id is not None,
        }
        for category in needs.categories_for(user.agency_id)
    ]
    return render(
        request,
        "protocol/needs/categories.html",
        {"form": form, "categories": categories},
        status=400 if form.errors else 200,
    )


def _needs_url(case: Case) -> str:
    return reverse("protocol:needs", kwargs={"case_id": case.pk})


def _categories_url() -> str:
    return reverse("protocol:need_categories")


def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303
    return response


urlpatterns = [
    path("cases/<uuid:case_id>/needs/", needs_page, name="needs"),
    path("cases/<uuid:case_id>/needs/assess/", needs_assess, name="needs_assess"),
    path("cases/<uuid:case_id>/needs/<uuid:need_id>/", need_status, name="need_status"),
    path("settings/needs/", need_categories, name="need_categories"),
]
