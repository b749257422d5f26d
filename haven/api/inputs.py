"""The types of what a request brings: text cleaned as the forms clean it,
one type for each kind of text (``haven.core.limits``), dates and moments,
the codes several capabilities share, the one base of request bodies, and
the path and query parameters every router names the same way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

import annotated_types
from django.db.models import Choices
from ninja import Field, Schema
from ninja.params import P, PathEx, QueryEx
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Strict, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

from haven.core import limits
from haven.core.text import HIDDEN_CHARACTERS_MESSAGE, has_hidden_characters, single_spaced

LARGEST_ID = 2**63 - 1


def clean_text(value: str) -> str:
    """Any script, combining marks and emoji; no control characters. Runs of
    whitespace become one space, as the web forms store them."""
    if has_hidden_characters(value):
        raise PydanticCustomError("control_characters", HIDDEN_CHARACTERS_MESSAGE)
    return single_spaced(value)


def clean_note(value: str) -> str:
    """Like a line, but the lines of a note are kept."""
    if has_hidden_characters(value):
        raise PydanticCustomError("control_characters", HIDDEN_CHARACTERS_MESSAGE)
    return value.strip()


@dataclass(frozen=True)
class OneLine(annotated_types.GroupedMetadata):
    """``Annotated[str, OneLine(n)]``: a JSON string of at most n characters,
    cleaned as one line (``clean_text``)."""

    max_length: int

    def __iter__(self) -> Iterator[Any]:
        yield annotated_types.MaxLen(self.max_length)
        yield Strict()
        yield AfterValidator(clean_text)


@dataclass(frozen=True)
class Lines(annotated_types.GroupedMetadata):
    """``Annotated[str, Lines(n)]``: like ``OneLine``, keeping its lines."""

    max_length: int

    def __iter__(self) -> Iterator[Any]:
        yield annotated_types.MaxLen(self.max_length)
        yield Strict()
        yield AfterValidator(clean_note)


@dataclass(frozen=True)
class Coded(annotated_types.GroupedMetadata):
    """``Annotated[str, Coded(SomeChoices)]``: one of a model's codes. The
    OpenAPI document lists them as an enum built from the model's choices,
    so the two never drift; ``blank=True`` also takes "" (not answered).
    Answers use it too, so a client knows every value it may receive."""

    choices: type[Choices]
    blank: bool = False

    @property
    def values(self) -> list[str]:
        return ([""] if self.blank else []) + [str(v) for v in self.choices.values]

    def check(self, value: str) -> str:
        if value not in self.values:
            raise PydanticCustomError(
                "enum",
                "Input should be one of: {expected}.",
                {"expected": ", ".join(v or '""' for v in self.values)},
            )
        return value

    def __iter__(self) -> Iterator[Any]:
        yield AfterValidator(self.check)
        yield WithJsonSchema({"type": "string", "enum": self.values})


# One input type for each kind of text (haven.core.limits): the type of a
# field says how long it may be and whether it may hold line breaks.
Line = Annotated[str, OneLine(limits.LINE)]
WideLine = Annotated[str, OneLine(limits.WIDE_LINE)]
SummaryLine = Annotated[str, OneLine(limits.SUMMARY)]
Summary = Annotated[str, Lines(limits.SUMMARY)]
LongLine = Annotated[str, OneLine(limits.SHORT_NOTE)]
ShortNote = Annotated[str, Lines(limits.SHORT_NOTE)]
Note = Annotated[str, Lines(limits.NOTE)]
LongNote = Annotated[str, Lines(limits.LONG_NOTE)]
LongText = Annotated[str, Lines(limits.LONG)]
DirectoryText = Annotated[str, Lines(limits.DIRECTORY_TEXT)]
Body = Annotated[str, Lines(limits.BODY)]
Phone = Annotated[str, OneLine(limits.PHONE)]
ShortLine = Annotated[str, OneLine(limits.SHORT_LINE)]
PartnerPhone = Annotated[str, OneLine(limits.PARTNER_PHONE)]
Code = Annotated[str, OneLine(limits.CODE)]
Email = Annotated[str, OneLine(limits.EMAIL)]
Url = Annotated[str, OneLine(limits.URL)]
# The agency's own protocol steps: a step's code, and one checklist item.
StepCode = Annotated[str, OneLine(limits.STEP_CODE)]
ChecklistItem = Annotated[str, OneLine(limits.CHECKLIST_ITEM)]


class Input(Schema):
    """The base of every JSON body."""

    # An unknown field is a mistake (or a probe) worth telling the client about.
    model_config = ConfigDict(extra="forbid")


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: object) -> object:
    # Only the one spelling: pydantic would also take a number of seconds.
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "Enter the date as YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "This date does not exist.") from None


def _optional_date(value: object) -> object:
    return None if value is None else iso_date(value)


def moment(value: object) -> object:
    """A time with its UTC offset: without one, the day it fell on is unknown."""
    if value is None:
        return None
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise PydanticCustomError(
            "datetime_format", "Enter the time as YYYY-MM-DDTHH:MM with its UTC offset."
        )
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("datetime_invalid", "This time does not exist.") from None
    if found.tzinfo is None:
        raise PydanticCustomError(
            "datetime_offset", "Give the time with its UTC offset, e.g. 2025-01-31T14:05-06:00."
        )
    return found


Day = Annotated[date, BeforeValidator(iso_date), Field(description="YYYY-MM-DD.")]
OptionalDay = Annotated[
    date | None, BeforeValidator(_optional_date), Field(description="YYYY-MM-DD, or null.")
]
Moment = Annotated[
    datetime,
    BeforeValidator(moment),
    Field(description="ISO 8601 with a UTC offset, e.g. 2025-01-31T14:05-06:00."),
]
OptionalMoment = Annotated[
    datetime | None,
    BeforeValidator(moment),
    Field(description="ISO 8601 with a UTC offset, or null."),
]

StaffId = Annotated[StrictInt, Field(gt=0, le=LARGEST_ID)]
LanguageCode = Annotated[str, Field(max_length=3, strict=True)]

# The codes of haven.consent.models, spelled out so OpenAPI lists them (a
# test checks they stay the same).
InfoKindCode = Literal[
    "identity", "contact", "language", "needs", "immigration", "safety_plan", "notes", "shelter"
]
PurposeCode = Literal[
    "services", "legal", "immigration", "benefits", "law_enforcement", "safety", "court"
]
CategoryCode = Literal["federal", "state", "local", "law_enforcement", "prosecution"]

CaseId = PathEx[str, P(description="The case's id, a UUID.")]
CaseQuery = QueryEx[str, P(description="The case's id, a UUID.")]
PageNumber = QueryEx[
    int,
    P(
        ge=1,
        le=1_000_000,
        description="From 1; 25 a page. A page past the end serves the last one.",
    ),
]
