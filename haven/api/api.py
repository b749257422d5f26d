"""The JSON API: schemas and routing only; rules live in services and policies."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer, django_auth

from haven.accounts.api_tokens import api_token_authenticate
from haven.accounts.models import User
from haven.accounts.policies import roles_of
from haven.core.http import authenticated_user


class StaffToken(HttpBearer):
    """``Authorization: Bearer hv_…``, a token from ``manage.py create_api_token``.

    A browser never sends this header across sites on its own, so a token
    request needs no CSRF token; session requests still do (``django_auth``).
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            # Views read the caller from request.user, whichever way they came.
            request.user = user
        return user


api = NinjaAPI(
    title="Haven API",
    version="1",
    urls_namespace="api",
    # The interactive docs page loads scripts that a strict CSP forbids;
    # the OpenAPI document itself is served at /api/v1/openapi.json.
    docs_url=None,
    # The token is tried first: a wrong one falls through to the session,
    # which answers 401 (or 403 for an unsafe method without a CSRF token).
    auth=[StaffToken(), django_auth],
)


class Me(Schema):
    username: str
    display_name: str
    agency: str
    roles: list[str]
    language: str


@api.get("/me", response=Me, summary="The signed-in staff member")
def me(request: HttpRequest) -> Me:
    user = authenticated_user(request)
    return Me(
        username=user.username,
        display_name=user.display_name,
        agency=user.agency.name,
        roles=sorted(roles_of(user)),
        language=user.language,
    )
