"""Identification: our plain-language screening (adult or youth), its
result and what to do next; and the results of licensed instruments."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.people.access import case_for
from haven.people.models import Case
from haven.protocol import identification, selectors
from haven.protocol.models import Screening
from haven.protocol.policies import may_see_protocol, may_work_protocol
from haven.protocol.views.common import case_for_work

KINDS = ("adult", "youth")
ANSWER_CHOICES = (
    ("yes", gettext_lazy("Yes")),
    ("no", gettext_lazy("No")),
    ("skipped", gettext_lazy("Skip")),
)


def text_language() -> str:
    """The indicators' text to show: Spanish in the Spanish interface,
    English otherwise."""
    return "spa" if (translation.get_language() or "").startswith("es") else "eng"


def _text(texts: dict[str, str]) -> str:
    return texts.get(text_language()) or texts["eng"]


def _field_name(code: str) -> str:
    return "q-" + code.replace(".", "-")


def level_of(code: str) -> dict[str, str]:
    """The level's label and its next steps, in the interface language."""
    for level in identification.indicators()["levels"]:
        if level["code"] == code:
            return {"code": code, "label": _text(level["label"]), "next": _text(level["next"])}
    return {"code": code, "label": code, "next": ""}


class ScreeningForm(forms.Form):
    """One yes / no / skip question per indicator of the screening. A
    question left unanswered counts as skipped: the person may skip any."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = identification.indicators()["screenings"][kind]["questions"]
        for n, question in enumerate(self.questions, start=1):
            self.fields[_field_name(question["code"])] = forms.ChoiceField(
                label=f"{n}. {_text(question['text'])}",
                choices=ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, str]:
        return {
            q["code"]: self.cleaned_data.get(_field_name(q["code"])) or "skipped"
            for q in self.questions
        }


class InstrumentForm(forms.Form):
    instrument = forms.CharField(
        label=gettext_lazy("Instrument"),
        max_length=60,
        help_text=gettext_lazy("Its name, for example a licensed screening tool your agency uses."),
    )
    administered_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    administrator = forms.CharField(label=gettext_lazy("Administered by"), max_length=200)
    level = forms.CharField(
        label=gettext_lazy("Level or result"),
        max_length=60,
        help_text=gettext_lazy("The result only: never the questions or the answers."),
    )
    kind = forms.ChoiceField(
        choices=[(k, k) for k in KINDS], required=False, widget=forms.HiddenInput
    )


def _screening_page(
    request: HttpRequest,
    user: User,
    case: Case,
    kind: str,
    *,
    form: ScreeningForm | None = None,
    instrument_form: InstrumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_work = may_work_protocol(user)
    screening = identification.indicators()["screenings"][kind]
    if may_work:
        form = form or ScreeningForm(kind=kind)
        instrument_form = instrument_form or InstrumentForm(
            initial={"administered_on": timezone.localdate(), "kind": kind}
        )
    past: list[dict[str, Any]] = [
        {"row": row, "kind_label": Screening.Kind(row.kind).label, "level": level_of(row.level)}
        for row in selectors.screenings_of(case)
    ]
    # The result just recorded (named in the address by its id only).
    result: dict[str, Any] | None = None
    wanted = request.GET.get("result", "")
    if wanted:
        try:
            wanted_id = uuid.UUID(wanted)
        except ValueError:
            wanted_id = None
        result = next((item for item in past if item["row"].pk == wanted_id), None)
    instruments = selectors.instrument_results_of(case)
    return render(
        request,
        "protocol/identification/screening.html",
        {
            "case": case,
            "kind": kind,
            "other_kind": "youth" if kind == "adult" else "adult",
            "title": _text(screening["title"]),
            "form": form if may_work else None,
            "instrument_form": instrument_form if may_work else None,
            "past": past,
            "result": result,
            "instruments": instruments,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def screening_page(request: HttpRequest, case_id: uuid.UUID, kind: str) -> HttpResponse:
    user = authenticated_user(request)
    if request.method == "POST":
        case = case_for(user, case_id, lambda _case: may_work_protocol(user) and kind in KINDS)
        form = ScreeningForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                row = identification.screening_record(
                    actor=user, case=case, kind=kind, answers=form.answers()
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("The screening is saved."))
                url = reverse("protocol:screening", kwargs={"case_id": case.pk, "kind": kind})
                return _see_other(f"{url}?result={row.pk}#result")
        return _screening_page(request, user, case, kind, form=form, status=400)
    case = case_for(user, case_id, lambda _case: may_see_protocol(user) and kind in KINDS)
    return _screening_page(request, user, case, kind)


@require_http_methods(["POST"])
def instrument(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    form = InstrumentForm(request.POST)
    kind = request.POST.get("kind", "adult")
    kind = kind if kind in KINDS else "adult"
    if form.is_valid():
        data = form.cleaned_data
        try:
            identification.instrument_result_record(
                actor=user,
                case=case,
                instrument=data["instrument"],
                administered_on=data["administered_on"],
                administrator=data["administrator"],
                level=data["level"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The result is saved."))
            return _see_other(
                reverse("protocol:screening", kwargs={"case_id": case.pk, "kind": kind})
                + "#instruments"
            )
    return _screening_page(request, user, case, kind, instrument_form=form, status=400)


def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303
    return response


urlpatterns = [
    # Before the screening's own address, which would take "instrument" for a kind.
    path(
        "cases/<uuid:case_id>/screening/instrument/",
        instrument,
        name="instrument",
    ),
    path("cases/<uuid:case_id>/screening/<slug:kind>/", screening_page, name="screening"),
]
