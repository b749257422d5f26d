"""The JSON API: schemas and routing only; rules live in services and policies."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from haven.accounts.policies import roles_of
from haven.core.http import authenticated_user

api = NinjaAPI(
    title="Haven API",
    version="1",
    urls_namespace="api",
    # The interactive docs page loads scripts that a strict CSP forbids;
    # the OpenAPI document itself is served at /api/v1/openapi.json.
    docs_url=None,
    auth=django_auth,
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
