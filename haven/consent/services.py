"""Recording and withdrawing consent, and the agency's consent settings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.attachments.models import Use
from haven.attachments.services import Upload, attachment_store
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.consent.models import (
    Consent,
    ConsentForm,
    ConsentSettings,
    InfoKind,
    Purpose,
    RecipientCategory,
)
from haven.consent.policies import may_record_consent, may_set_consent_terms
from haven.consent.signals import consent_revoked
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.languages import CODES
from haven.core.text import check_texts
from haven.partners.models import Organization
from haven.people.models import Case
from haven.protocol.models import Step, StepState
from haven.protocol.tracker import step_advance

LONGEST = timedelta(days=366)
DEFAULT_DAYS = 90


@dataclass(frozen=True)
class ConsentValues:
    """What a person agrees to, as staff record it."""

    purpose: str
    kinds: Sequence[str]
    form: str
    language: str
    recipient_org_id: uuid.UUID | None = None
    recipient_category: str = ""
    purpose_note: str = ""
    signature: str = ""
    witness: str = ""
    paper_kept: str = ""
    interpreter: str = ""
    starts_on: date | None = None
    expires_on: date | None = None
    # Signed on paper: the scan of the signed form, when there is one.
    scan: Upload | None = None


def default_days(agency_id: int) -> int:
    found = ConsentSettings.objects.filter(agency_id=agency_id).first()
    return found.default_days if found else DEFAULT_DAYS


def _require(actor: User, case: Case) -> None:
    if not may_record_consent(actor) or case.agency_id != actor.agency_id:
        raise NotFound


def _recipient(
    actor: User, values: ConsentValues, errors: dict[str, list[str]]
) -> Organization | None:
    """The directory entry named, which must be the actor's agency's own."""
    if values.recipient_org_id and values.recipient_category:
        errors["recipient"] = [_("Name one organization or one category, not both.")]
        return None
    if values.recipient_category:
        if values.recipient_category not in RecipientCategory.values:
            errors["recipient"] = [_("Choose one of the options offered.")]
        return None
    if not values.recipient_org_id:
        errors["recipient"] = [_("Say who the information may go to.")]
        return None
    organization = Organization.objects.filter(
        pk=values.recipient_org_id, agency_id=actor.agency_id
    ).first()
    if organization is None:
        # Another agency's entry and a missing one look the same.
        errors["recipient"] = [_("Choose an organization from your agency's directory.")]
    return organization


def consent_record(*, actor: User, case: Case, values: ConsentValues) -> Consent:
    """Record a consent the person gave. Every rule is checked here, whoever calls."""
    _require(actor, case)
    errors: dict[str, list[str]] = {}
    organization = _recipient(actor, values, errors)
    if values.purpose not in Purpose.values:
        errors["purpose"] = [_("Choose the purpose.")]
    kinds = sorted(set(values.kinds))
    if not kinds or set(kinds) - set(InfoKind.values):
        errors["kinds"] = [_("Choose what information may be shared.")]
    if values.form not in ConsentForm.values:
        errors["form"] = [_("Choose how the person gave consent.")]
    if values.language not in CODES or values.language == "und":
        errors["language"] = [_("Choose the language the consent was explained in.")]
    texts = {
        "purpose_note": values.purpose_note.strip(),
        "signature": values.signature.strip(),
        "witness": values.witness.strip(),
        "paper_kept": values.paper_kept.strip(),
        "interpreter": values.interpreter.strip(),
    }
    check_texts(
        errors,
        [
            (name, text, limits.SHORT_NOTE if name == "purpose_note" else limits.LINE)
            for name, text in texts.items()
        ],
    )
    required = {
        ConsentForm.SCREEN: ("signature", _("Ask the person to sign with their name.")),
        ConsentForm.VERBAL: ("witness", _("Name the witness who heard the person agree.")),
    }
    if values.form in required:
        name, message = required[ConsentForm(values.form)]
        if not texts[name]:
            errors.setdefault(name, []).append(message)
    if values.form == ConsentForm.PAPER and not (texts["paper_kept"] or values.scan):
        errors.setdefault("paper_kept", []).append(
            _("Attach the scan of the signed paper, or say where the paper is kept.")
        )
    if values.scan is not None and values.form != ConsentForm.PAPER:
        errors.setdefault("scan", []).append(_("A scan goes with a consent signed on paper."))
    today = timezone.localdate()
    starts_on = values.starts_on or today
    expires_on = values.expires_on or starts_on + timedelta(days=default_days(actor.agency_id))
    if starts_on < today - timedelta(days=30):
        errors["starts_on"] = [_("A consent cannot start more than 30 days ago.")]
    if expires_on < starts_on:
        errors["expires_on"] = [_("The consent must end after it starts.")]
    elif expires_on - starts_on > LONGEST:
        errors["expires_on"] = [_("A consent can last a year at most; renew it with the person.")]
    elif expires_on < today:
        errors["expires_on"] = [_("This date has passed: the consent would never be in force.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent(
            case=case,
            data_key_id=case.person.data_key_id,
            recipient_org=organization,
            recipient_category=values.recipient_category,
            purpose=values.purpose,
            kinds=kinds,
            form=values.form,
            language=values.language,
            starts_on=starts_on,
            expires_on=expires_on,
            recorded_by=actor,
        )
        consent.recipient_label = (
            organization.name
            if organization is not None
            else str(RecipientCategory(values.recipient_category).label)
        )
        for name, text in texts.items():
            setattr(consent, name, text or None)
        if values.scan is not None:
            consent.scan = attachment_store(
                actor=actor, case=case, upload=values.scan, use=Use.CONSENT
            )
        consent.save()
        step_advance(case, Step.CONSENT, StepState.DONE, actor)
        audit_record(
            action=Action.CONSENT_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={
                "consent": str(consent.pk),
                "purpose": consent.purpose,
                "kinds": kinds,
                "form": consent.form,
                "scan": str(consent.scan_id) if consent.scan_id else None,
                "expires_on": expires_on.isoformat(),
            },
        )
    return consent


def consent_revoke(*, actor: User, consent: Consent, note: str = "") -> Consent:
    """The person withdrew their consent: from now on it covers nothing.
    What already left under it stays in the ledger."""
    _require(actor, consent.case)
    errors: dict[str, list[str]] = {}
    check_texts(errors, [("note", note.strip(), limits.SHORT_NOTE)])
    if consent.revoked_at is not None:
        errors.setdefault("note", []).append(_("This consent was already withdrawn."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Read again under the write lock: two withdrawals record one.
        fresh = Consent.objects.select_for_update().get(pk=consent.pk)
        if fresh.revoked_at is not None:
            raise ValidationError({"note": [_("This consent was already withdrawn.")]})
        consent.revoked_at = timezone.now()
        consent.revoked_by = actor
        consent.revoke_note = note.strip() or None
        consent.save(update_fields=["revoked_at", "revoked_by", "revoke_note"])
        audit_record(
            action=Action.CONSENT_REVOKED,
            actor=actor,
            object_type="case",
            object_id=consent.case_id,
            detail={"consent": str(consent.pk)},
        )
        # Referrals still open under it are withdrawn with it (haven/referrals/receivers.py).
        consent_revoked.send(sender=Consent, consent=consent, actor=actor)
    return consent


def consent_settings_save(*, actor: User, days: int) -> ConsentSettings:
    if not may_set_consent_terms(actor):
        raise NotFound
    if not 1 <= days <= LONGEST.days:
        raise ValidationError({"default_days": [_("Choose between 1 and 366 days.")]})
    with transaction.atomic():
        found, _created = ConsentSettings.objects.update_or_create(
            agency_id=actor.agency_id, defaults={"default_days": days}
        )
        audit_record(
            action=Action.CONSENT_SETTINGS_CHANGED,
            actor=actor,
            object_type="agency",
            object_id=actor.agency_id,
            detail={"default_days": days},
        )
    return found
