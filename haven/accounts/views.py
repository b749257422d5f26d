"""Staff pages: first setup, invitations, roles, sessions and preferences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from haven.accounts import holds, selectors, services, stepup
from haven.accounts.forms import (
    InvitationForm,
    LanguageForm,
    PasswordPairForm,
    RolesForm,
    SetupForm,
    TeamForm,
)
from haven.accounts.http import authenticated_user
from haven.accounts.models import TEAM_ROLES, User

_BACKEND = "haven.accounts.backends.HavenAuthenticationBackend"


def _sign_in_new_password(request: HttpRequest, user: User) -> None:
    """Sign in someone who has just chosen their password on this request.

    Typing the new password counts as a fresh authentication, so the next
    step (enrolling a second factor) does not ask for it again at once.
    """
    if request.user.is_authenticated:
        logout(request)
    if holds.sign_in_refused(user.username):
        # The password is set; signing in waits for the hold (a lockdown) to end.
        return
    login(request, user, backend=_BACKEND)
    record_authentication(request, user, method="password", reauthenticated=True)


def _link(path: str) -> str:
    return str(settings.HAVEN_BASE_URL).rstrip("/") + path


def _posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, or None on GET.

    Not ``request.POST or None``: a POST with no fields must still be
    validated (and refused), not shown again as a blank form.
    """
    return request.POST if request.method == "POST" else None


def _form_errors_from(form: Any, error: ValidationError, field: str | None = None) -> None:
    for message in error.messages:
        form.add_error(field, message)


# A link's secret is moved into the session at once and the browser sent on
# to an address without it, so the secret never sits in the address bar, the
# history, or any log line about a later request (a form error, say).
_SETUP_SECRET = "haven_setup_secret"  # noqa: S105 - a session key's name, not a secret
_INVITATION_SECRET = "haven_invitation_secret"  # noqa: S105


def _link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/link_invalid.html", status=404)


def _stash_link_secret(
    request: HttpRequest,
    key: str,
    token: str,
    form_view: Callable[[HttpRequest], HttpResponse],
    form_url: str,
) -> HttpResponse:
    request.session[key] = token
    if request.method == "POST":
        # A form posted straight to the link (an old tab, a script) is
        # handled as if posted to the page without the secret.
        return form_view(request)
    return redirect(form_url)


@login_not_required
@require_http_methods(["GET", "POST"])
def setup_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.setup_token_get(token)
    except services.LinkInvalid:
        return _link_invalid(request)
    return _stash_link_secret(request, _SETUP_SECRET, token, setup, "accounts:setup_form")


@login_not_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """The one-time page that creates the first agency and its administrator."""
    token = request.session.get(_SETUP_SECRET, "")
    try:
        services.setup_token_get(token)
    except services.LinkInvalid:
        return _link_invalid(request)
    form = SetupForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.setup_complete(token=token, **form.cleaned_data_for_service())
        except ValidationError as error:
            _form_errors_from(form, error, "password1")
        except IntegrityError:
            form.add_error(None, _("That agency or user name was just taken; choose another."))
        except services.LinkInvalid:
            return _link_invalid(request)
        else:
            _sign_in_new_password(request, user)
            messages.success(request, _("Your agency is ready. Now add a second factor."))
            return redirect("mfa_activate_totp")
    return render(
        request, "accounts/setup.html", {"form": form}, status=400 if form.errors else 200
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.invitation_get(token)
    except services.LinkInvalid:
        return _link_invalid(request)
    return _stash_link_secret(
        request, _INVITATION_SECRET, token, invitation_accept, "accounts:invitation_form"
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    token = request.session.get(_INVITATION_SECRET, "")
    try:
        invitation = services.invitation_get(token)
    except services.LinkInvalid:
        return _link_invalid(request)
    form = PasswordPairForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as error:
            _form_errors_from(form, error, "password1")
        except services.LinkInvalid:
            return _link_invalid(request)
        else:
            _sign_in_new_password(request, user)
            messages.success(
                request, _("Welcome. Now add a second factor to protect your account.")
            )
            return redirect("mfa_activate_totp")
    context = {"form": form, "invited": invitation.user}
    return render(
        request, "accounts/invitation_accept.html", context, status=400 if form.errors else 200
    )


def staff_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    staff = selectors.staff_list(user=user)
    teams = selectors.team_list(user=user)
    return render(request, "accounts/staff_list.html", {"staff": staff, "teams": teams})


@require_http_methods(["GET", "POST"])
def staff_invite(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    selectors.staff_list(user=user)  # 404 unless an administrator
    form = InvitationForm(_posted(request), agency=user.agency)
    if request.method == "POST" and form.is_valid():
        try:
            member, token = services.invitation_create(
                actor=user,
                agency=user.agency,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                grants=form.grants(),
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        except IntegrityError:
            form.add_error("username", _("This user name is taken; choose another."))
        else:
            return _show_invitation_link(request, member, token)
    return render(
        request, "accounts/staff_invite.html", {"form": form}, status=400 if form.errors else 200
    )


def _show_invitation_link(request: HttpRequest, member: User, token: str) -> HttpResponse:
    link = _link(reverse("accounts:invitation_accept", args=[token]))
    return render(request, "accounts/invitation_link.html", {"member": member, "link": link})


@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = authenticated_user(request)
    member = selectors.staff_get(user=user, pk=pk)
    memberships = list(member.memberships.all())
    team = next((m.team for m in memberships if m.role in TEAM_ROLES and m.team), None)
    initial = {"roles": [m.role for m in memberships], "team": team}
    form = RolesForm(_posted(request), agency=user.agency, initial=initial)
    stepup.ask(form, request)
    if request.method == "POST" and stepup.confirmed(form, request):
        try:
            services.staff_set_roles(actor=user, member=member, grants=form.grants())
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Roles saved."))
            return redirect("accounts:staff_detail", pk=member.pk)
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "member": member,
            "form": form,
            "account_form": stepup.bound_for_button(request, _ACCOUNT_FORM),
        },
        status=400 if form.errors else 200,
    )


# The code field of the deactivate and reactivate buttons, apart from the roles form's.
_ACCOUNT_FORM = "account"


def _change_account(
    request: HttpRequest, pk: int, change: Callable[..., None], done: str
) -> HttpResponse:
    """Apply one account service to a staff member and say how it went."""
    user = authenticated_user(request)
    member = selectors.staff_get(user=user, pk=pk)
    stepped = stepup.bound_for_button(request, _ACCOUNT_FORM)
    if not stepup.confirmed(stepped, request):
        messages.error(request, " ".join(str(e) for e in stepped.errors.get(stepup.FIELD, [])))
        return redirect("accounts:staff_detail", pk=member.pk)
    try:
        change(actor=user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("accounts:staff_detail", pk=member.pk)


@require_POST
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_account(
        request,
        pk,
        services.staff_deactivate,
        _("The account is deactivated and its sessions ended."),
    )


@require_POST
def staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_account(
        request, pk, services.staff_reactivate, _("The account is active again.")
    )


@require_POST
def staff_reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    user = authenticated_user(request)
    member = selectors.staff_get(user=user, pk=pk)
    try:
        token = services.invitation_renew(actor=user, user=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:staff_detail", pk=member.pk)
    return _show_invitation_link(request, member, token)


@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    selectors.team_list(user=user)  # 404 unless an administrator
    form = TeamForm(_posted(request), agency=user.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_create(actor=user, agency=user.agency, name=form.cleaned_data["name"])
        except IntegrityError:
            form.add_error("name", _("A team with this name already exists."))
        else:
            messages.success(request, _("Team created."))
            return redirect("accounts:staff_list")
    return render(
        request, "accounts/team_create.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = LanguageForm(_posted(request), initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        services.staff_set_language(user=user, language=form.cleaned_data["language"])
        response = redirect("accounts:preferences")
        # The sign-in page, before anyone is known, follows the same choice.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite="Lax",
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            httponly=True,
        )
        return response
    return render(
        request, "accounts/preferences.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@stepup.fresh_factor_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    services.sessions_end_everywhere(user=user)
    logout(request)
    messages.info(request, _("You are signed out on every device."))
    return redirect("account_login")


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language, open before sign-in, and remembered on the profile after."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.staff_set_language(user=authenticated_user(request), language=language)
    return response


def session_check(request: HttpRequest) -> HttpResponse:
    """Where an idle tab goes. Reaching it does not count as activity, so a
    session that has really gone idle ends here (see SessionTimeoutMiddleware)."""
    return render(request, "accounts/session_check.html")


def locked_out(request: HttpRequest, credentials: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """Axes calls this once a name has too many failures. It says the same
    thing whether or not the name belongs to an account."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
