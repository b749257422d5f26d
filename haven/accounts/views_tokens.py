"""A staff member's own API tokens: made with a fresh second factor, shown once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import stepup
from haven.accounts.api_tokens import (
    API_TOKEN_MAX_LIFETIME,
    api_token_create,
    api_token_revoke_own,
    api_tokens_of,
)
from haven.accounts.http import authenticated_user
from haven.core.forms import show_refusal


class TokenForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("How long it works"),
        coerce=int,
        choices=[
            (d, ngettext_lazy("%(count)d day", "%(count)d days", "count") % {"count": d})
            for d in (1, 7, 14, API_TOKEN_MAX_LIFETIME.days)
        ],
        initial=7,
        help_text=gettext_lazy(
            "A token acts as you in the API, with your roles: keep it as you would your "
            "password, and revoke it here when the program that uses it is done."
        ),
    )


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    if request.method == "POST" and not _first_sending(request):
        # The browser sent the same form again (a reload): one token per form.
        messages.info(
            request,
            _(
                "That form was sent already: the token it made was shown then and is in the "
                "list. Make another if you need one."
            ),
        )
        return redirect("accounts:api_tokens")
    form = TokenForm(request.POST if request.method == "POST" else None)
    stepup.ask(form, request)
    made = None
    if request.method == "POST" and stepup.confirmed(form, request):
        try:
            made = api_token_create(
                user=user, lifetime=timedelta(days=form.cleaned_data["days"]), actor=user
            )
        except ValidationError as error:
            show_refusal(form, error)
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": TokenForm() if made else form,
            "made": made,
            "tokens": api_tokens_of(user),
            "once": _new_sending(request),
        },
        status=400 if form.errors else 200,
    )
    # The one page that ever shows the token: never kept by a cache or the history.
    response["Cache-Control"] = "no-store"
    return response


# Each rendering of the form carries a one-use value, kept in the session:
# a form sent twice (a reload of the page that showed the token) makes no
# second token.
_ONCE = "haven_api_token_form"


def _new_sending(request: HttpRequest) -> str:
    once = secrets.token_urlsafe(16)
    request.session[_ONCE] = once
    return once


def _first_sending(request: HttpRequest) -> bool:
    expected = request.session.pop(_ONCE, None)
    sent = str(request.POST.get("once", ""))
    return bool(expected) and constant_time_compare(sent, str(expected))


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = authenticated_user(request)
    api_token_revoke_own(user=user, token_id=pk)
    messages.success(request, _("The token is revoked; programs using it are refused now."))
    return redirect("accounts:api_tokens")
