"""Cases and people over the JSON API: schemas and routing only.

Who may see or record what is decided by the selectors, services and
policies of ``haven.people``; refusals answer 404 exactly like a missing
record. No identifying value ever goes into a URL: case and person ids are
random UUIDs, and a search sends its terms in the request body, which is
never logged.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BeforeValidator, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import NOT_FOUND, REFUSED, WRITE_FAILURES, case_for, staff_allowed
from haven.api.inputs import (
    ISO_DATE,
    LARGEST_ID,
    CaseId,
    Coded,
    Input,
    LanguageCode,
    Line,
    Note,
    Phone,
)
from haven.people import selectors, services
from haven.people.details import DETAIL_NAMES, MAX_ALIASES, MAX_LANGUAGES, PersonDetails
from haven.people.display import visible_names
from haven.people.field_settings import field_rules
from haven.people.models import (
    Case,
    ContactSafety,
    Danger,
    EnglishAbility,
    GenderGroup,
    ImmigrationStatus,
    Person,
    TraffickingType,
)
from haven.people.policies import (
    may_change_case,
    may_record_people,
    may_see_full_record,
    may_see_restricted_fields,
)

router = Router(tags=["people"])

EARLIEST_BIRTH_YEAR = 1900

# --- Input types ---------------------------------------------------------------------

Safety = Annotated[str, Coded(ContactSafety, blank=True)]
CaseStatus = Annotated[str, Coded(Case.Status)]
Languages = Annotated[
    list[LanguageCode], Field(max_length=MAX_LANGUAGES, description="ISO 639-3 codes.")
]


def _birth_date(value: object) -> object:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "Enter the date as YYYY-MM-DD.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "This date does not exist.") from None
    if day > timezone.localdate():
        raise PydanticCustomError("date_future", "A date of birth cannot be in the future.")
    if day.year < EARLIEST_BIRTH_YEAR:
        raise PydanticCustomError("date_too_early", "Enter a date of birth from 1900 on.")
    return day


BirthDate = Annotated[
    date | None,
    BeforeValidator(_birth_date),
    Field(description="YYYY-MM-DD, from 1900 on and not in the future."),
]


class SearchIn(Input):
    name: Line = ""
    date_of_birth: BirthDate = None
    phone: Phone = ""


class PersonIn(Input):
    """The fields of the person record. Every one is optional, and your
    agency may not record some of them (they are then refused)."""

    legal_name: Line = ""
    preferred_name: Line = ""
    self_term: Line = ""
    date_of_birth: BirthDate = None
    phone: Phone = ""
    aliases: list[Line] = Field(default_factory=list, max_length=MAX_ALIASES)
    estimated_age: StrictInt | None = Field(
        default=None, ge=0, le=120, description="Only when the date of birth is not known."
    )
    gender: Line = ""
    gender_group: Annotated[str, Coded(GenderGroup, blank=True)] = ""
    call_safety: Safety = ""
    text_safety: Safety = ""
    voicemail_safety: Safety = ""
    mail_safety: Safety = ""
    contact_notes: Note = ""
    language: str = Field(default="und", max_length=3, strict=True, description="ISO 639-3.")
    dialect: Line = ""
    other_languages: Languages = Field(default_factory=list)
    reads: Languages = Field(default_factory=list)
    writes: Languages = Field(default_factory=list)
    english_ability: Annotated[str, Coded(EnglishAbility, blank=True)] = Field(
        default="", description="As the US Census asks it."
    )
    interpreter_needed: StrictBool = False
    immigration_status: Annotated[str, Coded(ImmigrationStatus, blank=True)] = Field(
        default="", description="Advocates and supervisors only."
    )
    trafficking_type: Annotated[str, Coded(TraffickingType)] = "unknown"
    address_confidentiality: StrictBool | None = None

    def details(self, base: PersonDetails | None = None) -> PersonDetails:
        """The values sent, over ``base`` (the current record, or blank)."""
        values = {name: getattr(self, name) for name in self.covering()}
        for name in ("aliases", "other_languages", "reads", "writes"):
            if name in values:
                values[name] = tuple(v for v in values[name] if v)
        return replace(base or PersonDetails(), **values)

    def covering(self) -> list[str]:
        return [name for name in DETAIL_NAMES if name in self.model_fields_set]


class IntakeIn(PersonIn):
    """A first contact: the danger answer, the team, and as little identity
    as the person chooses to give."""

    team_id: StrictInt = Field(gt=0, le=LARGEST_ID, description="One of your agency's teams.")
    danger: Danger = Field(description="Is the person in immediate danger right now?")

    def covering(self) -> list[str]:
        return list(DETAIL_NAMES)


# --- Output types ------------------------------------------------------------------


class PersonOut(Schema):
    id: uuid.UUID
    legal_name: str | None = Field(
        description="Null when not recorded, or when your role does not see full records."
    )
    preferred_name: str | None = Field(
        description="Null when not recorded, or when your role does not see full records."
    )


class CaseOut(Schema):
    id: uuid.UUID
    status: CaseStatus
    team: str
    opened_on: date
    restricted: bool
    person: PersonOut


class CaseDetailOut(CaseOut):
    record: dict[str, Any] = Field(
        description=(
            "The fields of the person record that your agency keeps and your role may see; "
            'the others are absent. Empty values are "", null or [].'
        )
    )


class PersonMatch(PersonOut):
    cases: list[uuid.UUID] = Field(description="The person's cases you may open.")


class IntakeOut(Schema):
    case_id: uuid.UUID
    person_id: uuid.UUID


def _person_out(person: Person, *, full: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "legal_name": person.legal_name if full else None,
        "preferred_name": person.preferred_name if full else None,
    }


def _case_out(case: Case, *, full: bool) -> CaseOut:
    return CaseOut(
        id=case.pk,
        status=case.status,
        team=case.team.name,
        opened_on=case.opened_on,
        restricted=case.restricted,
        person=PersonOut(**_person_out(case.person, full=full)),
    )


# --- Routes --------------------------------------------------------------------------


@router.get(
    "/cases",
    response={200: list[CaseOut], **NOT_FOUND, **REFUSED},
)
def case_list(request: HttpRequest, status: Literal["open", "closed"] = "open") -> list[CaseOut]:
    """Your cases.

    The newest 50 cases you may open, newest first.
    """
    user = authenticated_user(request)
    cases = selectors.case_list(user=user, status=status)
    full = may_see_full_record(user)
    return [_case_out(case, full=full) for case in cases]


def _case_detail_out(user: User, case: Case) -> CaseDetailOut:
    full = may_see_full_record(user)
    names = visible_names(
        field_rules(user.agency_id), full=full, restricted=may_see_restricted_fields(user)
    )
    current = services.person_details(case.person)
    return CaseDetailOut(
        **_case_out(case, full=full).model_dump(),
        record={name: _json_value(getattr(current, name)) for name in names},
    )


def _json_value(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **NOT_FOUND},
)
def case_detail(request: HttpRequest, case_id: CaseId) -> CaseDetailOut:
    """One case, with the person record you may see."""
    user, case = case_for(request, case_id)
    return _case_detail_out(user, case)


@router.patch(
    "/cases/{case_id}/person",
    response={200: CaseDetailOut, **WRITE_FAILURES},
)
def person_update(request: HttpRequest, case_id: CaseId, changes: PersonIn) -> CaseDetailOut:
    """Change the person record of a case.

    Send only the fields to change; the others keep their values. Advocates and supervisors
    only. The audit trail records which fields changed, never the values.
    """
    user, case = case_for(request, case_id, may_change_case)
    services.person_update(
        actor=user,
        case=case,
        details=changes.details(services.person_details(case.person)),
        covering=changes.covering(),
    )
    # The same read the request began with (already audited), with the new values.
    case.person = Person.objects.select_related("data_key").get(pk=case.person_id)
    return _case_detail_out(user, case)


@router.post(
    "/people/search",
    response={200: list[PersonMatch], **WRITE_FAILURES},
)
def people_search(request: HttpRequest, terms: SearchIn) -> list[PersonMatch]:
    """Find people already recorded.

    Exact match on a name or alias, a date of birth or a phone number, most matching fields
    first. The terms go in the body so that they never appear in a URL or a log.
    """
    user = authenticated_user(request)
    if not (terms.name or terms.date_of_birth or terms.phone):
        raise HttpError(400, "Enter a name, a date of birth or a phone number.")
    people = selectors.people_matching(
        user=user, name=terms.name, date_of_birth=terms.date_of_birth, phone=terms.phone
    )
    full = may_see_full_record(user)
    case_ids = selectors.visible_case_ids_of(user=user, people=people)
    return [
        PersonMatch(**_person_out(person, full=full), cases=case_ids[person.pk])
        for person in people
    ]


@router.post(
    "/people",
    response={201: IntakeOut, **WRITE_FAILURES},
)
def people_create(request: HttpRequest, intake: IntakeIn) -> Status[IntakeOut]:
    """Record a person and open their case."""
    # Before anything about the body, whatever it holds.
    user = staff_allowed(request, may_record_people)
    team = selectors.recording_team(user=user, team_id=intake.team_id)
    if team is None:
        # The same answer for another agency's team and one that does not exist.
        raise ValidationError({"team_id": "Choose one of your agency's active teams."})
    case = services.intake_record(
        actor=user, team=team, danger=intake.danger, details=intake.details()
    )
    return Status(201, IntakeOut(case_id=case.pk, person_id=case.person_id))


routers = (router,)
