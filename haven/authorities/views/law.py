"""Pages of the protocol: law enforcement. The person's choice and its
history, the contacts logged (each through the disclosure gate), and
Continued Presence requests."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.authorities.law import continued_presence_record, law_contact_record
from haven.consent.models import InfoKind
from haven.core import limits
from haven.core.forms import show_refusal
from haven.people.access import case_for, names_hidden_for
from haven.people.models import Case
from haven.protocol import selectors
from haven.protocol.law import law_choice_record
from haven.protocol.models import (
    ContactBasis,
    ContinuedPresence,
    LawPart,
)
from haven.protocol.policies import may_see_continued_presence, may_see_protocol, may_work_protocol
from haven.protocol.selectors import law_parts_refused
from haven.protocol.views.common import case_for_work

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


_YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class LawChoiceForm(forms.Form):
    """The person's choice in two parts, asked in words for them; "no" to
    both is a refusal, and a change of mind opens only the part they say
    yes to."""

    investigation = forms.ChoiceField(
        label=gettext_lazy("Does the person agree to talk to police or investigators?"),
        help_text=gettext_lazy("Police, sheriff, federal agents."),
        choices=_YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the person's answer.")},
    )
    prosecution = forms.ChoiceField(
        label=gettext_lazy(
            "Does the person agree to take part in a prosecution, with the district attorney "
            "or its victim-witness program?"
        ),
        help_text=gettext_lazy(
            "A district attorney's or US attorney's office, and its victim-witness program."
        ),
        choices=_YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the person's answer.")},
    )
    note = forms.CharField(
        label=gettext_lazy("In their words (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _contact_form(case: Case) -> LawContactForm:
    """After a refusal of both parts, "the person agreed" is not offered: it
    would be refused."""
    form = LawContactForm(prefix="contact")
    if law_parts_refused(case) == frozenset(LawPart.values):
        field = form.fields["basis"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [c for c in ContactBasis.choices if c[0] != ContactBasis.CONSENT]
    return form


class LawContactForm(forms.Form):
    part = forms.ChoiceField(
        label=gettext_lazy("With whom"),
        choices=LawPart.choices,
        initial=LawPart.INVESTIGATION,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose one of the options offered.")},
    )
    basis = forms.ChoiceField(
        label=gettext_lazy("On what basis"),
        choices=ContactBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the basis for this contact.")},
    )
    agency_name = forms.CharField(label=gettext_lazy("Agency or office"), max_length=limits.LINE)
    officer = forms.CharField(
        label=gettext_lazy("Officer or prosecutor"), required=False, max_length=limits.LINE
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accompanied = forms.BooleanField(
        label=gettext_lazy("An advocate was with the person"), required=False
    )
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contacted_on = forms.DateField(label=gettext_lazy("Date of the contact"), widget=_DATE)
    shared = forms.MultipleChoiceField(
        label=gettext_lazy("What was shared about the person"),
        choices=InfoKind.choices,
        initial=[InfoKind.IDENTITY],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose what information is shared.")},
    )


class ContinuedPresenceForm(forms.Form):
    requested_on = forms.DateField(label=gettext_lazy("Requested on"), widget=_DATE)
    requesting_agency = forms.CharField(
        label=gettext_lazy("Requesting agency"), required=False, max_length=limits.LINE
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=ContinuedPresence.Status.choices,
        initial=ContinuedPresence.Status.REQUESTED,
    )
    decided_on = forms.DateField(label=gettext_lazy("Decided on"), required=False, widget=_DATE)
    expires_on = forms.DateField(label=gettext_lazy("Expires on"), required=False, widget=_DATE)


def _cp_prefix(row_id: uuid.UUID) -> str:
    return f"cp-{row_id}"


def _redirect_to_page(case: Case) -> HttpResponse:
    response = redirect("authorities:law", case_id=case.pk)
    response.status_code = 303
    return response


def _page(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    choices = list(selectors.law_choices_of(case))
    contacts = list(selectors.law_contacts_of(case))
    requests = (
        list(selectors.continued_presence_of(case)) if may_see_continued_presence(user) else []
    )
    may_work = may_work_protocol(user)
    refused = law_parts_refused(case)
    rows: list[dict[str, Any]] = []
    for row in requests:
        prefix = _cp_prefix(row.pk)
        form = bound.get(prefix) if may_work else None
        if form is None and may_work:
            form = ContinuedPresenceForm(
                prefix=prefix,
                initial={
                    "requested_on": row.requested_on,
                    "requesting_agency": row.requesting_agency or "",
                    "status": row.status,
                    "decided_on": row.decided_on,
                    "expires_on": row.expires_on,
                },
            )
        rows.append({"row": row, "form": form})
    context = {
        "case": case,
        "person": case.person,
        "hidden_names": names_hidden_for(user),
        "choice": choices[0] if choices else None,
        "choices": choices,
        "refused": refused,
        "investigation_refused": LawPart.INVESTIGATION in refused,
        "prosecution_refused": LawPart.PROSECUTION in refused,
        "contacts": contacts,
        "requests": rows,
        "may_work": may_work,
        "choice_form": bound.get("choice") or LawChoiceForm(prefix="choice"),
        "contact_form": bound.get("contact") or _contact_form(case),
        "cp_form": bound.get("cp") or ContinuedPresenceForm(prefix="cp"),
    }
    return render(request, "authorities/law/page.html", context, status=status)


@require_GET
def law(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_see_protocol(user))
    return _page(request, user, case)


@require_http_methods(["POST"])
def law_choice(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    form = LawChoiceForm(request.POST, prefix="choice")
    if form.is_valid():
        try:
            law_choice_record(
                actor=user,
                case=case,
                investigation=form.cleaned_data["investigation"] == "yes",
                prosecution=form.cleaned_data["prosecution"] == "yes",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The person's choice is recorded."))
            return _redirect_to_page(case)
    return _page(request, user, case, bound={"choice": form}, status=400)


@require_http_methods(["POST"])
def law_contact(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    form = LawContactForm(request.POST, prefix="contact")
    if form.is_valid():
        data = form.cleaned_data
        try:
            law_contact_record(
                actor=user,
                case=case,
                basis=data["basis"],
                agency_name=data["agency_name"],
                contacted_on=data["contacted_on"],
                officer=data["officer"],
                purpose=data["purpose"],
                accompanied=data["accompanied"],
                outcome=data["outcome"],
                shared=data["shared"],
                part=data["part"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The contact is logged."))
            return _redirect_to_page(case)
    return _page(request, user, case, bound={"contact": form}, status=400)


def _save_request(
    request: HttpRequest,
    user: User,
    case: Case,
    form: ContinuedPresenceForm,
    key: str,
    row: ContinuedPresence | None,
) -> HttpResponse:
    if form.is_valid():
        data = form.cleaned_data
        try:
            continued_presence_record(
                actor=user,
                case=case,
                requested_on=data["requested_on"],
                requesting_agency=data["requesting_agency"],
                status=data["status"],
                decided_on=data["decided_on"],
                expires_on=data["expires_on"],
                request=row,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return _redirect_to_page(case)
    return _page(request, user, case, bound={key: form}, status=400)


@require_http_methods(["POST"])
def continued_presence(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    form = ContinuedPresenceForm(request.POST, prefix="cp")
    return _save_request(request, user, case, form, "cp", None)


@require_http_methods(["POST"])
def continued_presence_update(
    request: HttpRequest, case_id: uuid.UUID, request_id: uuid.UUID
) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    row = selectors.continued_presence_request(case, request_id)
    prefix = _cp_prefix(row.pk)
    form = ContinuedPresenceForm(request.POST, prefix=prefix)
    return _save_request(request, user, case, form, prefix, row)


urlpatterns = [
    path("cases/<uuid:case_id>/law-enforcement/", law, name="law"),
    path("cases/<uuid:case_id>/law-enforcement/choice/", law_choice, name="law_choice"),
    path("cases/<uuid:case_id>/law-enforcement/contact/", law_contact, name="law_contact"),
    path(
        "cases/<uuid:case_id>/law-enforcement/continued-presence/",
        continued_presence,
        name="continued_presence",
    ),
    path(
        "cases/<uuid:case_id>/law-enforcement/continued-presence/<uuid:request_id>/",
        continued_presence_update,
        name="continued_presence_update",
    ),
]
