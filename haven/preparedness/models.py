"""Organizational preparedness: the agency's written policies (each in
numbered, approved versions, reviewed on schedule and acknowledged by every
staff member), its meetings with partners, and the agreements it holds with
them.

Policies, their versions and agreements are about the agency, not about a
person served: their titles and summaries are plain text. What was said at a
meeting with a partner may touch on cases, so its notes are sealed under a
data key of the meeting's own, like the safety records.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.attachments.models import Attachment
from haven.core import limits
from haven.core.fields import EncryptedTextField
from haven.core.models import Agency
from haven.partners.models import Organization
from haven.people.models import SealedToPerson


class PolicyKind(models.TextChoices):
    """The policies an agency serving trafficked people should have written
    down (PRODUCT.md, organizational preparedness). ``other`` for the rest."""

    ELIGIBILITY = "eligibility", _("Eligibility for services includes trafficked people")
    IDENTIFICATION = "identification", _("Identifying people who have been trafficked")
    ENCOUNTER = "encounter", _("What to do on an encounter")
    MANDATED_REPORTING = "mandated_reporting", _("Mandated reporting for minors")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality and release of information")
    STAFF_SAFETY = "staff_safety", _("Staff safety and emergency shutdown")
    INTERPRETERS = "interpreters", _("Interpreters")
    DATA_RETENTION = "data_retention", _("Data retention")
    OTHER = "other", _("Other")


class PolicyDocument(models.Model):
    """One policy of the agency, whatever its version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=PolicyKind.choices)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=limits.LINE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The version staff read and acknowledge: the latest one approved.
    current_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The current version's next review, moved on by each review that
    # found nothing to change.
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    # Counts the edits of the document's own fields, so an edit made from a
    # stale page is refused. Named apart from the policy's versions.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        indexes = [models.Index(fields=["agency", "kind"], name="policy_by_kind")]

    def __str__(self) -> str:
        return f"policy {self.pk}"


class PolicyVersion(models.Model):
    """One approved text of a policy, kept as an agency document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="versions")
    # 1, 2, ... given by the service, never by the client.
    number = models.PositiveIntegerField()
    approved_on = models.DateField(_("approved on"))
    next_review_on = models.DateField(_("next review"))
    changes = models.TextField(_("summary of changes"), blank=True)
    file = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="policy_version_once"),
            models.CheckConstraint(
                condition=models.Q(next_review_on__gt=models.F("approved_on")),
                name="policy_version_review_after_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"policy version {self.pk}"


class ReviewOutcome(models.TextChoices):
    NO_CHANGES = "no_changes", _("No changes needed")
    REVISED = "revised", _("Revised: a new version")


class PolicyReview(models.Model):
    """A review of the version current at the time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="reviews")
    # The version reviewed (with REVISED, the one the new version replaced).
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReviewOutcome.choices)
    next_review_on = models.DateField(_("next review"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-reviewed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"policy review {self.pk}"


class PolicyAcknowledgement(models.Model):
    """A staff member read one version of a policy. A new version needs a new one."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="policy_acknowledged_once"),
        ]

    def __str__(self) -> str:
        return f"policy acknowledgement {self.pk}"


# --- Partners ----------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    DA_VICTIM_WITNESS = "da_victim_witness", _("District attorney's victim-witness program")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement victim services")
    HEALTH_CARE = "health_care", _("Health care")
    OTHER = "other", _("Other partner")


class PartnerMeeting(SealedToPerson):
    """A meeting with a partner: who came, what was agreed, what follows."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of partner"), max_length=20, choices=MeetingKind.choices)
    # A partner of the agency's directory, or, when it is not in it, its name.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner_name = models.CharField(_("partner"), max_length=limits.LINE, blank=True)
    held_on = models.DateField(_("held on"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="partner_meetings"
    )
    partner_attendees = EncryptedTextField(_("partner attendees"))
    agreements = EncryptedTextField(_("agreements reached"))
    follow_ups = EncryptedTextField(_("follow-ups"))
    follow_up_due = models.DateField(_("follow-ups due"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-ups done"), default=False)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "-held_on"], name="partner_meeting_latest")]

    def __str__(self) -> str:
        return f"partner meeting {self.pk}"


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    REFERRAL = "referral", _("Referral agreement")
    DATA_SHARING = "data_sharing", _("Data sharing agreement")
    OTHER = "other", _("Other agreement")


class PartnerAgreement(models.Model):
    """A signed agreement with a partner, kept as an agency document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=AgreementKind.choices)
    signed_on = models.DateField(_("signed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["agency", "-signed_on"], name="partner_agreement_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("signed_on")),
                name="partner_agreement_expires_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"partner agreement {self.pk}"
