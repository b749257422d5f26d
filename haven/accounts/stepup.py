"""Step-up: a fresh second factor before the changes a stolen session must not make.

A session cookie copied from an unlocked laptop carries its owner's rights
until it expires. The changes that would let its thief stay, hide or do
lasting harm (roles and accounts, who may lock the agency down, what the
person record holds, the report threshold, destroying a record, sending a
record to a third party, a new API token) ask for proof that the owner is
here now: a second factor used within the last ``HAVEN_STEP_UP_SECONDS``
(five minutes), at sign-in or typed into the form itself.

One place for the rule: pages call ``ask`` when they build the form and
``confirm`` when it comes back; the API, which has no session, calls
``confirm_code`` with the code in the request's body. A code is spent when
it is used (a TOTP code once in its window, a recovery code once ever), so
a code read over someone's shoulder, or replayed from a captured request,
is refused (docs/adr/0029-step-up-and-two-person-approval.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from haven.accounts.mfa_forms import spent_code_message
from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record

FIELD = "second_factor"
# Wrong codes are capped per account, as at sign-in: ten guesses in a
# quarter of an hour, then every code is refused until the window passes.
CODE_ATTEMPTS = 10
CODE_WINDOW = timedelta(minutes=15)
_LONGEST_CODE = 64

WRONG_CODE = _("That code is not right. Try a new one.")
CODE_NEEDED = _(
    "This change needs a fresh second factor: type the code your authenticator app shows now."
)


def window_seconds() -> int:
    return int(settings.HAVEN_STEP_UP_SECONDS)


def second_factor_valid(user: User, code: str) -> bool:
    """Whether ``code`` is a current TOTP code or an unused recovery code of
    ``user``, spending it if so. Wrong codes are capped and audited."""
    attempts_key = f"haven.step_up.codes:{user.pk}"
    if cache.get(attempts_key, 0) >= CODE_ATTEMPTS:
        audit_record(
            action=Action.MFA_FAILED,
            actor=user,
            object_type="user",
            object_id=user.pk,
            detail={"capped": True},
        )
        return False
    code = "".join((code or "").split())
    if code and len(code) <= _LONGEST_CODE:
        for authenticator in Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        ):
            if authenticator.wrap().validate_code(code):
                return True
    if cache.add(attempts_key, 1, timeout=int(CODE_WINDOW.total_seconds())) is False:
        try:
            cache.incr(attempts_key)
        except ValueError:
            cache.set(attempts_key, 1, timeout=int(CODE_WINDOW.total_seconds()))
    audit_record(action=Action.MFA_FAILED, actor=user, object_type="user", object_id=user.pk)
    return False


def second_factor_at(request: HttpRequest) -> float | None:
    """When this session last proved a second factor (sign-in or step-up)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    times = [
        float(record.get("at", 0))
        for record in get_authentication_records(request, user)
        if record.get("method") == "mfa"
    ]
    return max(times) if times else None


def is_fresh(request: HttpRequest) -> bool:
    at = second_factor_at(request)
    return at is not None and time.time() - at < window_seconds()


def _mark_fresh(request: HttpRequest, user: User) -> None:
    # A new session key: one copied before this proof does not share it.
    request.session.cycle_key()
    record_authentication(request, user, method="mfa", type="code", reauthenticated=True)
    audit_record(action=Action.STEP_UP, actor=user, object_type="user", object_id=user.pk)


def refusal(user: User, code: str) -> str:
    """Why a code was refused: spent already (say so, or its owner doubts
    their phone), or simply not right."""
    return spent_code_message(user, code) or str(WRONG_CODE)


def code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_(
            "This change needs a fresh second factor: the code your app shows now, or one of "
            "your recovery codes. You will not be asked again for five minutes."
        ),
        max_length=_LONGEST_CODE,
        # Checked by ``confirm``, which says what is missing in its own words.
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def ask(form: forms.BaseForm, request: HttpRequest) -> None:
    """Give ``form`` the code field, unless this session proved a second
    factor in the last five minutes."""
    if not is_fresh(request):
        form.fields[FIELD] = code_field()


def confirm(form: forms.BaseForm, request: HttpRequest) -> bool:
    """Whether the step-up holds for this submission of ``form`` (validated
    already). A right code starts a new five minutes and drops the field, so
    a form sent back for another mistake does not ask again; a missing or
    wrong one is put on the field."""
    if FIELD not in form.fields:
        return True
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - pages that ask are for signed-in staff
    code = str(form.data.get(form.add_prefix(FIELD), ""))
    if not code.strip():
        form.add_error(FIELD, str(CODE_NEEDED))
        return False
    if not second_factor_valid(user, code):
        form.add_error(FIELD, refusal(user, code))
        return False
    _mark_fresh(request, user)
    del form.fields[FIELD]
    form.errors.pop(FIELD, None)
    return True


def confirmed(form: forms.BaseForm, request: HttpRequest) -> bool:
    """``form.is_valid()`` and ``confirm``: both checked, so one submission
    says everything that is wrong."""
    valid = form.is_valid()
    return confirm(form, request) and valid


def confirm_code(user: User, code: str, *, field: str = FIELD) -> None:
    """For callers without a session (the API): the code sent with the
    request must be right now; raises a ValidationError on ``field`` if not."""
    if not code or not code.strip():
        raise ValidationError({field: [str(CODE_NEEDED)]})
    if not second_factor_valid(user, code):
        raise ValidationError({field: [refusal(user, code)]})
    audit_record(action=Action.STEP_UP, actor=user, object_type="user", object_id=user.pk)


def fresh_factor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a button with no form of its own (ending sessions): a POST from a
    session that is not fresh goes to the second-factor page first, and is
    carried out when the factor is proved (allauth keeps the POST meanwhile;
    it holds no more than the button)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not is_fresh(request):
            asked: HttpResponse = suspend_request(request, reverse("mfa_reauthenticate"))
            return asked
        return view(request, *args, **kwargs)

    return checked


class StepUpOnlyForm(forms.Form):
    """For a change that is one button (deactivating an account): only the code."""


def bound_for_button(request: HttpRequest, prefix: str) -> StepUpOnlyForm:
    form = StepUpOnlyForm(request.POST if request.method == "POST" else None, prefix=prefix)
    ask(form, request)
    return form
