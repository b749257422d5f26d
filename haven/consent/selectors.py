"""Reads of consent and the ledger, for a case the caller has already
opened (and audited) through people.selectors.case_get."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from haven.accounts.models import User
from haven.consent.models import Consent, Disclosure
from haven.partners.models import Organization
from haven.people.models import Case

# Consents ending within this many days are listed on the dashboard.
EXPIRING_WITHIN = timedelta(days=14)


def consents_of(case: Case) -> list[Consent]:
    return list(
        Consent.objects.filter(case=case)
        .select_related("data_key", "recorded_by", "revoked_by")
        .order_by("-expires_on", "-recorded_at")
    )


def consent_get(case: Case, consent_id: uuid.UUID) -> Consent | None:
    return (
        Consent.objects.filter(case=case, pk=consent_id)
        .select_related("data_key", "case__person__data_key", "recorded_by")
        .first()
    )


def disclosures_of(case: Case) -> list[Disclosure]:
    return list(
        Disclosure.objects.filter(case=case)
        .select_related("data_key", "by", "consent")
        .order_by("-at")
    )


def directory_choices(user: User) -> list[Organization]:
    """The organizations of the user's agency's directory, to name in a consent."""
    return list(
        Organization.objects.filter(agency_id=user.agency_id).only("id", "name").order_by("name")
    )


def consents_expiring(cases: QuerySet[Case]) -> list[Consent]:
    """Consents in force on ``cases`` (open ones the caller has scoped to
    what its user may open) that end soon: ids and dates only, so the
    dashboard can list them without showing anyone's data."""
    today = timezone.localdate()
    return list(
        Consent.objects.filter(
            case__in=cases.filter(status=Case.Status.OPEN).values("pk"),
            revoked_at__isnull=True,
            starts_on__lte=today,
            expires_on__gte=today,
            expires_on__lte=today + EXPIRING_WITHIN,
        )
        .only("id", "case_id", "expires_on", "purpose")
        .order_by("expires_on", "case_id")[:50]
    )
