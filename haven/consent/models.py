"""Consent to share, and the ledger of what left the agency.

A consent names one recipient (a partner organization, or a category of
them), one purpose, the kinds of information allowed, and the days it is in
force. Nothing about a person leaves except through the gate (gate.py),
which writes a Disclosure for everything it allows.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import Agency
from haven.people.models import Case, SealedToPerson


class InfoKind(models.TextChoices):
    """The kinds of information a consent may allow to leave."""

    IDENTITY = "identity", _("Name, date of birth and gender")
    CONTACT = "contact", _("How to reach them safely")
    LANGUAGE = "language", _("Language and interpreter needs")
    NEEDS = "needs", _("Needs and services")
    IMMIGRATION = "immigration", _("Immigration status")
    SAFETY_PLAN = "safety_plan", _("Safety plan")
    NOTES = "notes", _("Case notes")
    SHELTER = "shelter", _("Where they are staying (the shelter)")


def kind_labels(kinds: list[str]) -> list[str]:
    """The labels of kinds of information, in the active language."""
    return [str(InfoKind(k).label) for k in kinds if k in InfoKind.values]


class Purpose(models.TextChoices):
    SERVICES = "services", _("A referral for services")
    LEGAL = "legal", _("Legal help")
    IMMIGRATION = "immigration", _("Immigration relief (T visa, U visa, Continued Presence)")
    BENEFITS = "benefits", _("Benefits and certification (HHS letters)")
    LAW_ENFORCEMENT = "law_enforcement", _("A report to or investigation by law enforcement")
    SAFETY = "safety", _("Safety planning with a partner")
    COURT = "court", _("Proceedings before a court")


class RecipientCategory(models.TextChoices):
    """A consent may name a category instead of one organization."""

    FEDERAL = "federal", _("Federal agencies")
    STATE = "state", _("State agencies")
    LOCAL = "local", _("Local agencies")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    PROSECUTION = "prosecution", _("Prosecutors (district attorney, US attorney, victim-witness)")


class ConsentForm(models.TextChoices):
    PAPER = "paper", _("Signed on paper")
    SCREEN = "screen", _("Signed on screen")
    VERBAL = "verbal", _("Given aloud, with a witness")


class Basis(models.TextChoices):
    """Why the gate let information leave."""

    CONSENT = "consent", _("The person's consent")
    MANDATED_MINOR = "mandated_minor", _("Mandated report for a minor")
    IMMINENT_DANGER = "imminent_danger", _("Imminent danger")
    COURT_ORDER = "court_order", _("Court order")


class ConsentSettings(models.Model):
    """An agency's defaults for consent."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    default_days = models.PositiveSmallIntegerField(
        _("days a consent lasts by default"), default=90
    )

    def __str__(self) -> str:
        return f"consent settings of agency {self.agency_id}"


class Consent(SealedToPerson):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    # One organization of the agency's directory, or a category: never both.
    recipient_org = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_category = models.CharField(
        max_length=20, choices=RecipientCategory.choices, blank=True
    )
    # The recipient's name as the person agreed to it: kept if the directory
    # entry is later removed.
    recipient_label = EncryptedTextField(_("recipient"))
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    purpose_note = EncryptedTextField(_("more about the purpose"))
    kinds = models.JSONField(default=list)
    form = models.CharField(max_length=10, choices=ConsentForm.choices)
    # Signed on screen: the name the person typed; aloud: the witness;
    # on paper: where the signed copy is kept.
    signature = EncryptedTextField(_("name as signed"))
    witness = EncryptedTextField(_("witness"))
    paper_kept = EncryptedTextField(_("where the signed paper is kept"))
    # The scan of the signed paper. RESTRICT: kept while the consent is, and
    # both go together when the person's record is destroyed.
    scan = models.ForeignKey(
        "attachments.Attachment",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    language = models.CharField(max_length=3)
    interpreter = EncryptedTextField(_("interpreter"))
    starts_on = models.DateField()
    expires_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_note = EncryptedTextField(_("what the person said"))

    class Meta:
        indexes = [models.Index(fields=["case", "expires_on"], name="consent_case_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("starts_on")),
                name="consent_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(recipient_org__isnull=False, recipient_category="")
                    | (models.Q(recipient_org__isnull=True) & ~models.Q(recipient_category=""))
                ),
                name="consent_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"consent {self.pk}"

    def in_force_on(self, day: date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.expires_on

    @property
    def kind_labels(self) -> list[str]:
        return kind_labels(self.kinds)


class Disclosure(SealedToPerson):
    """One time information about a person left the agency: to whom, what,
    when, why, and who authorized it. Written only by the gate."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient_org = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Every category the recipient fell in, comma-separated ("law_enforcement,local").
    recipient_category = models.CharField(max_length=100, blank=True)
    recipient_label = EncryptedTextField(_("recipient"))
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    kinds = models.JSONField(default=list)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    # RESTRICT, not PROTECT: a consent with disclosures is never deleted on
    # its own, but both go together when the person's record is destroyed.
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.RESTRICT, related_name="disclosures"
    )
    # A court order: its reference as recorded, and the copy of the order.
    court_order = EncryptedTextField(_("court order"))
    court_order_copy = models.ForeignKey(
        "attachments.Attachment",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    # How it left (a law enforcement contact, a referral...) and the record of it.
    channel = models.CharField(max_length=30)
    record_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-at"], name="disclosure_case_latest")]

    def __str__(self) -> str:
        return f"disclosure {self.pk}"

    @property
    def kind_labels(self) -> list[str]:
        return kind_labels(self.kinds)


class CourtOrderResponse(SealedToPerson):
    """What the agency handed over because a court ordered it, and how the
    person was told. Its ledger row holds the order's reference and copy."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="court_orders")
    # RESTRICT: kept while the ledger row is, and destroyed with the person.
    disclosure = models.OneToOneField(
        Disclosure, on_delete=models.RESTRICT, related_name="court_order_response"
    )
    given = EncryptedTextField(_("what was handed over"))
    person_told = EncryptedTextField(_("how the person was told"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"court order response {self.pk}"
