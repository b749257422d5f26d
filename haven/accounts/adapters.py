"""How allauth behaves in Haven: no public sign-up, sealed TOTP secrets."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from haven.accounts import holds
from haven.core.secretbox import seal_text, unseal_text

_TOTP_PURPOSE = "mfa-secret"


class HavenAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Staff join by an administrator's invitation only.
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """During an agency's lockdown its staff are refused before their
        password is even checked, with the words of a wrong password, so the
        page says nothing of the lockdown or of the password; only the
        lockdown administrators go on. Every refusal is audited."""
        super().pre_authenticate(request, **credentials)
        if holds.sign_in_refused(str(credentials.get("username") or "")):
            # The same answer, after about the same time, as a wrong
            # password: the page must not tell a stranger that this name
            # exists and that its agency is locked down.
            make_password(str(credentials.get("password") or ""))
            raise self.validation_error("username_password_mismatch")

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        """A lockdown that started while this person was typing their second
        factor still keeps them out: signed out again at once, audited."""
        answer = holds.session_ended(request, user)
        if answer is not None:
            return answer
        return super().post_login(request, user, **kwargs)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Do not ask for the password again right after it was typed, when the
        account is enrolling its first second factor (the only thing such a
        session can do), nor for the recovery codes shown right after that
        enrolment. Every other change to second factors still asks: removing
        or replacing the one just made, or making new codes."""
        request = context.request
        user = getattr(request, "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated:
            typed_at = _password_typed_at(request, user)
            recent = (
                typed_at is not None
                and time.time() - typed_at < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
            )
            enrolling = not is_mfa_enabled(user, ["totp", "webauthn"])
            viewing_new_codes = (
                _url_name(request) == "mfa_view_recovery_codes"
                and typed_at is not None
                and _enrolled_since(user, typed_at)
            )
            if recent and (enrolling or viewing_new_codes):
                return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))


def _url_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return str(match.url_name) if match is not None else ""


def _password_typed_at(request: HttpRequest, user: Any) -> float | None:
    records = get_authentication_records(request, user)
    times = [r.get("at", 0) for r in records if r.get("method") == "password"]
    return max(times) if times else None


def _enrolled_since(user: Any, moment: float) -> bool:
    """Whether the account's first second factor was made after ``moment``."""
    first = (
        Authenticator.objects.filter(user=user)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return first is not None and first.timestamp() >= moment


class HavenMfaAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    # Words that say what to do, not only that something failed.
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "That code is not right. Type the 6 digits your authenticator app shows now "
            "(or one of your recovery codes)."
        ),
    }

    def get_totp_issuer(self) -> str:
        return str(settings.HAVEN_PRODUCT_NAME)

    def encrypt(self, text: str) -> str:
        # A stolen database should not hand over every staff member's second factor.
        return seal_text(text, purpose=_TOTP_PURPOSE)

    def decrypt(self, encrypted_text: str) -> str:
        return unseal_text(encrypted_text, purpose=_TOTP_PURPOSE)
