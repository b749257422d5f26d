"""A case's documents: the list, adding one, and handing one out."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.attachments import selectors
from haven.attachments.forms import DocumentForm
from haven.attachments.models import Use
from haven.attachments.policies import may_handle_attachments
from haven.attachments.responses import attachment_response, body_too_large
from haven.attachments.services import attachment_open, attachment_store, too_large_message
from haven.core.forms import show_refusal
from haven.people.access import case_for, names_hidden_for
from haven.people.models import Case


def _page(
    request: HttpRequest,
    user: User,
    case: Case,
    form: DocumentForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "attachments/documents.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "rows": selectors.attachments_of(case),
            "form": form or DocumentForm(),
            "problem": problem,
        },
        status=status,
    )


@csrf_exempt  # checked in _documents_post, once the size is known to be acceptable
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_handle_attachments(user))
    if request.method == "GET":
        return _page(request, user, case)
    if body_too_large(request):
        return _page(request, user, case, problem=too_large_message(), status=413)
    return _documents_post(request, user, case)


@csrf_protect
def _documents_post(request: HttpRequest, user: User, case: Case) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment_store(
                actor=user,
                case=case,
                upload=form.cleaned_data["file"],
                use=Use.DOCUMENT,
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The file is kept, sealed."))
            response = redirect("attachments:documents", case_id=case.pk)
            response.status_code = 303
            return response
    return _page(request, user, case, form=form, status=400)


@require_GET
def download(request: HttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    attachment, data = attachment_open(actor=user, attachment_id=attachment_id)
    return attachment_response(attachment, data)
