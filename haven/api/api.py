"""The JSON API: schemas and routing only; rules live in services and policies."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Field, NinjaAPI, Schema
from ninja.errors import ValidationError as RequestInvalid
from ninja.errors import ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, django_auth

from haven.accounts.api_tokens import api_token_authenticate
from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.accounts.policies import role_names
from haven.api import (
    agency_steps,
    attachments,
    communications,
    consent,
    jobs,
    partners,
    people,
    preparedness,
    protocol,
    referrals,
    reports,
    safety,
    shelter_sites,
    shelter_stays,
    staff,
    training,
)
from haven.api.common import problems_of
from haven.api.links import add_links
from haven.core.errors import NotFound
from haven.safety.lockdown import locked_out


class StaffToken(HttpBearer):
    """``Authorization: Bearer hv_…``, a token from ``manage.py create_api_token``.

    A browser never sends this header across sites on its own, so a token
    request needs no CSRF token; session requests still do (``django_auth``).
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None and locked_out(user):
            # Lockdown revokes the agency's tokens; this covers one issued since.
            return None
        if user is not None:
            # Views read the caller from request.user, whichever way they came.
            request.user = user
        return user


class HavenAPI(NinjaAPI):
    """Ninja, with its errors located as the OpenAPI document describes the
    request, and each operation described by its function's docstring: the
    first paragraph is its summary, the rest its description."""

    _documents: dict[tuple[str, str | None], OpenAPISchema]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._documents = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The document, built once per address and language: the operations
        are fixed when the URLs load, and building it takes a quarter of a
        second. Callers read it and never change it."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        if key not in self._documents:
            self._documents[key] = self._document(path_prefix)
        return self._documents[key]

    def _document(self, path_prefix: str) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        for operations in schema["paths"].values():
            for operation in operations.values():
                # Without a docstring, ninja's summary stays: the function's name.
                summary, *rest = _paragraphs(operation.pop("description", "")) or [
                    operation["summary"]
                ]
                operation["summary"] = summary.removesuffix(".")
                if rest:
                    operation["description"] = "\n\n".join(rest)
        add_links(schema)
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> RequestInvalid:
        return RequestInvalid(
            [
                {
                    "type": error["type"],
                    "loc": request_location(context.model, error["loc"]),
                    "msg": _message(error),
                }
                for context in error_contexts
                for error in context.pydantic_validation_error.errors(include_url=False)
            ]
        )


def _paragraphs(text: str) -> list[str]:
    """A docstring's paragraphs, each with its lines joined again: a
    description is read as paragraphs, not as the lines the source was
    wrapped into. (So a description holds prose only: a Markdown list in a
    docstring would run into one line.)"""
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def _message(error: Any) -> str:
    # Pydantic tells what it found in a malformed UUID ("found `x` at 0"): a
    # piece of the input, which an answer never quotes back.
    if error["type"] == "uuid_parsing":
        return "Input should be a valid UUID."
    return str(error["msg"])


def request_location(model: Any, loc: tuple[str | int, ...]) -> list[str | int]:
    """Where in the request a value is, from where it is in ninja's model of
    one part of the request (its body, query, path, form or files).

    Ninja puts a JSON body under the name of its parameter, and a schema of
    query or form fields under its own, so its own errors said
    ``["body", "changes", "legal_name"]``: the document knows neither name,
    only the fields.
    """
    flattened = getattr(model, "__ninja_flatten_map_reverse__", {})
    # A field of a flattened schema, or of a list in one (kinds, item 0).
    for end in range(len(loc), 0, -1):
        if loc[:end] in flattened:
            loc = (*flattened[loc[:end]], *loc[end:])
            break
    single = getattr(model, "__read_from_single_attr__", None)
    if single and loc[:1] == (single,):
        loc = loc[1:]
    return [model.__ninja_param_source__, *loc]


api = HavenAPI(
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
for module in (
    people,
    protocol,
    agency_steps,
    partners,
    consent,
    referrals,
    attachments,
    communications,
    safety,
    shelter_sites,
    shelter_stays,
    training,
    preparedness,
    reports,
    jobs,
    staff,
):
    for router in module.routers:
        api.add_router("/", router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    """Missing, or not the caller's to see: the same answer as ninja's own 404."""
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    """A value the schema refused, or a refusal a route located: 422."""
    return _refused(request, exc.errors)


@api.exception_handler(ValidationError)
def service_refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A rule of a service refused the input: 422, located like a schema
    error. Services word their messages for staff and never quote the input
    back."""
    return _refused(request, problems_of(exc))


def _refused(request: HttpRequest, problems: list[dict[str, Any]]) -> HttpResponse:
    # Only what the shared schema names: pydantic's context may hold the
    # value sent, and the answer never quotes the input back.
    detail = [{"type": p["type"], "loc": list(p["loc"]), "msg": str(p["msg"])} for p in problems]
    return api.create_response(request, {"detail": detail}, status=422)


class Me(Schema):
    id: int = Field(description="Your staff id.")
    username: str
    display_name: str
    agency: str
    agency_id: uuid.UUID = Field(description="Your agency's public id.")
    roles: list[staff.RoleCode]
    memberships: list[staff.MembershipOut] = Field(
        description="Each role you hold, and the team it is held in."
    )
    teams: list[staff.TeamOut] = Field(description="The teams you work in.")
    language: str


@api.get("/me", response=Me)
def me(request: HttpRequest) -> Me:
    """The signed-in staff member, with the ids other operations take."""
    user = authenticated_user(request)
    teams = {m.team_id: m.team for m in user.memberships.select_related("team") if m.team}
    return Me(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        agency=user.agency.name,
        agency_id=user.agency.public_id,
        roles=role_names(user),
        memberships=staff.memberships_out(user),
        teams=[staff.team_out(t) for t in sorted(teams.values(), key=lambda t: (t.name, t.pk))],
        language=user.language,
    )
