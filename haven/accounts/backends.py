"""allauth's backend, without its one hint about deactivated accounts."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend


class HavenAuthenticationBackend(AuthenticationBackend):  # type: ignore[misc]
    @classmethod
    def _stash_user(cls, user: Any) -> Any:
        # allauth keeps aside a deactivated user whose password was right, to
        # show them an "account inactive" page. That page tells whoever typed
        # the password that it is still correct, so Haven never keeps them:
        # a deactivated account fails exactly like a wrong password.
        return super()._stash_user(None)
