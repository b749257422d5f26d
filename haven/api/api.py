"""The JSON API: schemas and routing only; rules live in services and policies."""

from __future__ import annotations

import math
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationErrorContext
from ninja.errors import ValidationError as RequestInvalid
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from haven.accounts.api_tokens import api_token_authenticate
from haven.accounts.http import authenticated_user, client_address
from haven.accounts.models import User
from haven.accounts.policies import role_names
from haven.accounts.token_failures import TokenClientBlocked
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
from haven.api.common import JSON, problems_of
from haven.api.links import add_links
from haven.core.errors import NotFound
from haven.safety.lockdown import locked_out


class StaffToken(HttpBearer):
    """``Authorization: Bearer hv_…``, a token from ``manage.py create_api_token``.

    A browser never sends this header across sites on its own, so a token
    request needs no CSRF token; session requests still do (``django_auth``).
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # Raises TokenClientBlocked (429) while the address is blocked.
        user = api_token_authenticate(token, address=client_address(request))
        if user is not None and locked_out(user):
            # Lockdown revokes the agency's tokens; this covers one issued since.
            return None
        if user is not None:
            # Views read the caller from request.user, whichever way they came.
            request.user = user
        return user


class BodyNotJson(Exception):
    """A request's body came as some other type than application/json."""


class JsonBodies(Parser):
    """A JSON body is read only when it was sent as one (415 otherwise).

    Ninja would read any body as JSON whatever its type, so ``text/plain``
    or a form's encoding (which another site can make a browser send
    without asking first) would pass. It reads a body only for an operation
    that takes one, after authentication; operations that take a multipart
    form never come here. Nor does a request without a body: nothing is
    missing but the body (422)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        # None: not a request but ninja re-reading a JSON field of a form.
        if request.content_type is not None and request.content_type != JSON:
            raise BodyNotJson
        return super().parse_body(request)


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
                if operation.get("security"):
                    operation["responses"]["429"] = TOO_MANY_WRONG_TOKENS
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


# Any operation a token opens may answer this (haven.accounts.token_failures).
TOO_MANY_WRONG_TOKENS: dict[str, Any] = {
    "description": "Too many wrong tokens from the caller's address: every token from it is "
    "refused until the time in Retry-After (seconds) has passed.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
}


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
    parser=JsonBodies(),
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


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own answer (a body that is not JSON: 400), or 415 for a body
    not sent as JSON, which ninja reports as the cause of its 400."""
    if isinstance(exc.__cause__, BodyNotJson):
        message = _("Send the body as JSON, with the header Content-Type: application/json.")
        return api.create_response(request, {"detail": message}, status=415)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


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


@api.exception_handler(TokenClientBlocked)
def token_client_blocked(request: HttpRequest, exc: TokenClientBlocked) -> HttpResponse:
    """Too many wrong tokens from the caller's address: 429 until the block
    ends, whatever token comes (docs/adr/0003-authentication.md)."""
    minutes = math.ceil(exc.retry_after / 60)
    message = ngettext(
        "Too many attempts with a wrong token from this address. Try again in %(count)d minute.",
        "Too many attempts with a wrong token from this address. Try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}
    response = api.create_response(request, {"detail": message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


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
