"""How allauth behaves in Haven: no public sign-up, sealed TOTP secrets."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest

from haven.core.secretbox import seal, unseal

_TOTP_PURPOSE = "mfa-secret"


class HavenAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Staff join by an administrator's invitation only.
        return False


class HavenMfaAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def get_totp_issuer(self) -> str:
        return str(settings.HAVEN_PRODUCT_NAME)

    def encrypt(self, text: str) -> str:
        # A stolen database should not hand over every staff member's second factor.
        return seal(text, purpose=_TOTP_PURPOSE)

    def decrypt(self, encrypted_text: str) -> str:
        return unseal(encrypted_text, purpose=_TOTP_PURPOSE)
