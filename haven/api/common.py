"""The shared core of the JSON API: what every router uses, in one place.

The response schemas of a refusal and of a missing record (the types of
what a request brings are in ``haven.api.inputs``), the case lookup the
routes open a case with, and where a service's refusal is located.

A router imports from here, never a private name of another router. The
answers themselves are made in one place, the exception handlers of
``haven.api.api``: a route raises the domain's ``NotFound`` (404) or lets a
service's ``ValidationError`` through (422).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import ValidationError as RequestInvalid

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.inputs import CaseId
from haven.core.errors import NotFound
from haven.people import selectors as people_selectors
from haven.people.models import Case

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    ValuesT = TypeVar("ValuesT", bound=DataclassInstance)
else:
    ValuesT = TypeVar("ValuesT")
SchemaT = TypeVar("SchemaT", bound=Schema)

# --- Answers -------------------------------------------------------------------------


class Message(Schema):
    detail: str


class Problem(Schema):
    """One thing wrong with a request."""

    type: str = Field(description="What kind of problem, e.g. missing or refused.")
    loc: list[str | int] = Field(
        description='Where: ["body", field], ["query", name], ["path", name], ["body"] for '
        'the body as a whole; ["form", field] or ["file", field] in a multipart body.'
    )
    msg: str = Field(description="What to do about it, in words for staff.")


class Refusals(Schema):
    """What was wrong with the request: each problem's location and message."""

    detail: list[Problem]


# The answers a route may document, spread into its ``response``.
NOT_FOUND: dict[int, Any] = {404: Message}
# A body that is not JSON at all (schema errors are 422), or not sent as
# application/json (haven.api.api refuses it before reading it).
BAD_BODY: dict[int, Any] = {400: Message, 415: Message}
REFUSED: dict[int, Any] = {422: Refusals}
# What a route that takes a JSON body may answer besides its success.
WRITE_FAILURES: dict[int, Any] = {**NOT_FOUND, **BAD_BODY, **REFUSED}
NO_CONTENT: dict[int, Any] = {204: None}
JSON = "application/json"


def download(description: str, media_types: Iterable[str]) -> dict[str, Any]:
    """The 200 of an operation that answers with a file (its
    ``openapi_extra``; ninja documents JSON answers only): one entry for
    each type the file may have, never ``*/*``, so a client and a checker
    know what comes. A file is bytes, except a JSON file, which is a
    document like any other JSON answer."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    json_file = {"schema": {"type": "object"}}
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {kind: json_file if kind == JSON else binary for kind in media_types},
            }
        }
    }


Loc = tuple[str | int, ...]


def problems_of(
    error: ValidationError, at: Mapping[str, Loc] | None = None, *, whole: Loc = ("body",)
) -> list[dict[str, Any]]:
    """A service's refusal as problems located in the request.

    A field the service names is a field of the body (or of the form)
    unless ``at`` says where the client sent it; a refusal that names no
    field (or names ``__all__``, the record as a whole) is at ``whole``. A
    refusal of a path id or of a file is all about it, whatever it names.
    """
    at = at or {}
    where = whole[:1]
    if not hasattr(error, "error_dict") or where not in {("body",), ("form",)}:
        return [{"type": "refused", "loc": list(whole), "msg": str(m)} for m in error.messages]
    return [
        {
            "type": "refused",
            "loc": list(at.get(field, whole if field == NON_FIELD_ERRORS else (*where, field))),
            "msg": str(message),
        }
        for field, messages in error.message_dict.items()
        for message in messages
    ]


@contextmanager
def refusals_at(
    at: Mapping[str, str | Loc] | None = None, *, whole: Loc = ("body",)
) -> Iterator[None]:
    """Locates a service's refusal where the client sent what it is about,
    when the service's names are not the request's: ``at`` maps a name of
    the service to a field of the same part of the request (a string) or
    to a whole location (a tuple)."""
    where = whole[:1]
    located = {name: (*where, to) if isinstance(to, str) else to for name, to in (at or {}).items()}
    try:
        yield
    except ValidationError as error:
        raise RequestInvalid(problems_of(error, located, whole=whole)) from None


# --- Output types --------------------------------------------------------------------


class FileOut(Schema):
    id: uuid.UUID = Field(description="GET /attachments/{id}.")
    content_type: str = Field(description="Judged from the bytes at upload, never the name.")
    size: int = Field(description="In bytes.")


def values_of(values: type[ValuesT], body: Schema, **given: Any) -> ValuesT:
    """What a service takes (its dataclass of values), from the fields of
    the body with the same names, then ``given``."""
    sent = type(body).model_fields
    return values(
        **{
            field.name: getattr(body, field.name)
            for field in dataclasses.fields(values)
            if field.name in sent and field.name not in given
        },
        **given,
    )


def out(schema: type[SchemaT], record: object, **given: Any) -> SchemaT:
    """An answer: ``schema`` filled from the attributes of ``record`` with
    the names of its fields (``id`` is the record's primary key), then
    ``given``; a field the record lacks keeps its default. A sealed text
    left empty answers "" (see ``text``)."""
    found: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        attribute = "pk" if name == "id" else name
        if name in given or (not field.is_required() and not hasattr(record, attribute)):
            continue  # given, or the schema's default
        value = getattr(record, attribute)
        found[name] = text(value) if field.annotation is str else value
    return schema(**found, **given)


def text(value: str | None) -> str:
    """A sealed text field left empty reads back as None; the API answers ""."""
    return value or ""


def page_of(shown: Page) -> dict[str, int]:  # type: ignore[type-arg]
    """Where a page of a paginated list stands, for its answer."""
    return {
        "page": shown.number,
        "pages": shown.paginator.num_pages,
        "total": shown.paginator.count,
    }


PageSchema = TypeVar("PageSchema", bound=Schema)


def page_out(
    schema: type[PageSchema],
    shown: Page,  # type: ignore[type-arg]
    item: Callable[[Any], Any],
) -> PageSchema:
    """One page of a paginated list as its answer, each row made by ``item``."""
    return schema.model_validate({**page_of(shown), "items": [item(row) for row in shown]})


# --- Looking things up ---------------------------------------------------------------


def uuid_or_404(value: str | uuid.UUID) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        # A malformed id answers exactly like a record that does not exist.
        raise NotFound from None


def staff_allowed(request: HttpRequest, may: Callable[[User], bool]) -> User:
    """The caller, if ``may`` lets them in; otherwise 404, exactly like a
    route that does not exist."""
    user = authenticated_user(request)
    if not may(user):
        raise NotFound
    return user


def case_for(
    request: HttpRequest,
    case_id: str | uuid.UUID,
    may: Callable[[User], bool] | None = None,
    *,
    allowed: Callable[[Case], bool] | None = None,
) -> tuple[User, Case]:
    """The caller and the case, if they may open it and ``may`` allows them
    the action (or ``allowed``, the case in hand); otherwise 404, exactly
    like a case that does not exist. Asked before the read, which
    ``case_get`` audits, so a refusal leaves no audit event."""
    user = authenticated_user(request)
    rule = allowed if may is None else (lambda _case: may(user))
    return user, people_selectors.case_get(user=user, case_id=uuid_or_404(case_id), allowed=rule)


# --- Declaring routes ----------------------------------------------------------------


def case_records(
    router: Router,
    path: str,
    schema: type[SchemaT],
    may: Callable[[User], bool],
) -> Callable[[Callable[[Case], list[SchemaT]]], Callable[[Case], list[SchemaT]]]:
    """Declares ``GET path`` (a path with ``{case_id}``): a case's records of
    one kind, answered to those ``may`` lets see them and 404 to anyone
    else, exactly like a case that does not exist.

    The decorated function lists the records of the case in hand; its name,
    module and docstring become the operation's id, URL name, summary and
    description, as for a route written out in full."""

    def declare(records: Callable[[Case], list[SchemaT]]) -> Callable[[Case], list[SchemaT]]:
        def listing(request: HttpRequest, case_id: CaseId) -> list[SchemaT]:
            _user, case = case_for(request, case_id, may)
            return records(case)

        listing.__name__ = listing.__qualname__ = records.__name__
        listing.__module__ = records.__module__
        listing.__doc__ = records.__doc__
        router.get(path, response={200: list[schema], **NOT_FOUND})(listing)  # type: ignore[valid-type]
        return records

    return declare
