"""Pages of the protocol: minors. The mandated-report task a person under 18
opens, and the agency's list of where to report, county by county."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.authorities.minors import mandated_report_record
from haven.core import limits
from haven.core.forms import show_refusal
from haven.people.access import case_for, names_hidden_for
from haven.protocol import selectors
from haven.protocol.contacts import (
    reporting_contact_delete,
    reporting_contact_get,
    reporting_contact_save,
    reporting_contacts,
)
from haven.protocol.models import County, MandatedReport, ReportingContact
from haven.protocol.policies import may_keep_protocol_settings, may_see_protocol, may_work_protocol

_MINUTE = "%Y-%m-%dT%H:%M"
_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MINUTE)
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNTY_LABEL = gettext_lazy("County where the child or family lives")


class _ContactChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.county.name}: {obj.get_kind_display()}, {obj.name}"


class MandatedReportForm(forms.Form):
    county = forms.ModelChoiceField(
        label=COUNTY_LABEL,
        queryset=selectors.counties(),
        empty_label=gettext_lazy("Choose a county"),
    )
    contact = _ContactChoice(
        label=gettext_lazy("Reported to one of the agency's saved contacts (optional)"),
        help_text=gettext_lazy("Choosing one fills in who took the report."),
        queryset=ReportingContact.objects.none(),
        required=False,
        empty_label=gettext_lazy("None of these"),
    )
    reported_to_kind = forms.ChoiceField(
        label=gettext_lazy("Reported to: kind of office"),
        choices=[("", "—"), *ReportingContact.Kind.choices],
        required=False,
    )
    reported_to = forms.CharField(
        label=gettext_lazy("Reported to: name of the office or person"),
        required=False,
        max_length=200,
    )
    method = forms.ChoiceField(
        label=gettext_lazy("How the report was made"),
        choices=MandatedReport.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how the report was made.")},
    )
    reported_at = forms.DateTimeField(
        label=gettext_lazy("When the report was made"),
        widget=_WHEN,
        input_formats=[_MINUTE],
        error_messages={"required": gettext_lazy("Give the date and time of the report.")},
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference number"), required=False, max_length=100
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=MandatedReport.Outcome.choices,
        initial=MandatedReport.Outcome.NOT_YET_KNOWN,
        widget=forms.RadioSelect,
    )
    other_resources = forms.CharField(
        label=gettext_lazy("Other help arranged"),
        help_text=gettext_lazy("Needed when the report was screened out."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minor_told_at = forms.DateTimeField(
        label=gettext_lazy("When the young person was told that law enforcement will be contacted"),
        widget=_WHEN,
        input_formats=[_MINUTE],
        error_messages={
            "required": gettext_lazy(
                "Tell the young person that law enforcement will be contacted, then record when."
            )
        },
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)  # noqa: S101
        contact.queryset = reporting_contacts(agency_id=agency_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contact = data.get("contact")
        county = data.get("county")
        if contact is not None:
            if county is not None and contact.county_id != county.pk:
                self.add_error("contact", _("This contact is for another county."))
            else:
                data["reported_to_kind"] = contact.kind
                data["reported_to"] = contact.name
        elif not data.get("reported_to_kind") and "reported_to_kind" not in self.errors:
            self.add_error("reported_to_kind", _("Choose who took the report."))
        return data


class ReportingContactForm(forms.Form):
    county = forms.ModelChoiceField(
        label=gettext_lazy("County"),
        queryset=selectors.counties(),
        empty_label=gettext_lazy("Choose a county"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ReportingContact.Kind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=limits.LINE)
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=limits.PHONE)
    source = forms.CharField(
        label=gettext_lazy("Where this came from"),
        help_text=gettext_lazy("For example the county's web page, or who gave the number."),
        required=False,
        max_length=limits.WIDE_LINE,
    )
    verified_on = forms.DateField(
        label=gettext_lazy("Last checked on"), required=False, widget=_DATE
    )


def _chosen_county(value: str | None) -> County | None:
    return selectors.county_of(value or "")


@require_http_methods(["GET", "POST"])
def minor_report(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    posting = request.method == "POST"
    policy = may_work_protocol if posting else may_see_protocol
    case = case_for(user, case_id, lambda c: policy(user) and _has_report(c.pk))
    report = selectors.mandated_report_of(case)
    may_work = may_work_protocol(user)
    initial: dict[str, Any] = {}
    if report.status == MandatedReport.Status.REPORTED:
        initial = {
            "county": report.county_id,
            "reported_to_kind": report.reported_to_kind,
            "reported_to": report.reported_to or "",
            "method": report.method,
            "reported_at": report.reported_at,
            "reference": report.reference or "",
            "outcome": report.outcome,
            "other_resources": report.other_resources or "",
            "minor_told_at": report.minor_told_at,
        }
    county = _chosen_county(request.GET.get("county"))
    if county is not None:
        initial["county"] = county.pk
    form = None
    if may_work:
        form = MandatedReportForm(
            request.POST if posting else None, agency_id=user.agency_id, initial=initial
        )
    if posting and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                mandated_report_record(
                    actor=user,
                    case=case,
                    county=data["county"],
                    reported_to_kind=data["reported_to_kind"],
                    reported_to=data["reported_to"],
                    method=data["method"],
                    reported_at=data["reported_at"],
                    minor_told_at=data["minor_told_at"],
                    reference=data["reference"],
                    outcome=data["outcome"],
                    other_resources=data["other_resources"],
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("The mandated report is recorded."))
                response = redirect("authorities:minor_report", case_id=case.pk)
                response.status_code = 303
                return response
        chosen = form.cleaned_data.get("county") if hasattr(form, "cleaned_data") else None
        county = chosen if isinstance(chosen, County) else county
    if county is None:
        county = report.county
    context = {
        "case": case,
        "person": case.person,
        "hidden_names": names_hidden_for(user),
        "report": report,
        "form": form,
        "counties": selectors.counties(),
        "county": county,
        "county_label": COUNTY_LABEL,
        "contacts": list(reporting_contacts(agency_id=user.agency_id, county=county))
        if county
        else [],
        "may_keep_contacts": may_keep_protocol_settings(user),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "authorities/minors/report.html", context, status=status)


def _has_report(case_id: uuid.UUID) -> bool:
    return selectors.has_mandated_report(case_id)


def _require_keeper(user: User) -> None:
    if not may_keep_protocol_settings(user):
        raise Http404


def _contact_values(form: ReportingContactForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "county": data["county"],
        "kind": data["kind"],
        "name": data["name"],
        "phone": data["phone"],
        "source": data["source"],
        "verified_on": data["verified_on"],
    }


@require_http_methods(["GET", "POST"])
def reporting_contacts_page(request: HttpRequest) -> HttpResponse:
    """The agency's list, and a form to add to it."""
    user = authenticated_user(request)
    _require_keeper(user)
    form = ReportingContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reporting_contact_save(actor=user, **_contact_values(form))
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            response = redirect("authorities:reporting_contacts")
            response.status_code = 303
            return response
    return render(
        request,
        "authorities/minors/contacts.html",
        {"form": form, "contacts": list(reporting_contacts(agency_id=user.agency_id))},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def reporting_contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = authenticated_user(request)
    contact = reporting_contact_get(actor=user, contact_id=contact_id)
    initial = {
        "county": contact.county_id,
        "kind": contact.kind,
        "name": contact.name,
        "phone": contact.phone,
        "source": contact.source,
        "verified_on": contact.verified_on,
    }
    form = ReportingContactForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reporting_contact_save(actor=user, contact=contact, **_contact_values(form))
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            response = redirect("authorities:reporting_contacts")
            response.status_code = 303
            return response
    return render(
        request,
        "authorities/minors/contact_edit.html",
        {"form": form, "contact": contact},
        status=400 if form.errors else 200,
    )


@require_http_methods(["POST"])
def reporting_contact_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = authenticated_user(request)
    contact = reporting_contact_get(actor=user, contact_id=contact_id)
    reporting_contact_delete(actor=user, contact=contact)
    messages.success(request, _("Deleted."))
    response = redirect("authorities:reporting_contacts")
    response.status_code = 303
    return response


urlpatterns = [
    path("cases/<uuid:case_id>/mandated-report/", minor_report, name="minor_report"),
    path("settings/reporting-contacts/", reporting_contacts_page, name="reporting_contacts"),
    path(
        "settings/reporting-contacts/<int:contact_id>/",
        reporting_contact_edit,
        name="reporting_contact_edit",
    ),
    path(
        "settings/reporting-contacts/<int:contact_id>/delete/",
        reporting_contact_remove,
        name="reporting_contact_delete",
    ),
]
