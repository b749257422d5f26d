"""Every URL, as an anonymous visitor and as another agency's user.

Each route must have a place in ROUTES: adding a URL without deciding who may
reach it fails ``test_every_route_is_classified``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from haven.accounts.models import Role
from haven.audit.models import AuditEvent
from haven.people.models import Case, Person
from tests.factories import make_staff, record_intake

pytestmark = pytest.mark.django_db

PUBLIC = "public"  # anyone may open it (the sign-in page and its neighbours)
LINK = "link"  # opened by a secret link: a wrong secret answers 404
SIGNED_IN = "signed-in"  # any signed-in user; shows only their own agency's data
AGENCY_OBJECT = "agency-object"  # names an object of one agency: 404 for everyone else
API = "api"  # JSON: 401 without a session
HEALTH = "health"  # for monitoring, without a session: 200 or 503, "ok"/"fail" only


@dataclass(frozen=True)
class Route:
    kind: str
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda objects: {}
    method: str = "get"


def _staff(objects: dict[str, Any]) -> dict[str, Any]:
    return {"pk": objects["member"].pk}


def _authenticator(objects: dict[str, Any]) -> dict[str, Any]:
    return {"pk": objects["authenticator"].pk}


def _case(objects: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": objects["case"].pk}


def _partner(objects: dict[str, Any]) -> dict[str, Any]:
    """A partner of the first agency, with a service, a location and a contact."""
    from haven.partners.models import Contact, Location, Organization, Service

    agency_id = objects["member"].agency_id
    org, _ = Organization.objects.get_or_create(
        agency_id=agency_id, name="Walk Partner (synthetic)", defaults={"description": "x"}
    )
    service, _ = Service.objects.get_or_create(agency_id=agency_id, organization=org, name="S")
    place, _ = Location.objects.get_or_create(agency_id=agency_id, organization=org, name="L")
    contact, _ = Contact.objects.get_or_create(agency_id=agency_id, organization=org, name="C")
    return {"org": org, "service": service, "location": place, "contact": contact}


def _org(objects: dict[str, Any]) -> dict[str, Any]:
    return {"organization_id": _partner(objects)["org"].pk}


def _org_and(kind: str, key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def kwargs(objects: dict[str, Any]) -> dict[str, Any]:
        partner = _partner(objects)
        return {"organization_id": partner["org"].pk, key: partner[kind].pk}

    return kwargs


def _consent(objects: dict[str, Any]) -> dict[str, Any]:
    """A consent on the first agency's case, made directly: no audit event."""
    from datetime import date

    from haven.consent.models import Consent

    case = objects["case"]
    found = Consent.objects.filter(case=case).first() or Consent.objects.create(
        case=case,
        data_key_id=case.person.data_key_id,
        recipient_category="law_enforcement",
        purpose="law_enforcement",
        kinds=["identity"],
        form="verbal",
        language="eng",
        starts_on=date.today(),
        expires_on=date.today(),
        recorded_by=objects["member"],
    )
    return {"consent_id": found.pk}


def _referral(objects: dict[str, Any]) -> dict[str, Any]:
    """A referral of the first agency's case to a partner outside Haven, with
    the ledger row the gate would have written, made directly: no audit event."""
    from haven.consent.models import Disclosure
    from haven.referrals.models import Referral

    case = objects["case"]
    found = Referral.objects.filter(case=case).first()
    if found is None:
        ledger = Disclosure.objects.create(
            case=case,
            data_key_id=case.person.data_key_id,
            by=objects["member"],
            recipient_category="local",
            purpose="services",
            kinds=["identity"],
            basis="consent",
            channel="referral",
        )
        found = Referral.objects.create(
            case=case,
            data_key_id=case.person.data_key_id,
            purpose="services",
            kinds=["identity"],
            status="sent",
            disclosure=ledger,
            sent_by=objects["member"],
        )
        ledger.record_id = str(found.pk)
        ledger.save(update_fields=["record_id"])
    return {"referral_id": found.pk}


def _attachment(objects: dict) -> dict:
    """An attachment of the first agency's case, made directly: no audit event."""
    from haven.attachments.models import Attachment, AttachmentContent

    case = objects["case"]
    found = Attachment.objects.filter(case=case).first()
    if found is None:
        found = Attachment(
            id=uuid.uuid4(),
            agency_id=case.agency_id,
            case=case,
            data_key_id=case.person.data_key_id,
            content_type="application/pdf",
            size=1,
            uploaded_by=objects["member"],
        )
        found.name = "walk.pdf"
        found.save()
        AttachmentContent.objects.create(attachment=found, sealed=b"\x01" + b"\x00" * 40)
    return {"attachment_id": found.pk}


def _interpreter(objects: dict[str, Any]) -> dict[str, Any]:
    """An interpreter of the first agency's roster, made directly: no audit event."""
    from haven.communications.models import Interpreter

    found, _ = Interpreter.objects.get_or_create(
        agency_id=objects["member"].agency_id,
        name="Walk Interpreter (synthetic)",
        defaults={"kind": "contractor", "languages": ["spa"]},
    )
    return {"interpreter_id": found.pk}


def _safety(objects: dict[str, Any]) -> dict[str, Any]:
    """A threat, a person of concern, a visit and its alert of the first
    agency, made directly: no audit event."""
    from django.utils import timezone

    from haven.safety.models import PersonOfConcern, Threat, Visit, VisitorAlert

    member = objects["member"]
    agency_id = member.agency_id
    key_id = objects["case"].person.data_key_id
    now = timezone.now()
    threat = Threat.objects.filter(agency_id=agency_id).first() or Threat.objects.create(
        agency_id=agency_id,
        data_key_id=key_id,
        occurred_at=now,
        channel="phone",
        against_agency=True,
        recorded_by=member,
    )
    concern = PersonOfConcern.objects.filter(
        agency_id=agency_id
    ).first() or PersonOfConcern.objects.create(
        agency_id=agency_id, data_key_id=key_id, created_by=member
    )
    visit = Visit.objects.filter(agency_id=agency_id).first() or Visit.objects.create(
        agency_id=agency_id, data_key_id=key_id, screened_by=member, checked_in_at=now
    )
    alert = VisitorAlert.objects.filter(visit=visit).first() or VisitorAlert.objects.create(
        agency_id=agency_id, visit=visit, raised_at=now
    )
    return {"threat": threat, "concern": concern, "visit": visit, "alert": alert}


def _safety_id(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def kwargs(objects: dict[str, Any]) -> dict[str, Any]:
        return {f"{kind}_id": _safety(objects)[kind].pk}

    return kwargs


def _preparedness(objects: dict[str, Any]) -> dict[str, Any]:
    """A policy with a version, a partner meeting and an agreement of the
    first agency, made directly: no audit event."""
    from datetime import date

    from haven.attachments.models import Attachment
    from haven.preparedness.models import (
        PartnerAgreement,
        PartnerMeeting,
        PolicyDocument,
        PolicyVersion,
    )

    member = objects["member"]
    agency_id = member.agency_id
    key_id = objects["case"].person.data_key_id
    org = _partner(objects)["org"]
    file = Attachment.objects.filter(agency_id=agency_id, use="policy").first()
    if file is None:
        file = Attachment(
            id=uuid.uuid4(),
            agency_id=agency_id,
            data_key_id=key_id,
            use="policy",
            content_type="application/pdf",
            size=1,
            uploaded_by=member,
        )
        file.name = "walk.pdf"
        file.save()
    policy = PolicyDocument.objects.filter(agency_id=agency_id).first()
    if policy is None:
        policy = PolicyDocument.objects.create(
            agency_id=agency_id, kind="other", title="Walk", owner=member, created_by=member
        )
        policy.current_version = PolicyVersion.objects.create(
            document=policy,
            number=1,
            approved_on=date(2024, 1, 1),
            next_review_on=date(2025, 1, 1),
            file=file,
            created_by=member,
        )
        policy.save()
    meeting = PartnerMeeting.objects.filter(
        agency_id=agency_id
    ).first() or PartnerMeeting.objects.create(
        agency_id=agency_id,
        data_key_id=key_id,
        kind="other",
        organization=org,
        held_on=date(2024, 1, 1),
        created_by=member,
    )
    agreement = PartnerAgreement.objects.filter(
        agency_id=agency_id
    ).first() or PartnerAgreement.objects.create(
        agency_id=agency_id,
        organization=org,
        kind="mou",
        signed_on=date(2024, 1, 1),
        file=file,
        created_by=member,
    )
    return {"document_id": policy.pk, "meeting_id": meeting.pk, "agreement_id": agreement.pk}


def _prepared(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def kwargs(objects: dict[str, Any]) -> dict[str, Any]:
        return {key: _preparedness(objects)[key]}

    return kwargs


def _training(objects: dict[str, Any]) -> dict[str, Any]:
    """A training record and an in-service event of the first agency, made
    directly: no audit event."""
    from datetime import date

    from haven.training.models import Event, Record, Topic

    member = objects["member"]
    laws = Topic.objects.get(agency=None, code="laws")
    event = Event.objects.filter(agency_id=member.agency_id).first() or Event.objects.create(
        agency_id=member.agency_id,
        topic=laws,
        title="Walk event",
        held_on=date(2025, 1, 2),
        hours=1,
        recorded_by=member,
    )
    record = Record.objects.filter(agency_id=member.agency_id).first() or Record.objects.create(
        agency_id=member.agency_id,
        staff=member,
        topic=laws,
        completed_on=date(2025, 1, 2),
        hours=1,
        recorded_by=member,
    )
    return {"record_id": record.pk, "event_id": event.pk}


def _training_id(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda objects: {key: _training(objects)[key]}


def _job(objects: dict[str, Any]) -> dict[str, Any]:
    """A finished job of the first agency's member, made directly: no audit event."""
    from haven.jobs.models import Job

    member = objects["member"]
    found = Job.objects.filter(created_by=member).first() or Job.objects.create(
        agency_id=member.agency_id, created_by=member, kind="exports.record", state="done"
    )
    return {"job_id": found.pk}


def _shelter(objects: dict[str, Any]) -> dict[str, Any]:
    """A site of the first agency with a bed, a stay of its case there and a
    place on the waiting list, made directly: no audit event."""
    from datetime import date

    from haven.shelter.models import Bed, ShelterSite, Stay, StayRequest

    member, case = objects["member"], objects["case"]
    site, _ = ShelterSite.objects.get_or_create(
        agency_id=member.agency_id, alias="Walk Site", defaults={"team": case.team}
    )
    bed, _ = Bed.objects.get_or_create(site=site, room="1", label="A")
    stay = Stay.objects.filter(case=case).first() or Stay.objects.create(
        case=case,
        site=site,
        bed=bed,
        data_key_id=case.person.data_key_id,
        starts_on=date.today(),
        created_by=member,
    )
    waiting = StayRequest.objects.filter(case=case).first() or StayRequest.objects.create(
        case=case,
        agency_id=member.agency_id,
        data_key_id=case.person.data_key_id,
        asked_on=date.today(),
        created_by=member,
    )
    return {
        "site_id": site.pk,
        "bed_id": bed.pk,
        "stay_id": stay.pk,
        "request_id": waiting.pk,
        "user_id": member.pk,
    }


def _shelter_ids(*keys: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda objects: {key: _shelter(objects)[key] for key in keys}


def _own_step(objects: dict[str, Any]) -> dict[str, Any]:
    """One of the first agency's own steps, made directly: no audit event."""
    from haven.protocol.models import AgencyStep, AgencyStepVersion

    member = objects["member"]
    step, made = AgencyStep.objects.get_or_create(agency_id=member.agency_id, code="walk-step")
    if made:
        AgencyStepVersion.objects.create(
            step=step,
            number=1,
            text="A walk step",
            roles=["advocate"],
            applies="every",
            due_days=5,
            created_by=member,
        )
    return {"code": step.code}


def _case_and_own_step(objects: dict[str, Any]) -> dict[str, Any]:
    return {**_case(objects), **_own_step(objects)}


BOGUS_TOKEN = {"token": "A" * 43}
HANDOUT = {"topic": "t_visa", "language": "eng"}

ROUTES: dict[str, Route] = {
    "healthz": Route(HEALTH),
    "readyz": Route(HEALTH),
    "desk:dashboard": Route(SIGNED_IN),
    "accounts:setup": Route(LINK, lambda o: BOGUS_TOKEN),
    "accounts:invitation_accept": Route(LINK, lambda o: BOGUS_TOKEN),
    "accounts:setup_form": Route(LINK),
    "accounts:invitation_form": Route(LINK),
    "accounts:staff_list": Route(SIGNED_IN),
    "accounts:staff_invite": Route(SIGNED_IN),
    "accounts:staff_detail": Route(AGENCY_OBJECT, _staff),
    "accounts:staff_deactivate": Route(AGENCY_OBJECT, _staff, "post"),
    "accounts:staff_reactivate": Route(AGENCY_OBJECT, _staff, "post"),
    "accounts:staff_reinvite": Route(AGENCY_OBJECT, _staff, "post"),
    "accounts:team_create": Route(SIGNED_IN),
    "accounts:preferences": Route(SIGNED_IN),
    "accounts:api_tokens": Route(SIGNED_IN),
    "accounts:api_token_revoke": Route(SIGNED_IN, lambda o: {"pk": 987654321}, "post"),
    "accounts:approval_list": Route(SIGNED_IN),
    "accounts:two_person_rule": Route(SIGNED_IN),
    "accounts:approval_detail": Route(SIGNED_IN, lambda o: {"approval_id": uuid.uuid4()}),
    "accounts:approval_withdraw": Route(SIGNED_IN, lambda o: {"approval_id": uuid.uuid4()}, "post"),
    "accounts:sign_out_everywhere": Route(SIGNED_IN, method="post"),
    "accounts:set_language": Route(PUBLIC, method="post"),
    "accounts:session_check": Route(SIGNED_IN),
    "audit:event_list": Route(SIGNED_IN),
    "account_login": Route(PUBLIC),
    "account_logout": Route(PUBLIC),
    "account_inactive": Route(PUBLIC),
    "account_reauthenticate": Route(SIGNED_IN),
    "account_change_password": Route(SIGNED_IN),
    "mfa_index": Route(SIGNED_IN),
    "mfa_authenticate": Route(PUBLIC),
    "mfa_reauthenticate": Route(SIGNED_IN),
    "mfa_activate_totp": Route(SIGNED_IN),
    "mfa_deactivate_totp": Route(SIGNED_IN),
    "mfa_view_recovery_codes": Route(SIGNED_IN),
    "mfa_generate_recovery_codes": Route(SIGNED_IN),
    "mfa_download_recovery_codes": Route(SIGNED_IN),
    "mfa_list_webauthn": Route(SIGNED_IN),
    "mfa_add_webauthn": Route(SIGNED_IN),
    "mfa_reauthenticate_webauthn": Route(SIGNED_IN),
    "mfa_remove_webauthn": Route(AGENCY_OBJECT, _authenticator, "post"),
    "mfa_edit_webauthn": Route(AGENCY_OBJECT, _authenticator),
    "usersessions_list": Route(SIGNED_IN),
    "people:case_list": Route(SIGNED_IN),
    "desk:case_detail": Route(AGENCY_OBJECT, _case),
    "people:break_glass": Route(SIGNED_IN),
    "people:case_close": Route(AGENCY_OBJECT, lambda o: {"case_id": o["case"].pk}, "post"),
    "people:case_take": Route(AGENCY_OBJECT, lambda o: {"case_id": o["case"].pk}, "post"),
    "people:intake_start": Route(SIGNED_IN),
    "people:intake_language": Route(SIGNED_IN),
    "people:intake_identity": Route(SIGNED_IN),
    "people:person_edit": Route(AGENCY_OBJECT, _case),
    "people:case_staff": Route(AGENCY_OBJECT, _case),
    "people:person_destroy": Route(AGENCY_OBJECT, _case),
    "people:field_settings": Route(SIGNED_IN),
    "protocol:step_update": Route(
        AGENCY_OBJECT, lambda o: {"case_id": o["case"].pk, "step": "rights"}, "post"
    ),
    "protocol:safety": Route(AGENCY_OBJECT, _case),
    "protocol:danger_check": Route(AGENCY_OBJECT, _case, "post"),
    "protocol:safety_plan": Route(AGENCY_OBJECT, _case, "post"),
    "protocol:safety_plan_version": Route(AGENCY_OBJECT, lambda o: {**_case(o), "version": 1}),
    "protocol:safety_plan_pdf": Route(AGENCY_OBJECT, _case),
    "authorities:law": Route(AGENCY_OBJECT, _case),
    "consent:consents": Route(AGENCY_OBJECT, _case),
    "consent:consent_withdraw": Route(
        AGENCY_OBJECT, lambda o: {**_case(o), "consent_id": uuid.uuid4()}
    ),
    "consent:consent_pdf": Route(AGENCY_OBJECT, lambda o: {**_case(o), "consent_id": uuid.uuid4()}),
    "consent:disclosures": Route(AGENCY_OBJECT, _case),
    "consent:court_order": Route(AGENCY_OBJECT, _case),
    "attachments:documents": Route(AGENCY_OBJECT, _case),
    "attachments:download": Route(AGENCY_OBJECT, _attachment),
    "communications:log": Route(AGENCY_OBJECT, _case),
    "exports:export": Route(AGENCY_OBJECT, _case),
    "jobs:list": Route(SIGNED_IN),
    "jobs:detail": Route(AGENCY_OBJECT, lambda o: _job(o)),
    "jobs:progress": Route(AGENCY_OBJECT, lambda o: _job(o)),
    "jobs:download": Route(AGENCY_OBJECT, lambda o: _job(o)),
    "api:job_detail": Route(AGENCY_OBJECT, lambda o: _job(o)),
    "api:job_result": Route(AGENCY_OBJECT, lambda o: _job(o)),
    "communications:roster": Route(SIGNED_IN),
    "communications:interpreter": Route(SIGNED_IN, lambda o: {"interpreter_id": uuid.uuid4()}),
    "communications:entry_new": Route(AGENCY_OBJECT, _case),
    "communications:entry": Route(AGENCY_OBJECT, lambda o: {**_case(o), "entry_id": uuid.uuid4()}),
    "communications:addendum": Route(
        AGENCY_OBJECT, lambda o: {**_case(o), "entry_id": uuid.uuid4()}, "post"
    ),
    "interpretation:point": Route(SIGNED_IN),
    "interpretation:point_pdf": Route(SIGNED_IN),
    "interpretation:point_for_case": Route(AGENCY_OBJECT, _case),
    "referrals:referrals": Route(AGENCY_OBJECT, _case),
    "referrals:referral_new": Route(
        AGENCY_OBJECT,
        lambda o: {**_case(o), "need_id": uuid.uuid4(), "service_id": uuid.uuid4()},
    ),
    "referrals:referral": Route(AGENCY_OBJECT, lambda o: {**_case(o), "referral_id": uuid.uuid4()}),
    "referrals:referral_pdf": Route(
        AGENCY_OBJECT, lambda o: {**_case(o), "referral_id": uuid.uuid4()}
    ),
    "referrals:inbox": Route(SIGNED_IN),
    "referrals:expertise": Route(SIGNED_IN),
    "referrals:inbox_referral": Route(AGENCY_OBJECT, lambda o: {"referral_id": uuid.uuid4()}),
    "consent:settings": Route(SIGNED_IN),
    "authorities:law_choice": Route(AGENCY_OBJECT, _case, "post"),
    "authorities:law_contact": Route(AGENCY_OBJECT, _case, "post"),
    "authorities:continued_presence": Route(AGENCY_OBJECT, _case, "post"),
    "authorities:continued_presence_update": Route(
        AGENCY_OBJECT, lambda o: {**_case(o), "request_id": uuid.uuid4()}, "post"
    ),
    "authorities:minor_report": Route(AGENCY_OBJECT, _case),
    "authorities:reporting_contacts": Route(SIGNED_IN),
    "authorities:reporting_contact_edit": Route(AGENCY_OBJECT, lambda o: {"contact_id": 1}),
    "authorities:reporting_contact_delete": Route(
        AGENCY_OBJECT, lambda o: {"contact_id": 1}, "post"
    ),
    "protocol:needs": Route(AGENCY_OBJECT, _case),
    "protocol:needs_assess": Route(AGENCY_OBJECT, _case, "post"),
    "protocol:need_status": Route(
        AGENCY_OBJECT, lambda o: {**_case(o), "need_id": uuid.uuid4()}, "post"
    ),
    "protocol:need_categories": Route(SIGNED_IN),
    "protocol:rights": Route(AGENCY_OBJECT, _case),
    "protocol:rights_explained": Route(AGENCY_OBJECT, _case, "post"),
    "protocol:handout": Route(AGENCY_OBJECT, lambda o: {**_case(o), **HANDOUT}),
    "protocol:handout_pdf": Route(AGENCY_OBJECT, lambda o: {**_case(o), **HANDOUT}),
    "protocol:materials": Route(SIGNED_IN),
    "protocol:instrument": Route(AGENCY_OBJECT, _case, "post"),
    "protocol:screening": Route(AGENCY_OBJECT, lambda o: {**_case(o), "kind": "adult"}),
    "api:protocol_tracker": Route(AGENCY_OBJECT, _case),
    "api:protocol_step_set": Route(API, lambda o: {**_case(o), "step": "rights"}, "put"),
    "api:danger_check_list": Route(AGENCY_OBJECT, _case),
    "api:danger_check_record": Route(API, _case, "post"),
    "api:safety_plan_list": Route(AGENCY_OBJECT, _case),
    "api:safety_plan_save": Route(API, _case, "post"),
    "api:safety_plan_detail": Route(AGENCY_OBJECT, lambda o: {**_case(o), "version": 1}),
    "api:need_category_list": Route(API),
    "api:attachment_list": Route(AGENCY_OBJECT, _case),
    "api:attachment_add": Route(API, _case, "post"),
    "api:attachment_download": Route(AGENCY_OBJECT, _attachment),
    "api:court_order_record": Route(API, _case, "post"),
    "api:need_list": Route(AGENCY_OBJECT, _case),
    "api:need_assessment_record": Route(API, _case, "post"),
    "api:need_status_set": Route(API, lambda o: {**_case(o), "need_id": uuid.uuid4()}, "patch"),
    "api:rights_library": Route(API),
    "api:rights_explained_list": Route(AGENCY_OBJECT, _case),
    "api:rights_explained_record": Route(API, _case, "post"),
    "api:law_choice_list": Route(AGENCY_OBJECT, _case),
    "api:law_choice_record": Route(API, _case, "post"),
    "api:law_contact_list": Route(AGENCY_OBJECT, _case),
    "api:law_contact_record": Route(API, _case, "post"),
    "api:continued_presence_list": Route(AGENCY_OBJECT, _case),
    "api:continued_presence_record": Route(API, _case, "post"),
    "api:mandated_report_detail": Route(AGENCY_OBJECT, _case),
    "api:mandated_report_record": Route(API, _case, "put"),
    "api:screening_list": Route(AGENCY_OBJECT, _case),
    "api:screening_record": Route(API, _case, "post"),
    "api:instrument_result_list": Route(AGENCY_OBJECT, _case),
    "api:instrument_result_record": Route(API, _case, "post"),
    "api:consent_list": Route(API),
    "api:consent_record": Route(API, method="post"),
    "api:consent_detail": Route(AGENCY_OBJECT, _consent),
    "api:consent_revoke": Route(API, _consent, "post"),
    "api:disclosure_list": Route(AGENCY_OBJECT, _case),
    "api:communication_list": Route(AGENCY_OBJECT, _case),
    "api:communication_record": Route(API, _case, "post"),
    "api:communication_detail": Route(
        AGENCY_OBJECT, lambda o: {**_case(o), "entry_id": uuid.uuid4()}
    ),
    "api:communication_addendum": Route(
        API, lambda o: {**_case(o), "entry_id": uuid.uuid4()}, "post"
    ),
    "api:interpreter_list": Route(API),
    "api:interpreter_add": Route(API, method="post"),
    "api:interpreter_detail": Route(AGENCY_OBJECT, _interpreter),
    "api:interpreter_update": Route(API, _interpreter, "put"),
    "api:record_export_list": Route(AGENCY_OBJECT, _case),
    "api:record_export_create": Route(API, _case, "post"),
    "api:referral_list": Route(API),
    "api:referral_send": Route(API, method="post"),
    "api:referral_inbox": Route(API),
    "api:referral_detail": Route(AGENCY_OBJECT, _referral),
    "api:referral_move": Route(API, _referral, "post"),
    "safety:home": Route(SIGNED_IN),
    "safety:case": Route(AGENCY_OBJECT, _case),
    "safety:threats": Route(SIGNED_IN),
    "safety:threat_new": Route(SIGNED_IN),
    "safety:threat": Route(SIGNED_IN, lambda o: {"threat_id": uuid.uuid4()}),
    "safety:concerns": Route(SIGNED_IN),
    "safety:concern_new": Route(SIGNED_IN),
    "safety:concern": Route(SIGNED_IN, lambda o: {"concern_id": uuid.uuid4()}),
    "safety:concern_edit": Route(SIGNED_IN, lambda o: {"concern_id": uuid.uuid4()}),
    "safety:concern_remove": Route(SIGNED_IN, lambda o: {"concern_id": uuid.uuid4()}, "post"),
    "safety:visitors": Route(SIGNED_IN),
    "safety:visit_out": Route(SIGNED_IN, lambda o: {"visit_id": uuid.uuid4()}, "post"),
    "safety:alerts": Route(SIGNED_IN),
    "safety:alerts_live": Route(SIGNED_IN),
    "safety:alert_acknowledge": Route(SIGNED_IN, lambda o: {"alert_id": uuid.uuid4()}, "post"),
    "safety:checklist": Route(SIGNED_IN),
    "safety:checklists": Route(SIGNED_IN),
    "safety:staff_checklist": Route(AGENCY_OBJECT, lambda o: {"user_id": o["member"].pk}),
    "safety:settings": Route(SIGNED_IN),
    "safety:lockdown": Route(SIGNED_IN),
    "preparedness:home": Route(SIGNED_IN),
    "reports:summary": Route(SIGNED_IN),
    "reports:funder": Route(SIGNED_IN),
    "reports:run": Route(SIGNED_IN, lambda o: {"job_id": uuid.uuid4()}),
    "reports:run_progress": Route(SIGNED_IN, lambda o: {"job_id": uuid.uuid4()}),
    "reports:run_download": Route(
        SIGNED_IN, lambda o: {"job_id": uuid.uuid4(), "layout": "summary"}
    ),
    "reports:settings": Route(SIGNED_IN),
    "api:report_run_start": Route(API, method="post"),
    "api:report_run": Route(SIGNED_IN, lambda o: {"run_id": uuid.uuid4()}),
    "api:report_settings": Route(API),
    "api:report_settings_save": Route(API, method="put"),
    "partners:directory": Route(SIGNED_IN),
    "partners:organization_create": Route(SIGNED_IN),
    "partners:exchange": Route(SIGNED_IN),
    "partners:import": Route(SIGNED_IN, method="post"),
    "partners:export": Route(SIGNED_IN, method="post"),
    "partners:organization": Route(AGENCY_OBJECT, _org),
    "partners:organization_edit": Route(AGENCY_OBJECT, _org),
    "partners:service_create": Route(AGENCY_OBJECT, _org),
    "partners:service_edit": Route(AGENCY_OBJECT, _org_and("service", "service_id")),
    "partners:location_create": Route(AGENCY_OBJECT, _org),
    "partners:location_edit": Route(AGENCY_OBJECT, _org_and("location", "location_id")),
    "partners:location_remove": Route(AGENCY_OBJECT, _org_and("location", "location_id"), "post"),
    "partners:contact_create": Route(AGENCY_OBJECT, _org),
    "partners:contact_edit": Route(AGENCY_OBJECT, _org_and("contact", "contact_id")),
    "partners:contact_remove": Route(AGENCY_OBJECT, _org_and("contact", "contact_id"), "post"),
    "api:partner_list": Route(API),
    "api:partner_detail": Route(AGENCY_OBJECT, _org),
    "api:partner_create": Route(API, method="post"),
    "api:partner_update": Route(API, _org, "put"),
    "api:partner_service_create": Route(API, _org, "post"),
    "api:partner_service_update": Route(API, _org_and("service", "service_id"), "put"),
    "api:hsds_root": Route(API),
    "api:hsds_services": Route(API),
    "api:hsds_service": Route(AGENCY_OBJECT, lambda o: {"service_id": _partner(o)["service"].pk}),
    "api:hsds_organizations": Route(API),
    "api:hsds_organization": Route(AGENCY_OBJECT, _org),
    "api:openapi-json": Route(PUBLIC),
    "api:me": Route(API),
    "api:staff_list": Route(API),
    "api:team_list": Route(API),
    "api:api-root": Route(API),
    "api:case_list": Route(API),
    "api:case_detail": Route(AGENCY_OBJECT, _case),
    "api:case_take": Route(API, _case, "post"),
    "api:person_update": Route(AGENCY_OBJECT, _case, "patch"),
    "api:people_search": Route(API, method="post"),
    "api:people_create": Route(API, method="post"),
    "api:threat_list": Route(API),
    "api:threat_record": Route(API, method="post"),
    "api:threat_detail": Route(AGENCY_OBJECT, _safety_id("threat")),
    "api:threat_follow_up": Route(API, _safety_id("threat"), "post"),
    "api:concern_list": Route(API),
    "api:concern_add": Route(API, method="post"),
    "api:concern_detail": Route(AGENCY_OBJECT, _safety_id("concern")),
    "api:concern_update": Route(API, _safety_id("concern"), "put"),
    "api:concern_remove": Route(AGENCY_OBJECT, _safety_id("concern"), "delete"),
    "api:visit_list": Route(API),
    "api:visit_places": Route(API),
    "api:visit_check_in": Route(API, method="post"),
    "api:visit_check_out": Route(AGENCY_OBJECT, _safety_id("visit"), "post"),
    "api:alert_list": Route(API),
    "api:alert_acknowledge": Route(AGENCY_OBJECT, _safety_id("alert"), "post"),
    "api:checklist_detail": Route(API),
    "api:checklist_save": Route(API, method="put"),
    "api:staff_checklist_detail": Route(AGENCY_OBJECT, lambda o: {"user_id": o["member"].pk}),
    "training:mine": Route(SIGNED_IN),
    "training:overview": Route(SIGNED_IN),
    "training:records": Route(SIGNED_IN),
    "training:record_new": Route(SIGNED_IN),
    "training:record": Route(AGENCY_OBJECT, _training_id("record_id")),
    "training:events": Route(SIGNED_IN),
    "training:event_new": Route(SIGNED_IN),
    "training:event": Route(AGENCY_OBJECT, _training_id("event_id")),
    "training:topics": Route(SIGNED_IN),
    "api:training_list": Route(API),
    "api:training_record": Route(API, method="post"),
    "api:training_detail": Route(AGENCY_OBJECT, _training_id("record_id")),
    "api:training_due": Route(API),
    "api:training_topics": Route(API),
    "api:training_event_list": Route(API),
    "api:training_event_record": Route(API, method="post"),
    "preparedness:policies": Route(SIGNED_IN),
    "preparedness:policy_new": Route(SIGNED_IN),
    "preparedness:policy": Route(AGENCY_OBJECT, _prepared("document_id")),
    "preparedness:policy_edit": Route(AGENCY_OBJECT, _prepared("document_id")),
    "preparedness:version_new": Route(AGENCY_OBJECT, _prepared("document_id")),
    "preparedness:review": Route(AGENCY_OBJECT, _prepared("document_id")),
    "preparedness:acknowledge": Route(AGENCY_OBJECT, _prepared("document_id"), "post"),
    "preparedness:meetings": Route(SIGNED_IN),
    "preparedness:meeting_new": Route(SIGNED_IN),
    "preparedness:meeting": Route(AGENCY_OBJECT, _prepared("meeting_id")),
    "preparedness:meeting_edit": Route(AGENCY_OBJECT, _prepared("meeting_id")),
    "preparedness:agreements": Route(SIGNED_IN),
    "preparedness:agreement_new": Route(SIGNED_IN),
    "preparedness:agreement": Route(AGENCY_OBJECT, _prepared("agreement_id")),
    "api:policy_list": Route(API),
    "api:policy_create": Route(API, method="post"),
    "api:policy_detail": Route(
        AGENCY_OBJECT, lambda o: {"policy_id": _preparedness(o)["document_id"]}
    ),
    "api:policy_acknowledge": Route(
        API, lambda o: {"policy_id": _preparedness(o)["document_id"]}, "post"
    ),
    "api:policy_review_record": Route(
        API, lambda o: {"policy_id": _preparedness(o)["document_id"]}, "post"
    ),
    "api:partner_meeting_list": Route(API),
    "api:partner_meeting_record": Route(API, method="post"),
    "api:partner_agreement_list": Route(API),
    "api:agency_step_create": Route(API, method="post"),
    "api:agency_step_list": Route(API),
    "api:agency_step_retire": Route(API, _own_step, "post"),
    "api:agency_step_revise": Route(API, _own_step, "put"),
    "api:agency_step_state_set": Route(API, _case_and_own_step, "put"),
    "api:agency_step_version_apply": Route(API, _case_and_own_step, "post"),
    "api:case_stay_list": Route(AGENCY_OBJECT, _case),
    "api:check_in_list": Route(AGENCY_OBJECT, _shelter_ids("stay_id")),
    "api:check_in_record": Route(API, _shelter_ids("stay_id"), "post"),
    "api:shelter_bed_add": Route(API, _shelter_ids("site_id"), "post"),
    "api:shelter_bed_edit": Route(API, _shelter_ids("site_id", "bed_id"), "put"),
    "api:shelter_bed_list": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "api:shelter_keyholder_add": Route(API, _shelter_ids("site_id"), "post"),
    "api:shelter_keyholder_remove": Route(API, _shelter_ids("site_id", "user_id"), "delete"),
    "api:shelter_site_address": Route(API, _shelter_ids("site_id"), "post"),
    "api:shelter_site_create": Route(API, method="post"),
    "api:shelter_site_detail": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "api:shelter_site_edit": Route(API, _shelter_ids("site_id"), "put"),
    "api:shelter_site_list": Route(API),
    "api:shelter_site_sealed": Route(API, _shelter_ids("site_id"), "put"),
    "api:site_occupancy": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "api:stay_admit": Route(API, _case, "post"),
    "api:stay_compromised": Route(API, _shelter_ids("stay_id"), "post"),
    "api:stay_end": Route(API, _shelter_ids("stay_id"), "post"),
    "api:stay_move": Route(API, _shelter_ids("stay_id"), "post"),
    "api:stay_place": Route(API, _case, "post"),
    "api:stay_request_add": Route(API, _case, "post"),
    "api:stay_request_withdraw": Route(API, _shelter_ids("request_id"), "post"),
    "api:waiting_list": Route(API),
    "protocol:agency_step": Route(AGENCY_OBJECT, _case_and_own_step),
    "protocol:agency_step_apply": Route(AGENCY_OBJECT, _case_and_own_step, "post"),
    "protocol:agency_step_edit": Route(AGENCY_OBJECT, _own_step),
    "protocol:agency_step_retire": Route(AGENCY_OBJECT, _own_step, "post"),
    "protocol:agency_steps": Route(SIGNED_IN),
    "shelter:bed_active": Route(AGENCY_OBJECT, _shelter_ids("site_id", "bed_id"), "post"),
    "shelter:case_stays": Route(AGENCY_OBJECT, _case),
    "shelter:check_in": Route(AGENCY_OBJECT, _shelter_ids("stay_id"), "post"),
    "shelter:home": Route(SIGNED_IN),
    "shelter:keyholder_remove": Route(AGENCY_OBJECT, _shelter_ids("site_id", "user_id"), "post"),
    "shelter:request_withdraw": Route(AGENCY_OBJECT, _shelter_ids("request_id"), "post"),
    "shelter:residents": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "shelter:site": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "shelter:site_address": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "shelter:site_close": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "shelter:site_new": Route(SIGNED_IN),
    "shelter:site_sealed": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "shelter:site_setup": Route(AGENCY_OBJECT, _shelter_ids("site_id")),
    "shelter:sites": Route(SIGNED_IN),
    "shelter:stay": Route(AGENCY_OBJECT, _shelter_ids("stay_id")),
    "shelter:stay_admit": Route(AGENCY_OBJECT, _case, "post"),
    "shelter:stay_compromised": Route(AGENCY_OBJECT, _shelter_ids("stay_id"), "post"),
    "shelter:stay_end": Route(AGENCY_OBJECT, _shelter_ids("stay_id"), "post"),
    "shelter:stay_move": Route(AGENCY_OBJECT, _shelter_ids("stay_id"), "post"),
    "shelter:stay_place": Route(AGENCY_OBJECT, _case, "post"),
    "shelter:stay_request": Route(AGENCY_OBJECT, _case, "post"),
    "shelter:waiting": Route(SIGNED_IN),
}


def _walk(patterns: list[Any], namespace: str | None = None) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def all_route_names() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def test_every_route_is_classified():
    missing = [name for name in all_route_names() if name not in ROUTES]
    stale = [name for name in ROUTES if name not in all_route_names()]
    assert missing == [], f"add these routes to ROUTES with who may reach them: {missing}"
    assert stale == [], f"these ROUTES entries name no URL any more: {stale}"


@pytest.fixture
def objects(agency, team, admin_user):
    """Objects of the first agency for the routes that name one."""
    member = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-member")
    authenticator = Authenticator.objects.filter(user=member).first()
    case = record_intake(actor=member, team=team, danger="no", legal_name="Synthetic Walker")
    return {"member": member, "authenticator": authenticator, "case": case}


def _request(client, name: str, route: Route, objects: dict[str, Any]):
    url = reverse(name, kwargs=route.kwargs(objects))
    if route.method == "patch":  # an API change: an empty change, so the body parses
        return url, client.patch(url, "{}", content_type="application/json")
    return url, getattr(client, route.method)(url)


def _is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_visitor_gets_only_sign_in_or_404(client, objects, name):
    route = ROUTES[name]
    before = AuditEvent.objects.count()
    url, response = _request(client, name, route, objects)
    if route.kind == PUBLIC:
        assert response.status_code in {200, 302, 405}, (url, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith("http"), "no redirect off-site"
    elif route.kind == LINK:
        assert response.status_code == 404, url
    elif route.kind == HEALTH:
        assert response.status_code in {200, 503}, url
    elif route.kind == API or name.startswith("api:"):
        # The JSON API answers for itself: 401, never a redirect to sign in.
        assert response.status_code in {401, 404}, url
    else:
        assert _is_sign_in_redirect(response) or response.status_code == 404, (
            url,
            response.status_code,
        )
    # An anonymous visit may note a failed sign-in, but changes nothing else.
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.kind == AGENCY_OBJECT))
def test_other_agency_gets_404_for_every_object(real_client_for, objects, outsider, name):
    client = real_client_for(outsider)
    member = objects["member"]
    was_active = member.is_active
    before = (Person.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    url, response = _request(client, name, ROUTES[name], objects)
    assert response.status_code == 404, url
    member.refresh_from_db()
    assert member.is_active == was_active
    assert member.memberships.count() == 1
    # Nothing recorded, and nothing of the first agency shown (so nothing audited).
    assert (Person.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    "name", sorted(n for n, r in ROUTES.items() if r.kind == SIGNED_IN and r.method == "get")
)
def test_other_agency_pages_show_nothing_of_the_first_agency(
    client_for, objects, outsider, agency, name
):
    client = client_for(outsider)
    url, response = _request(client, name, ROUTES[name], objects)
    assert response.status_code in {200, 302, 404}, (url, response.status_code)
    body = response.content.decode(errors="replace")  # a PDF among them
    assert objects["member"].username not in body
    assert agency.name not in body


def test_every_page_carries_the_content_security_policy(client, client_for, objects, admin_user):
    names = [n for n, r in ROUTES.items() if r.method == "get"]
    for who in (None, admin_user):
        if who is not None:
            client = client_for(who)
        for name in names:
            url, response = _request(client, name, ROUTES[name], objects)
            policy = response.get("Content-Security-Policy", "")
            for directive in (
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "frame-ancestors 'none'",
            ):
                assert directive in policy, (url, policy)
            assert "unsafe-inline" not in policy
            assert "unsafe-eval" not in policy


def test_a_nul_in_the_query_string_is_refused(client_for, admin_user, advocate):
    client = client_for(advocate)
    for url in ("/", "/cases/", "/partners/"):
        assert client.get(url, {"q": "a\x00b"}).status_code == 400, url
    # The API refuses it in the parameters it reads, as documented.
    for url, name in (("/api/v1/hsds/services", "search"), ("/api/v1/partners", "q")):
        assert client.get(url, {name: "a\x00b"}).status_code == 422, url
