"""Consent and the ledger of disclosures in the API: schemas and routing only.

Every operation opens the case through ``haven.people.selectors.case_get``
(by way of ``haven.api.common.case_for``) with the action's own policy, the
same as the consent pages: reading needs a role that sees the protocol,
recording and withdrawing one that may record consent. A refusal answers
404 exactly like a case that does not exist and leaves no audit event; an
allowed read is audited there, and that event covers everything the answer
shows. A consent named by its id is looked up first only to find its case,
which is then opened the same way. The rules live in
``haven.consent.services``; a refusal answers 422 at the field of the body
it is about.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx

from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    case_for,
    case_records,
    out,
    refusals_at,
    text,
    uuid_or_404,
    values_of,
)
from haven.api.inputs import (
    CaseQuery,
    CategoryCode,
    Coded,
    InfoKindCode,
    Input,
    Line,
    OptionalDay,
    PurposeCode,
    ShortNote,
)
from haven.consent import selectors, services
from haven.consent.models import (
    Basis,
    Consent,
    ConsentForm,
    Disclosure,
    InfoKind,
    Purpose,
    RecipientCategory,
)
from haven.consent.policies import may_record_consent, may_see_disclosures
from haven.consent.services import ConsentValues
from haven.core.errors import NotFound
from haven.people.models import Case

router = Router(tags=["consent"])

# --- Input types ---------------------------------------------------------------------


# The codes of haven.consent.models, spelled out so OpenAPI lists them
# (a test checks they stay the same; the purposes and categories are shared).
FormCode = Literal["paper", "screen", "verbal"]


class ConsentIn(Input):
    case: uuid.UUID = Field(description="The case of the person who gave consent.")
    recipient_org: uuid.UUID | None = Field(
        default=None, description="An organization of your agency's directory."
    )
    recipient_category: CategoryCode | None = Field(
        default=None,
        description="A category of agencies. Name an organization or a category, not both; "
        "a refusal about the recipient is located at `recipient_org`.",
    )
    purpose: PurposeCode
    kinds: list[InfoKindCode] = Field(
        max_length=len(InfoKind.values), description="What may be shared: at least one kind."
    )
    form: FormCode = Field(
        description="paper needs paper_kept, screen a signature, verbal a witness."
    )
    language: str = Field(
        max_length=3, strict=True, description="ISO 639-3: the language it was explained in."
    )
    signature: Line = Field(default="", description="Signed on screen: the name written.")
    witness: Line = Field(default="", description="Given aloud: who heard it.")
    paper_kept: Line = Field(default="", description="Signed on paper: where the copy is kept.")
    interpreter: Line = ""
    purpose_note: ShortNote = ""
    starts_on: OptionalDay = Field(default=None, description="YYYY-MM-DD; today if null.")
    expires_on: OptionalDay = Field(
        default=None,
        description="YYYY-MM-DD; a year after the start at most. Null: your agency's default.",
    )


class RevokeIn(Input):
    note: ShortNote = Field(default="", description="What the person said, if they want it kept.")


# --- Output types ------------------------------------------------------------------


class RecipientOut(Schema):
    organization_id: uuid.UUID | None = Field(description="Null when a category is named.")
    category: Annotated[str, Coded(RecipientCategory, blank=True)] = Field(
        description="Empty when an organization is named."
    )
    label: str = Field(description="The recipient's name as the person agreed to it.")


class ConsentOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    recipient: RecipientOut
    purpose: Annotated[str, Coded(Purpose)]
    kinds: list[InfoKindCode]
    form: Annotated[str, Coded(ConsentForm)]
    language: str
    interpreter: str
    starts_on: date
    expires_on: date
    in_force: bool = Field(description="In force today: started, not ended, not withdrawn.")
    revoked_at: datetime | None
    revoked_by: str | None
    recorded_at: datetime
    recorded_by: str
    purpose_note: str
    signature: str
    witness: str
    paper_kept: str
    revoke_note: str


class DisclosureRecipientOut(Schema):
    organization_id: uuid.UUID | None
    categories: list[Annotated[str, Coded(RecipientCategory)]] = Field(
        description="The categories the recipient falls in."
    )
    label: str


class DisclosureOut(Schema):
    id: uuid.UUID
    at: datetime
    by: str
    recipient: DisclosureRecipientOut
    purpose: Annotated[str, Coded(Purpose)]
    kinds: list[InfoKindCode]
    basis: Annotated[str, Coded(Basis)]
    consent_id: uuid.UUID | None = Field(description="Null for a legal basis.")
    channel: str = Field(description="How it left, e.g. law_enforcement_contact.")


# --- Helpers -------------------------------------------------------------------------

ConsentId = PathEx[str, P(description="The consent's id, a UUID.")]


def _consent(case: Case, consent_id: uuid.UUID) -> Consent:
    found = selectors.consent_get(case, consent_id)
    if found is None:
        raise NotFound
    return found


def _case_of_consent(consent_id: str) -> tuple[str, uuid.UUID]:
    """The id of the consent's case, to open it; a missing consent answers
    before any case is read (and audited)."""
    wanted = uuid_or_404(consent_id)
    case_id = Consent.objects.filter(pk=wanted).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound
    return str(case_id), wanted


def _consent_out(consent: Consent) -> ConsentOut:
    return out(
        ConsentOut,
        consent,
        recipient=RecipientOut(
            organization_id=consent.recipient_org_id,
            category=consent.recipient_category,
            label=text(consent.recipient_label),
        ),
        in_force=consent.in_force_on(timezone.localdate()),
        revoked_by=None if consent.revoked_by is None else str(consent.revoked_by),
        recorded_by=str(consent.recorded_by),
    )


def disclosure_out(row: Disclosure) -> DisclosureOut:
    return out(
        DisclosureOut,
        row,
        by=str(row.by),
        recipient=DisclosureRecipientOut(
            organization_id=row.recipient_org_id,
            categories=[c for c in row.recipient_category.split(",") if c],
            label=text(row.recipient_label),
        ),
    )


# --- Consents ------------------------------------------------------------------------


@router.get(
    "/consents",
    response={200: list[ConsentOut], **NOT_FOUND, **REFUSED},
)
def consent_list(
    request: HttpRequest,
    case: CaseQuery,
) -> list[ConsentOut]:
    """The consents of a case, latest to expire first."""
    _user, found = case_for(request, case, may_see_disclosures)
    return [_consent_out(c) for c in selectors.consents_of(found)]


@router.post(
    "/consents",
    response={201: ConsentOut, **WRITE_FAILURES},
)
def consent_record(request: HttpRequest, consent: ConsentIn) -> Status[ConsentOut]:
    """Record a consent the person gave.

    To one organization of your agency's directory or one category of agencies, for one purpose,
    for the kinds of information named, for a year at most. Advocates and supervisors only.
    """
    user, case = case_for(request, consent.case, may_record_consent)
    values = values_of(
        ConsentValues,
        consent,
        recipient_org_id=consent.recipient_org,
        recipient_category=consent.recipient_category or "",
    )
    # The service's recipient is the organization or the category: it is
    # located at the organization, the one a client most often sends.
    with refusals_at({"recipient": "recipient_org"}):
        row = services.consent_record(actor=user, case=case, values=values)
    return Status(201, _consent_out(row))


@router.get(
    "/consents/{consent_id}",
    response={200: ConsentOut, **NOT_FOUND},
)
def consent_detail(request: HttpRequest, consent_id: ConsentId) -> ConsentOut:
    """One consent."""
    case_id, wanted = _case_of_consent(consent_id)
    _user, case = case_for(request, case_id, may_see_disclosures)
    return _consent_out(_consent(case, wanted))


@router.post(
    "/consents/{consent_id}/revoke",
    response={200: ConsentOut, **WRITE_FAILURES},
)
def consent_revoke(request: HttpRequest, consent_id: ConsentId, revoke: RevokeIn) -> ConsentOut:
    """The person withdraws a consent.

    From now on it covers nothing; what already left under it stays in the ledger. A consent is
    withdrawn once: a second time answers 422.
    """
    case_id, wanted = _case_of_consent(consent_id)
    user, case = case_for(request, case_id, may_record_consent)
    found = _consent(case, wanted)
    row = services.consent_revoke(actor=user, consent=found, note=revoke.note)
    return _consent_out(row)


# --- The ledger ----------------------------------------------------------------------


@case_records(
    router,
    "/cases/{case_id}/disclosures",
    DisclosureOut,
    may_see_disclosures,
)
def disclosure_list(case: Case) -> list[DisclosureOut]:
    """What left the agency about the person, newest first."""
    return [disclosure_out(row) for row in selectors.disclosures_of(case)]


routers = (router,)
