"""The second-factor code forms, saying which of two things went wrong.

allauth answers "Incorrect code." both to a wrong code and to a right one
that was already spent (a TOTP code is single-use; so is each recovery
code). Someone who typed the code their app shows and is told it is wrong
starts doubting their phone's clock or their app. These forms keep allauth's
checks, rate limit and failure signal, and only choose the words afterwards:
a code that is one of the account's own, and still refused, was used before.

Saying so reveals nothing worth having: the code is spent either way, and
only someone who already passed the password step reaches this form.
"""

from __future__ import annotations

from typing import Any

from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django import forms
from django.utils.translation import gettext_lazy as _

TOTP_REUSED = _(
    "That code was already used. Wait until your app shows a new one, then type the new code "
    "— or use one of your recovery codes."
)
RECOVERY_CODE_REUSED = _(
    "That recovery code was already used: each one works once. "
    "Use another of your recovery codes, or the code your app shows now."
)


def spent_code_message(user: Any, code: str) -> str | None:
    """Why a refused code was refused, when it is one of this account's own:
    the words to show, or None for a code that is simply wrong."""
    code = code.strip()
    for authenticator in Authenticator.objects.filter(user=user):
        if authenticator.type == Authenticator.Type.TOTP:
            secret = decrypt(authenticator.data["secret"])
            if validate_totp_code(secret, code):
                return str(TOTP_REUSED)
        elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
            codes = authenticator.wrap().generate_codes()
            if any(compare_user_code(actual=code, expected=known) for known in codes):
                return str(RECOVERY_CODE_REUSED)
    return None


class _SaysWhySpent:
    user: Any
    cleaned_data: dict[str, Any]

    def clean_code(self) -> str:
        try:
            return str(super().clean_code())  # type: ignore[misc]
        except forms.ValidationError as refused:
            # Only a code compared and refused: a rate-limited attempt was
            # never compared, and must not be now.
            if refused.code != "incorrect_code":
                raise
            spent = spent_code_message(self.user, str(self.cleaned_data.get("code", "")))
            if spent is None:
                raise
            raise forms.ValidationError(spent, code="code_reused") from refused


class HavenAuthenticateForm(_SaysWhySpent, AuthenticateForm):  # type: ignore[misc]
    """The second step of signing in."""

    @property
    def has_security_key(self) -> bool:
        """Whether to offer a security key: only to an account that has one."""
        return bool(
            Authenticator.objects.filter(user=self.user, type=Authenticator.Type.WEBAUTHN).exists()
        )


class HavenReauthenticateForm(_SaysWhySpent, ReauthenticateForm):  # type: ignore[misc]
    """The second factor asked again before a sensitive change."""
