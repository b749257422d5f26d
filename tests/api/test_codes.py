"""Every coded field of the API is an enum in the OpenAPI document, and its
values are the model's choices: a client can offer the right values without
reading Haven's source, and a new choice in a model shows in the document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db.models import Choices

from haven.accounts.models import Role
from haven.api.api import api
from haven.attachments.models import Use
from haven.communications.models import (
    AdHocInterpreter,
    Channel,
    InterpretationMode,
    InterpreterGender,
    InterpreterKind,
)
from haven.consent.models import Basis, ConsentForm, InfoKind, Purpose, RecipientCategory
from haven.exports.models import Audience
from haven.jobs.models import State
from haven.partners.models import GovernmentLevel, LocationType, PartnerKind, ServiceStatus
from haven.people.models import (
    Case,
    ContactSafety,
    EnglishAbility,
    GenderGroup,
    ImmigrationStatus,
    TraffickingType,
)
from haven.people.models import Danger as IntakeDanger
from haven.preparedness.models import AgreementKind, MeetingKind, PolicyKind, ReviewOutcome
from haven.protocol.models import (
    AppliesWhen,
    ContactBasis,
    ContinuedPresence,
    Danger,
    LawPart,
    MandatedReport,
    NeedCategory,
    NeedStatus,
    PoliceOutcome,
    ReportingContact,
    Screening,
    StepState,
)
from haven.referrals.models import ReferralStatus
from haven.safety.models import Channel as ThreatChannel
from haven.safety.models import ChecklistAnswer
from haven.shelter.models import CheckIn, OpeningReason, StayOutcome, StayRequest

DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), default=str))
SCHEMAS = DOCUMENT["components"]["schemas"]

PERSON = {
    "gender_group": (GenderGroup, True),
    "call_safety": (ContactSafety, True),
    "text_safety": (ContactSafety, True),
    "voicemail_safety": (ContactSafety, True),
    "mail_safety": (ContactSafety, True),
    "english_ability": (EnglishAbility, True),
    "immigration_status": (ImmigrationStatus, True),
    "trafficking_type": (TraffickingType, False),
}
ENTRY = {
    "channel": (Channel, False),
    "interpretation": (InterpretationMode, False),
    "ad_hoc": (AdHocInterpreter, True),
}

# (schema, field): (the model's choices, whether "" is offered too).
CODED: dict[tuple[str, str], tuple[type[Choices], bool]] = {
    **{("PersonIn", f): c for f, c in PERSON.items()},
    **{("IntakeIn", f): c for f, c in PERSON.items()},
    **{
        (s, f): c
        for s in ("EntryOut", "EntryDetailOut", "CommunicationIn")
        for f, c in ENTRY.items()
    },
    ("CaseOut", "status"): (Case.Status, False),
    ("StayEndIn", "outcome"): (StayOutcome, False),
    ("StayOut", "outcome"): (StayOutcome, True),
    ("ResidentCheckInIn", "wellbeing"): (CheckIn.Wellbeing, False),
    ("ResidentCheckInOut", "wellbeing"): (CheckIn.Wellbeing, False),
    ("StayRequestIn", "priority"): (StayRequest.Priority, False),
    ("StayRequestOut", "priority"): (StayRequest.Priority, False),
    ("StayRequestOut", "status"): (StayRequest.Status, False),
    ("PlacementIn", "purpose"): (Purpose, False),
    ("PlacementIn", "kinds"): (InfoKind, False),
    ("CaseDetailOut", "status"): (Case.Status, False),
    ("CaseListOut", "status"): (Case.Status, False),
    ("Me", "roles"): (Role, False),
    ("MembershipOut", "role"): (Role, False),
    ("AttachmentOut", "use"): (Use, False),
    ("AgreementOut", "kind"): (AgreementKind, False),
    ("ConsentIn", "purpose"): (Purpose, False),
    ("ConsentIn", "kinds"): (InfoKind, False),
    ("ConsentIn", "form"): (ConsentForm, False),
    ("ConsentOut", "purpose"): (Purpose, False),
    ("ConsentOut", "kinds"): (InfoKind, False),
    ("ConsentOut", "form"): (ConsentForm, False),
    ("RecipientOut", "category"): (RecipientCategory, True),
    ("DisclosureOut", "purpose"): (Purpose, False),
    ("DisclosureOut", "kinds"): (InfoKind, False),
    ("DisclosureOut", "basis"): (Basis, False),
    ("DisclosureRecipientOut", "categories"): (RecipientCategory, False),
    ("CourtOrderOut", "basis"): (Basis, False),
    ("ContinuedPresenceIn", "status"): (ContinuedPresence.Status, False),
    ("ContinuedPresenceOut", "status"): (ContinuedPresence.Status, False),
    ("DangerCheckIn", "answer"): (Danger, False),
    ("DangerCheckIn", "outcome"): (PoliceOutcome, True),
    ("DangerCheckOut", "answer"): (Danger, False),
    ("DangerCheckOut", "outcome"): (PoliceOutcome, True),
    ("ExportIn", "audience"): (Audience, False),
    ("ExportOut", "audience"): (Audience, False),
    ("InboxItemOut", "purpose"): (Purpose, False),
    ("InboxItemOut", "status"): (ReferralStatus, False),
    ("InterpreterIn", "kind"): (InterpreterKind, False),
    ("InterpreterIn", "gender"): (InterpreterGender, False),
    ("InterpreterOut", "kind"): (InterpreterKind, False),
    ("InterpreterOut", "gender"): (InterpreterGender, False),
    ("JobOut", "state"): (State, False),
    ("LawContactIn", "basis"): (ContactBasis, False),
    ("LawContactOut", "basis"): (ContactBasis, False),
    ("LawContactIn", "part"): (LawPart, False),
    ("LawContactOut", "part"): (LawPart, False),
    ("LocationOut", "location_type"): (LocationType, False),
    ("MandatedReportIn", "reported_to_kind"): (ReportingContact.Kind, False),
    ("MandatedReportIn", "method"): (MandatedReport.Method, False),
    ("MandatedReportIn", "outcome"): (MandatedReport.Outcome, False),
    ("MandatedReportOut", "status"): (MandatedReport.Status, False),
    ("MandatedReportOut", "reported_to_kind"): (ReportingContact.Kind, True),
    ("MandatedReportOut", "method"): (MandatedReport.Method, True),
    ("MandatedReportOut", "outcome"): (MandatedReport.Outcome, True),
    ("MeetingIn", "kind"): (MeetingKind, False),
    ("MeetingOut", "kind"): (MeetingKind, False),
    ("NeedCategoryOut", "term"): (NeedCategory.Term, False),
    ("NeedOut", "status"): (NeedStatus, False),
    ("NeedStatusIn", "status"): (NeedStatus, False),
    ("PartnerIn", "kind"): (PartnerKind, False),
    ("PartnerIn", "government_level"): (GovernmentLevel, False),
    ("PartnerOut", "kind"): (PartnerKind, False),
    ("PartnerOut", "government_level"): (GovernmentLevel, False),
    ("PartnerDetailOut", "kind"): (PartnerKind, False),
    ("PartnerDetailOut", "government_level"): (GovernmentLevel, False),
    ("PolicyIn", "kind"): (PolicyKind, False),
    ("PolicyOut", "kind"): (PolicyKind, False),
    ("PolicyDetailOut", "kind"): (PolicyKind, False),
    ("ReceivedOut", "purpose"): (Purpose, False),
    ("ReceivedOut", "status"): (ReferralStatus, False),
    ("ReferralIn", "purpose"): (Purpose, False),
    ("ReferralIn", "kinds"): (InfoKind, False),
    ("ReferralOut", "purpose"): (Purpose, False),
    ("ReferralOut", "kinds"): (InfoKind, False),
    ("ReferralOut", "status"): (ReferralStatus, False),
    ("ReferralOut", "moves"): (ReferralStatus, False),
    ("ReviewOut", "outcome"): (ReviewOutcome, False),
    ("ScreeningIn", "kind"): (Screening.Kind, False),
    ("ScreeningOut", "kind"): (Screening.Kind, False),
    ("ServiceIn", "status"): (ServiceStatus, False),
    ("ServiceOut", "status"): (ServiceStatus, False),
    ("StepOut", "state"): (StepState, False),
    ("AgencyStepIn", "applies"): (AppliesWhen, False),
    ("AgencyStepVersionIn", "applies"): (AppliesWhen, False),
    ("AgencyStepOut", "applies"): (AppliesWhen, False),
    ("StepOut", "settable_states"): (StepState, False),
    ("ThreatIn", "channel"): (ThreatChannel, False),
    ("DirectoryQuery", "kind"): (PartnerKind, False),
    ("ExportIn", "recipient_category"): (RecipientCategory, True),
    ("ExportIn", "purpose"): (Purpose, True),
    ("ExportIn", "kinds"): (InfoKind, False),
    ("CourtOrderIn", "purpose"): (Purpose, False),
    ("CourtOrderIn", "kinds"): (InfoKind, False),
    ("CourtOrderIn", "recipient_category"): (RecipientCategory, True),
    ("CourtOrderOut", "purpose"): (Purpose, False),
    ("CourtOrderOut", "kinds"): (InfoKind, False),
    ("ConsentIn", "recipient_category"): (RecipientCategory, False),
    ("LawContactIn", "shared"): (InfoKind, False),
    ("ThreatOut", "channel"): (ThreatChannel, False),
    ("ThreatDetailOut", "channel"): (ThreatChannel, False),
    ("ThreatRef", "channel"): (ThreatChannel, False),
    ("AddressIn", "reason"): (OpeningReason, False),
    **{
        ("ChecklistIn", f): (ChecklistAnswer, True)
        for f in ("unlisted_phone", "address_confidentiality", "varied_routes", "alternative_stay")
    },
}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def enum_of(schema: dict[str, Any]) -> list[str] | None:
    """The values a property takes: its own enum, its items', or a choice's."""
    schema = resolve(schema)
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    if "items" in schema:
        return enum_of(schema["items"])
    values = [v for part in schema.get("anyOf", []) for v in enum_of(part) or []]
    return values or None


@pytest.mark.parametrize(("schema", "field"), sorted(CODED), ids=lambda v: str(v))
def test_each_enum_is_the_models_choices(schema, field):
    choices, blank = CODED[(schema, field)]
    expected = ([""] if blank else []) + [str(v) for v in choices.values]
    found = enum_of(SCHEMAS[schema]["properties"][field])
    assert found is not None, f"{schema}.{field} is not an enum"
    assert sorted(found) == sorted(expected)


def test_the_intake_danger_answer_is_the_models():
    assert enum_of(SCHEMAS["IntakeIn"]["properties"]["danger"]) == list(IntakeDanger.values)


def test_every_enum_of_the_document_is_checked_here():
    """A new coded field joins CODED, so its values are checked too; the few
    enums that are not a model's choices are named here."""
    not_models = {
        # A format of the export, not a stored choice.
        ("ExportIn", "output"),
        # The moves and states a client may set: a part of the model's.
        ("MoveIn", "status"),
        ("StepIn", "state"),
        ("AgencyStepStateIn", "state"),
        # The roles an agency's own step may name: a part of accounts.Role.
        ("AgencyStepVersionIn", "roles"),
        ("AgencyStepIn", "roles"),
        ("AgencyStepOut", "roles"),
        # Which of the two a tracker's step is: the protocol's or the agency's.
        ("StepOut", "kind"),
        # Which side of a referral an answer is from.
        ("ReferralOut", "side"),
        ("ReceivedOut", "side"),
        # The case list's quick views, marks and sorts, and its status
        # filter (open, closed or any): codes of the list, not of a case.
        ("CaseListQuery", "view"),
        ("CaseListQuery", "status"),
        ("CaseListQuery", "has"),
        ("CaseListQuery", "sort"),
        # Whether a person found matched exactly or only sounds alike.
        ("PersonMatch", "match"),
    }
    found = {
        (name, field)
        for name, schema in SCHEMAS.items()
        for field, prop in schema.get("properties", {}).items()
        if enum_of(prop) and "$ref" not in prop
    }
    assert found - set(CODED) - not_models == set()
