"""Pages of the agency's shelter sites: the list, a site, setting it up
(beds, keyholders, alias and team), its sealed details, opening its address
and closing it to admissions.

A site is named by its alias everywhere but on the address page, whose
answer to a POST with a reason and a fresh code is the only response that
ever carries the address (never cached: haven.core.middleware.NeverCacheMiddleware).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.accounts.http import allowed_user, authenticated_user
from haven.accounts.models import User
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.forms import show_refusal
from haven.core.http import see_other
from haven.safety.lockdown import running_lockdown
from haven.shelter import policies
from haven.shelter import site_selectors as selectors
from haven.shelter import sites as services
from haven.shelter.forms_sites import (
    AddressOpenForm,
    BedForm,
    CloseForm,
    KeyholderForm,
    SealedForm,
    SiteForm,
)
from haven.shelter.models import ShelterSite


@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_see_sites)
    return render(
        request,
        "shelter/sites_list.html",
        {
            "rows": selectors.site_list(user=user),
            "manages": policies.may_manage_sites(user),
            "closes": policies.may_close_sites(user),
            # Only lockdown administrators work during a lockdown: they are
            # offered to close the sites too.
            "lockdown": running_lockdown(user.agency_id),
        },
    )


@require_http_methods(["GET", "POST"])
def site_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_manage_sites)
    posted = request.method == "POST"
    form = SiteForm(request.POST if posted else None, teams=selectors.team_choices(user=user))
    if posted and form.is_valid():
        try:
            site = services.site_create(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The site is added. Now add its beds."))
            return see_other("shelter:site_setup", site.pk)
    return render(
        request,
        "shelter/sites_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def site(request: HttpRequest, site_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    row = selectors.site_row(user=user, site_id=site_id)
    found = row.site
    return render(
        request,
        "shelter/sites_site.html",
        {
            "row": row,
            "site": found,
            "beds": selectors.site_beds(found),
            "residents": policies.may_see_residents(user, found),
            "opens": policies.may_open_site_address(user, found),
            "manages": policies.may_manage_site(user, found),
            "closes": policies.may_close_site(user, found),
        },
    )


@require_http_methods(["GET", "POST"])
def site_setup(request: HttpRequest, site_id: uuid.UUID) -> HttpResponse:
    """An administrator's page for a site: alias, team and whether it is in
    use; its beds; its keyholders. Each form says which it is (``action``)."""
    user = authenticated_user(request)
    found = selectors.site_get(user=user, site_id=site_id)
    if not policies.may_manage_site(user, found):
        raise NotFound
    action = request.POST.get("action") if request.method == "POST" else None
    site_form = SiteForm(
        request.POST if action == "site" else None,
        teams=selectors.team_choices(user=user),
        initial={"alias": found.alias, "team_id": str(found.team_id), "is_active": found.is_active},
    )
    bed_form = BedForm(request.POST if action == "bed" else None)
    keyholder_form = KeyholderForm(
        request.POST if action == "keyholder" else None,
        supervisors=selectors.keyholder_choices(user=user, site=found),
    )
    if request.method == "POST" and action not in {"site", "bed", "keyholder"}:
        return HttpResponse(status=400)
    try:
        if action == "site" and site_form.is_valid():
            services.site_edit(actor=user, site_id=found.pk, values=site_form.values())
            messages.success(request, _("Saved."))
            return see_other("shelter:site_setup", found.pk)
        if action == "bed" and bed_form.is_valid():
            services.bed_add(
                actor=user,
                site_id=found.pk,
                room=bed_form.cleaned_data["room"],
                label=bed_form.cleaned_data["label"],
            )
            messages.success(request, _("The bed is added."))
            return see_other("shelter:site_setup", found.pk)
        if action == "keyholder" and keyholder_form.is_valid():
            services.keyholder_add(
                actor=user, site_id=found.pk, user_id=int(keyholder_form.cleaned_data["user_id"])
            )
            messages.success(request, _("The supervisor may now open the site's address."))
            return see_other("shelter:site_setup", found.pk)
    except ValidationError as error:
        form = {"site": site_form, "bed": bed_form}.get(action or "", keyholder_form)
        show_refusal(form, error)
    failed = site_form.errors or bed_form.errors or keyholder_form.errors
    return render(
        request,
        "shelter/sites_setup.html",
        {
            "site": found,
            "site_form": site_form,
            "bed_form": bed_form,
            "keyholder_form": keyholder_form,
            "beds": selectors.site_beds(found),
            "keyholders": selectors.site_keyholders(found),
        },
        status=400 if failed else 200,
    )


@require_POST
def bed_active(request: HttpRequest, site_id: uuid.UUID, bed_id: int) -> HttpResponse:
    user = authenticated_user(request)
    found = selectors.site_get(user=user, site_id=site_id)
    if not policies.may_manage_site(user, found) or not found.beds.filter(pk=bed_id).exists():
        raise NotFound
    in_use = request.POST.get("active") == "1"
    services.bed_set_active(actor=user, bed_id=bed_id, is_active=in_use)
    messages.success(
        request, _("The bed is back in use.") if in_use else _("The bed is out of use.")
    )
    return see_other("shelter:site_setup", found.pk)


@require_POST
def keyholder_remove(request: HttpRequest, site_id: uuid.UUID, user_id: int) -> HttpResponse:
    user = authenticated_user(request)
    found = selectors.site_get(user=user, site_id=site_id)
    # An id past what the database holds names nobody: as if it did not exist.
    if not policies.may_manage_site(user, found) or not 0 < user_id <= limits.LARGEST_ROW_ID:
        raise NotFound
    try:
        services.keyholder_remove(actor=user, site_id=found.pk, user_id=user_id)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed: they may no longer open the site's address."))
    return see_other("shelter:site_setup", found.pk)


def _address_user(request: HttpRequest, site_id: uuid.UUID) -> tuple[User, ShelterSite]:
    """The caller and the site, if they may open its address; 404 otherwise,
    exactly like a site that does not exist."""
    user = authenticated_user(request)
    found = selectors.site_get(user=user, site_id=site_id)
    if not policies.may_open_site_address(user, found):
        raise NotFound
    return user, found


@require_http_methods(["GET", "POST"])
def site_sealed(request: HttpRequest, site_id: uuid.UUID) -> HttpResponse:
    """Record the site's name, address, phone and rules. The form is blank:
    showing what is recorded would open the address without a reason."""
    user, found = _address_user(request, site_id)
    posted = request.method == "POST"
    form = SealedForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            services.site_sealed_set(
                actor=user,
                site_id=found.pk,
                values=form.values(),
                second_factor=form.cleaned_data["second_factor"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved, sealed. Open the address to see it."))
            return see_other("shelter:site", found.pk)
    return render(
        request,
        "shelter/sites_sealed.html",
        {"site": found, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def site_address(request: HttpRequest, site_id: uuid.UUID) -> HttpResponse:
    """Ask why, and a fresh code; the answer to a right POST is the only page
    that shows the address."""
    user, found = _address_user(request, site_id)
    posted = request.method == "POST"
    form = AddressOpenForm(request.POST if posted else None)
    opened = None
    if posted and form.is_valid():
        try:
            opened = services.site_address_open(
                actor=user,
                site_id=found.pk,
                reason=form.cleaned_data["reason"],
                second_factor=form.cleaned_data["second_factor"],
            )
        except ValidationError as error:
            show_refusal(form, error)
    return render(
        request,
        "shelter/sites_address.html",
        {"site": found, "form": form, "opened": opened},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def site_close(request: HttpRequest, site_id: uuid.UUID) -> HttpResponse:
    """Close the site to admissions for 1 to 7 days, or reopen it early."""
    user = authenticated_user(request)
    found = selectors.site_get(user=user, site_id=site_id)
    if not policies.may_close_site(user, found):
        raise NotFound
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in {"close", "reopen"}:
        return HttpResponse(status=400)
    form = CloseForm(request.POST if action == "close" else None)
    closure = selectors.closure_of(found)
    refusal: list[str] = []
    if action == "close" and form.is_valid():
        try:
            services.site_close(
                actor=user,
                site_id=found.pk,
                days=form.cleaned_data["days"],
                why=form.cleaned_data["why"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.warning(request, _("The site is closed to new admissions."))
            return see_other("shelter:site_close", found.pk)
    if action == "reopen":
        try:
            reopened = services.site_reopen(actor=user, site_id=found.pk)
        except ValidationError as error:
            refusal = error.messages
        else:
            messages.success(
                request,
                _("The site takes admissions again.")
                if reopened
                else _("Recorded. A second lockdown administrator must now reopen the site."),
            )
            return see_other("shelter:site_close", found.pk)
    return render(
        request,
        "shelter/sites_close.html",
        {"site": found, "form": form, "closure": closure, "refusal": refusal},
        status=400 if form.errors or refusal else 200,
    )
