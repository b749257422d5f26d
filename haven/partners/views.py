"""The directory's pages: the list with its filters, a partner's page, the
forms that keep it up to date, and the HSDS import and export.

Every page asks the directory's policy through the selectors and services,
so someone who may not see a page, or a partner of another agency, gets the
same 404 as a page that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.partners import exchange, selectors, services
from haven.partners.forms import (
    ContactForm,
    DirectoryFilterForm,
    ExportForm,
    ImportForm,
    LocationForm,
    OrganizationForm,
    ServiceForm,
)
from haven.partners.hsds.load import Summary
from haven.partners.hsds.reader import MAX_UPLOAD_BYTES, ImportRefused
from haven.partners.languages import display_name
from haven.partners.models import Organization, ServiceStatus
from haven.partners.policies import (
    may_edit_directory,
    may_exchange_directory,
    may_read_directory,
)
from haven.partners.taxonomy import term_label
from haven.protocol.needs import category_label

# Room for the multipart envelope around an upload at the size limit.
_ENVELOPE = 64 * 1024


def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303
    return response


def _org_url(organization: Organization) -> str:
    return reverse("partners:organization", kwargs={"organization_id": organization.pk})


def _editor(request: HttpRequest) -> User:
    user = authenticated_user(request)
    if not may_edit_directory(user):
        raise Http404
    return user


# --- Reading -------------------------------------------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    if not may_read_directory(user):
        raise Http404
    form = DirectoryFilterForm(request.GET or None, agency_id=user.agency_id)
    wanted = selectors.DirectoryFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        wanted = selectors.DirectoryFilter(
            kind=data["kind"],
            need=data["need"],
            language=data["language"],
            area=data["area"],
            text=" ".join(data["q"].split()),
        )
    page = Paginator(selectors.directory_search(user=user, wanted=wanted), selectors.PAGE_SIZE)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    current = page.get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/directory.html",
        {
            "form": form,
            "page": current,
            "query": query.urlencode(),
            "filtered": wanted != selectors.DirectoryFilter(),
            "may_edit": may_edit_directory(user),
            "may_exchange": may_exchange_directory(user),
        },
        status=400 if form.errors else 200,
    )


def organization_detail(request: HttpRequest, organization_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    parts = selectors.organization_page(organization)
    service_rows = [
        {
            "service": service,
            "status": ServiceStatus(service.status).label
            if service.status in ServiceStatus.values
            else service.status,
            "needs": [category_label(c) for c in service.need_categories.all()],
            "terms": [term_label(t) for t in service.taxonomy_terms.all()],
            "languages": sorted(
                {display_name(lang.code, lang.name) for lang in service.languages.all()}
            ),
            "areas": [a.name for a in service.areas.all()],
        }
        for service in parts["services"]  # type: ignore[attr-defined]
    ]
    return render(
        request,
        "partners/organization.html",
        {
            "organization": organization,
            "services": service_rows,
            "locations": parts["locations"],
            "contacts": parts["contacts"],
            "phones": parts["phones"],
            "may_edit": may_edit_directory(user),
        },
    )


# --- Editing -------------------------------------------------------------------------------


def _edit_page(
    request: HttpRequest,
    *,
    form: Form,
    heading: str,
    save: Callable[[], object],
    done: str,
    organization: Organization | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return _see_other(done)
    return render(
        request,
        "partners/edit.html",
        {"form": form, "heading": heading, "organization": organization, "cancel": done},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = OrganizationForm(request.POST if request.method == "POST" else None)
    created: list[Organization] = []

    def save() -> None:
        created.append(services.organization_save(actor=user, values=form.cleaned_data))

    response = _edit_page(
        request,
        form=form,
        heading=_("Add a partner"),
        save=save,
        done=reverse("partners:directory"),
    )
    if created:
        return _see_other(_org_url(created[0]))
    return response


@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, organization_id: uuid.UUID) -> HttpResponse:
    user = _editor(request)
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    form = OrganizationForm(
        request.POST if request.method == "POST" else None,
        initial=OrganizationForm.initial_for(organization),
    )
    return _edit_page(
        request,
        form=form,
        heading=_("Change %(name)s") % {"name": organization.name},
        save=lambda: services.organization_save(
            actor=user, values=form.cleaned_data, organization=organization
        ),
        done=_org_url(organization),
        organization=organization,
    )


def _service_values(form: ServiceForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@require_http_methods(["GET", "POST"])
def service_edit(
    request: HttpRequest, organization_id: uuid.UUID, service_id: uuid.UUID | None = None
) -> HttpResponse:
    user = _editor(request)
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    service = None
    initial: dict[str, Any] = {"status": ServiceStatus.ACTIVE}
    if service_id is not None:
        service = selectors.service_get(user=user, organization=organization, service_id=service_id)
        initial = ServiceForm.initial_for(service)
    form = ServiceForm(
        request.POST if request.method == "POST" else None, actor=user, initial=initial
    )
    return _edit_page(
        request,
        form=form,
        heading=_("Add a service") if service is None else _("Change the service"),
        save=lambda: services.service_save(
            actor=user, organization=organization, values=_service_values(form), service=service
        ),
        done=_org_url(organization),
        organization=organization,
    )


@require_http_methods(["GET", "POST"])
def location_edit(
    request: HttpRequest, organization_id: uuid.UUID, location_id: uuid.UUID | None = None
) -> HttpResponse:
    user = _editor(request)
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    location = None
    initial: dict[str, Any] = {"country": "US"}
    if location_id is not None:
        location = selectors.location_get(
            user=user, organization=organization, location_id=location_id
        )
        initial = {
            name: getattr(location, name)
            for name in LocationForm.base_fields
            if name != "service_ids"
        }
        initial["service_ids"] = [
            str(pk) for pk in location.services_here.values_list("service_id", flat=True)
        ]
    form = LocationForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        initial=initial,
    )
    return _edit_page(
        request,
        form=form,
        heading=_("Add a location") if location is None else _("Change the location"),
        save=lambda: services.location_save(
            actor=user, organization=organization, values=form.cleaned_data, location=location
        ),
        done=_org_url(organization),
        organization=organization,
    )


@require_http_methods(["POST"])
def location_remove(
    request: HttpRequest, organization_id: uuid.UUID, location_id: uuid.UUID
) -> HttpResponse:
    user = _editor(request)
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    location = selectors.location_get(user=user, organization=organization, location_id=location_id)
    services.location_remove(actor=user, location=location)
    messages.success(request, _("The location is removed."))
    return _see_other(_org_url(organization))


@require_http_methods(["GET", "POST"])
def contact_edit(
    request: HttpRequest, organization_id: uuid.UUID, contact_id: uuid.UUID | None = None
) -> HttpResponse:
    user = _editor(request)
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    contact = None
    initial: dict[str, Any] = {}
    if contact_id is not None:
        contact = selectors.contact_get(user=user, organization=organization, contact_id=contact_id)
        initial = {n: getattr(contact, n) for n in ("name", "title", "department", "email")}
        initial["phone"] = services.main_phone(contact=contact)
    form = ContactForm(request.POST if request.method == "POST" else None, initial=initial)
    return _edit_page(
        request,
        form=form,
        heading=_("Add someone to ask for") if contact is None else _("Change the contact"),
        save=lambda: services.contact_save(
            actor=user, organization=organization, values=form.cleaned_data, contact=contact
        ),
        done=_org_url(organization),
        organization=organization,
    )


@require_http_methods(["POST"])
def contact_remove(
    request: HttpRequest, organization_id: uuid.UUID, contact_id: uuid.UUID
) -> HttpResponse:
    user = _editor(request)
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    contact = selectors.contact_get(user=user, organization=organization, contact_id=contact_id)
    services.contact_remove(actor=user, contact=contact)
    messages.success(request, _("The contact is removed."))
    return _see_other(_org_url(organization))


# --- Import and export ---------------------------------------------------------------------


def _exchanger(request: HttpRequest) -> User:
    user = authenticated_user(request)
    if not may_exchange_directory(user):
        raise Http404
    return user


def _exchange_page(
    request: HttpRequest,
    *,
    import_form: ImportForm | None = None,
    problems: list[str] | None = None,
    summary: Summary | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "partners/exchange.html",
        {
            "form": import_form or ImportForm(),
            "export_form": ExportForm(),
            "problems": problems or [],
            "summary": summary,
        },
        status=status,
    )


def exchange_page(request: HttpRequest) -> HttpResponse:
    _exchanger(request)
    return _exchange_page(request)


@csrf_exempt  # checked below, once the size is known to be acceptable
@require_http_methods(["POST"])
def directory_import(request: HttpRequest) -> HttpResponse:
    """Refuse an oversized upload from its declared length, before anything
    reads the body (the CSRF check would parse it, so it runs after)."""
    user = _exchanger(request)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_UPLOAD_BYTES + _ENVELOPE:
        return _exchange_page(request, problems=[_too_large()], status=413)
    return _directory_import(request, user)


@csrf_protect
def _directory_import(request: HttpRequest, user: User) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _exchange_page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        # The file's own size, before a byte of it is read.
        exchange.refuse_oversized(upload.size)
        summary = exchange.directory_import(
            actor=user, filename=upload.name or "upload", data=upload.read()
        )
    except ImportRefused as refused:
        return _exchange_page(request, problems=refused.problems, status=400)
    return _exchange_page(request, summary=summary)


def _too_large() -> str:
    return _("The file is larger than 10 MB. Split the directory into smaller files.")


@require_http_methods(["POST"])
def directory_export(request: HttpRequest) -> HttpResponse:
    user = _exchanger(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _exchange_page(request, status=400)
    name, content = exchange.directory_export(actor=user, form=form.cleaned_data["format"])
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


_ORG = "partners/<uuid:organization_id>/"

urlpatterns = [
    path("partners/", directory, name="directory"),
    path("partners/new/", organization_create, name="organization_create"),
    path("partners/exchange/", exchange_page, name="exchange"),
    path("partners/exchange/import/", directory_import, name="import"),
    path("partners/exchange/export/", directory_export, name="export"),
    path(_ORG, organization_detail, name="organization"),
    path(f"{_ORG}edit/", organization_edit, name="organization_edit"),
    path(f"{_ORG}services/new/", service_edit, name="service_create"),
    path(f"{_ORG}services/<uuid:service_id>/", service_edit, name="service_edit"),
    path(f"{_ORG}locations/new/", location_edit, name="location_create"),
    path(f"{_ORG}locations/<uuid:location_id>/", location_edit, name="location_edit"),
    path(f"{_ORG}locations/<uuid:location_id>/remove/", location_remove, name="location_remove"),
    path(f"{_ORG}contacts/new/", contact_edit, name="contact_create"),
    path(f"{_ORG}contacts/<uuid:contact_id>/", contact_edit, name="contact_edit"),
    path(f"{_ORG}contacts/<uuid:contact_id>/remove/", contact_remove, name="contact_remove"),
]
