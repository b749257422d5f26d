"""Pages of the communications log: the log, recording an entry, an entry
with its addenda, and adding an addendum. Nothing edits or deletes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.communications import selectors
from haven.communications.forms import AddendumForm, CommunicationForm, InterpreterForm
from haven.communications.models import (
    AdHocInterpreter,
    Channel,
    Communication,
    InterpretationMode,
)
from haven.communications.policies import may_keep_roster, may_log_communications, may_read_roster
from haven.communications.services import (
    InterpreterValues,
    addendum_record,
    communication_record,
    interpreter_save,
)
from haven.core.addresses import case_address
from haven.core.forms import show_refusal
from haven.core.languages import language_name
from haven.people.access import case_for, names_hidden_for
from haven.people.models import Case


def _case(user: User, case_id: uuid.UUID) -> Case:
    return case_for(user, case_id, lambda _: may_log_communications(user))


def _context(user: User, case: Case, **more: Any) -> dict[str, Any]:
    return {"case": case, "person": case.person, "hidden_names": names_hidden_for(user), **more}


def _see_other(to: str, **kwargs: Any) -> HttpResponse:
    response: HttpResponse = redirect(to, **kwargs)
    response.status_code = 303
    return response


@dataclass(frozen=True)
class LogRow:
    """One line of the log, made in Python: a page of 25 rows rendered by
    the template engine cost more than everything else on the page."""

    pk: uuid.UUID
    seq: int
    when: str
    channel: str
    summary: str
    addendum: bool
    interpreted: str
    recorded_by: str
    url: str


_ENTRY = uuid.UUID(int=1)


def _rows(case: Case, entries: list[Communication]) -> list[LogRow]:
    address = case_address("communications:entry", case.pk, entry_id=str(_ENTRY))
    channels = dict(Channel.choices)
    modes = dict(InterpretationMode.choices)
    ad_hoc = dict(AdHocInterpreter.choices)
    rows = []
    for e in entries:
        interpreted = ""
        if e.interpretation != InterpretationMode.NONE:
            who = e.interpreter.name if e.interpreter else str(ad_hoc.get(e.ad_hoc, ""))
            interpreted = (
                f"{modes[e.interpretation]}: {who}" if who else str(modes[e.interpretation])
            )
        rows.append(
            LogRow(
                pk=e.pk,
                seq=e.seq,
                when=date_format(timezone.localtime(e.occurred_at), "Y-m-d H:i"),
                channel=str(channels.get(e.channel, e.channel)),
                summary=e.summary or "",
                addendum=e.addendum_to_id is not None,
                interpreted=interpreted,
                recorded_by=e.recorded_by.display_name or e.recorded_by.username,
                url=address.replace(str(_ENTRY), str(e.pk)),
            )
        )
    return rows


@require_GET
def log(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = _case(user, case_id)
    page = selectors.log_page(case, request.GET.get("page"))
    rows = _rows(case, list(page.object_list))
    return render(request, "communications/log.html", _context(user, case, page=page, rows=rows))


def _entry_form(user: User, data: Any = None, files: Any = None) -> CommunicationForm:
    return CommunicationForm(
        data,
        files,
        staff=selectors.staff_choices(user),
        interpreters=selectors.roster(user, active_only=True),
        initial={"with_person": True, "staff_ids": [str(user.pk)]},
    )


def _ask_acknowledgement_only_when_needed(form: CommunicationForm) -> None:
    """The box about a missing or expired agreement appears once the chosen
    interpreter's agreement needs it (the service says so), not before."""
    if "agreement_acknowledged" not in form.errors and not form.data.get("agreement_acknowledged"):
        del form.fields["agreement_acknowledged"]


@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = _case(user, case_id)
    if request.method == "GET":
        form = _entry_form(user)
        if case.person.language not in ("", "und", "eng"):
            form.fields["language"].initial = case.person.language
        _ask_acknowledgement_only_when_needed(form)
        return render(request, "communications/new.html", _context(user, case, form=form))
    form = _entry_form(user, request.POST, request.FILES)
    if form.is_valid():
        try:
            entry = communication_record(actor=user, case=case, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The communication is recorded."))
            return _see_other("communications:entry", case_id=case.pk, entry_id=entry.pk)
    _ask_acknowledgement_only_when_needed(form)
    return render(request, "communications/new.html", _context(user, case, form=form), status=400)


def _entry_page(
    request: HttpRequest,
    user: User,
    case: Case,
    entry_id: uuid.UUID,
    form: AddendumForm,
    status: int,
) -> HttpResponse:
    entry = selectors.entry_get(case, entry_id)
    if entry is None:
        raise Http404
    return render(
        request,
        "communications/entry.html",
        _context(
            user,
            case,
            entry=entry,
            addenda=selectors.addenda_of(entry),
            files=selectors.files_of(entry),
            staff=selectors.staff_names(entry.staff_ids),
            language=language_name(entry.language) if entry.language else "",
            form=form,
        ),
        status=status,
    )


@require_GET
def entry(request: HttpRequest, case_id: uuid.UUID, entry_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = _case(user, case_id)
    return _entry_page(request, user, case, entry_id, AddendumForm(), 200)


@require_http_methods(["POST"])
def addendum(request: HttpRequest, case_id: uuid.UUID, entry_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = _case(user, case_id)
    form = AddendumForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        if selectors.entry_get(case, entry_id) is None:
            raise Http404
        try:
            added = addendum_record(
                actor=user,
                case=case,
                entry_id=entry_id,
                reason=data["addendum_reason"],
                summary=data["summary"],
                details=data["details"],
                files=data["attachments"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The addendum is recorded. The entry itself is unchanged."))
            return _see_other("communications:entry", case_id=case.pk, entry_id=added.pk)
    return _entry_page(request, user, case, entry_id, form, 400)


# --- The interpreter roster ----------------------------------------------------


def _roster_reader(request: HttpRequest) -> User:
    user = authenticated_user(request)
    if not may_read_roster(user):
        raise Http404
    return user


def _interpreter_values(form: InterpreterForm) -> InterpreterValues:
    data = form.cleaned_data
    return InterpreterValues(
        name=data["name"],
        kind=data["kind"],
        languages=data["languages"],
        dialects=data["dialects"],
        gender=data["gender"],
        contact=data["contact"],
        agreement=data["agreement"],
        agreement_expires_on=data["agreement_expires_on"],
        notes=data["notes"],
        active=data["active"],
    )


@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest) -> HttpResponse:
    """The agency's interpreters, and adding one."""
    user = _roster_reader(request)
    keeps = may_keep_roster(user)
    today = timezone.localdate()
    posted = request.method == "POST"
    form = (
        InterpreterForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            agency_id=user.agency_id,
        )
        if keeps
        else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                interpreter_save(actor=user, values=_interpreter_values(form))
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("The interpreter is on the roster."))
                return _see_other("communications:roster")
    return render(
        request,
        "communications/roster.html",
        {
            "rows": [
                (i, i.agreement_problem(today), ", ".join(language_name(c) for c in i.languages))
                for i in selectors.roster(user)
            ],
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def interpreter_edit(request: HttpRequest, interpreter_id: uuid.UUID) -> HttpResponse:
    user = _roster_reader(request)
    if not may_keep_roster(user):
        raise Http404
    interpreter = selectors.interpreter_get(user, interpreter_id)
    if interpreter is None:
        raise Http404
    posted = request.method == "POST"
    form = InterpreterForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        agency_id=user.agency_id,
        initial={
            "name": interpreter.name,
            "kind": interpreter.kind,
            "languages": interpreter.languages,
            "dialects": interpreter.dialects,
            "gender": interpreter.gender,
            "contact": interpreter.contact,
            "agreement_expires_on": interpreter.agreement_expires_on,
            "notes": interpreter.notes,
            "active": interpreter.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            interpreter_save(actor=user, values=_interpreter_values(form), interpreter=interpreter)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return _see_other("communications:roster")
    return render(
        request,
        "communications/interpreter.html",
        {"interpreter": interpreter, "form": form},
        status=400 if form.errors else 200,
    )
