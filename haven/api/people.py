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
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from pydantic import BeforeValidator, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    case_for,
    page_of,
    refusals_at,
    staff_allowed,
    uuid_or_404,
)
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
from haven.people.caselist import CaseFilters, filters_from
from haven.people.details import (
    DETAIL_NAMES,
    EARLIEST_BIRTH_YEAR,
    MAX_ALIASES,
    MAX_LANGUAGES,
    PersonDetails,
)
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
from haven.people.search import parse_query

router = Router(tags=["people"])


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
    q: Line = Field(
        default="",
        description=(
            "What you have, as staff type it in the search box: one or more words of any "
            "name, in any order (all must match); a date of birth (1987-03-14 or 03/14/1987); "
            "a year of birth; the last four digits of a phone; or a whole phone number. "
            "Send it alone, without the fields below."
        ),
    )
    name: Line = Field(default="", description="A whole name or alias, exactly (older clients).")
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

    team_id: StrictInt = Field(
        gt=0, le=LARGEST_ID, description="One of your agency's teams: the case goes to it."
    )
    advocate_id: StrictInt | None = Field(
        default=None,
        gt=0,
        le=LARGEST_ID,
        description=(
            "An active advocate or supervisor of that team to send the case to; "
            "without one, the case waits in the team's queue."
        ),
    )
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


class CaseListOut(CaseOut):
    new: bool = Field(description="Assigned to you, or in your team's queue, and not opened yet.")
    marks: list[str] = Field(description="danger, report, overdue, minor: what the case carries.")
    queued: bool = Field(description="Waiting in its team's queue for an advocate to take it.")


class CaseDetailOut(CaseOut):
    record: dict[str, Any] = Field(
        description=(
            "The fields of the person record that your agency keeps and your role may see; "
            'the others are absent. Empty values are "", null or [].'
        )
    )


Match = Literal["exact", "similar"]


class PersonMatch(PersonOut):
    cases: list[uuid.UUID] = Field(description="The person's cases you may open.")
    match: Match = Field(
        default="exact",
        description=(
            "exact: every word of the search is a word of one of their names; similar: a "
            "word only sounds like one (listed after the exact matches)."
        ),
    )


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


class CaseListQuery(Schema):
    view: Literal[
        "all", "mine", "new", "team", "overdue", "danger", "minors", "restricted", "closed"
    ] = Field(default="all", description="A quick view; the filters narrow it further.")
    team: int | None = Field(default=None, gt=0, le=LARGEST_ID, description="A team's id.")
    status: Literal["open", "closed", "any"] = "open"
    has: list[Literal["danger", "report", "overdue", "minor"]] = Field(
        default_factory=list,
        max_length=8,
        description=(
            "Only cases with all of these: danger reported and not resolved, a mandated "
            "report waiting, overdue steps, a minor."
        ),
    )
    assigned: str = Field(
        default="",
        max_length=20,
        pattern=r"^(|me|none|[1-9][0-9]*)$",
        description='"me", "none" (waiting in a team\'s queue) or a staff id.',
    )
    sort: Literal["opened", "activity", "urgency"] = Field(
        default="opened", description="Newest first, last activity first, or most urgent first."
    )
    page: int = Field(
        default=1, ge=1, le=1_000_000, description="25 a page; past the end serves the last."
    )

    def filters(self) -> CaseFilters:
        params: dict[str, list[str]] = {
            "view": [self.view],
            "team": [str(self.team)] if self.team else [],
            "status": [self.status],
            "has": list(self.has),
            "assigned": [self.assigned],
            "sort": [self.sort],
            "page": [str(self.page)],
        }
        return filters_from(params)


@router.get(
    "/cases",
    response={200: list[CaseListOut], **NOT_FOUND, **REFUSED},
)
def case_list(
    request: HttpRequest, response: HttpResponse, filters: Query[CaseListQuery]
) -> list[CaseListOut]:
    """Your cases.

    The cases you may open, by quick view and filters, 25 a page, newest first unless you
    sort them otherwise; only codes and ids are taken, never a name. Where the page stands
    is in the headers: X-Page (the page served: past the end serves the last), X-Pages and
    X-Total-Count (the cases answering the filters).
    """
    user = authenticated_user(request)
    wanted = filters.filters()
    if wanted.not_understood:
        # A page asks again with a note; a client is told, not served everything.
        raise RequestInvalid(
            [
                {"type": "refused", "loc": ["query", name], "msg": "Not a value this filter takes."}
                for name in wanted.not_understood
            ]
        )
    shown = selectors.case_page(user=user, filters=wanted)
    full = may_see_full_record(user)
    for name, value in page_of(shown.page).items():
        header = {"page": "X-Page", "pages": "X-Pages", "total": "X-Total-Count"}[name]
        response[header] = str(value)
    return [
        CaseListOut(
            **_case_out(case, full=full).model_dump(),
            new=case.pk in shown.new,
            marks=shown.marks.get(case.pk, []),
            queued=case.queued_at is not None,
        )
        for case in shown.cases
    ]


@router.post(
    "/cases/{case_id}/take",
    response={200: CaseOut, **NOT_FOUND, **REFUSED},
)
def case_take(request: HttpRequest, case_id: CaseId) -> CaseOut:
    """Take a case from your team's queue.

    It is assigned to you and leaves the queue. 422 when someone took it first.
    """
    user = authenticated_user(request)
    services.case_take(actor=user, case_id=uuid_or_404(case_id))
    _user, case = case_for(request, case_id)
    return _case_out(case, full=may_see_full_record(user))


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
    services.case_opened_by(user=user, case=case)
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

    With `q`, as the search box does: every word in any of their names, in any order, with
    accents, case and script folded, then people whose names only sound alike (`match`
    "similar"); or by a date or year of birth, a whole phone or its last four digits. With
    the older `name`, `date_of_birth` and `phone`: an exact match of any of them, most
    matching fields first. The terms go in the body so that they never appear in a URL or a
    log.
    """
    user = authenticated_user(request)
    if terms.q and (terms.name or terms.date_of_birth or terms.phone):
        raise ValidationError({"q": "Send q alone, or name, date_of_birth and phone without q."})
    if terms.q:
        found = selectors.search_cases(
            user=user, query=parse_query(terms.q, today=timezone.localdate())
        )
        ranked: list[tuple[Person, Match]] = [(c.person, "exact") for c in found.exact]
        ranked += [(c.person, "similar") for c in found.similar]
    elif terms.name or terms.date_of_birth or terms.phone:
        people = selectors.people_matching(
            user=user, name=terms.name, date_of_birth=terms.date_of_birth, phone=terms.phone
        )
        ranked = [(person, "exact") for person in people]
    else:
        raise HttpError(400, "Enter a name, a date of birth or a phone number.")
    # One entry a person, though several of their cases matched.
    unique = {person.pk: (person, match) for person, match in reversed(ranked)}
    ordered = [unique.pop(person.pk) for person, _match in ranked if person.pk in unique]
    full = may_see_full_record(user)
    case_ids = selectors.visible_case_ids_of(user=user, people=[p for p, _m in ordered])
    return [
        PersonMatch(**_person_out(person, full=full), cases=case_ids[person.pk], match=match)
        for person, match in ordered
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
    advocate = None
    if intake.advocate_id is not None:
        advocate = selectors.colleague(user=user, staff_id=intake.advocate_id)
        if advocate is None:
            raise ValidationError({"advocate_id": services.NOT_AN_ADVOCATE})
    with refusals_at({"advocate": "advocate_id"}):
        case = services.intake_record(
            actor=user, team=team, danger=intake.danger, details=intake.details(), advocate=advocate
        )
    return Status(201, IntakeOut(case_id=case.pk, person_id=case.person_id))


routers = (router,)
