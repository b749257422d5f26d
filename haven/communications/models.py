"""The communications log of a case, and the roster of interpreters.

Entries are never changed or removed in place: a correction is an addendum
that points to its entry and says why. Each entry carries the hash of the one
before it in its case (a chain per case), and each entry's hash is anchored
in the audit trail when it is written, so ``verify_integrity`` can name the
first entry altered, removed, reordered or slipped in
(docs/adr/0014-communications-log.md).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import Agency
from haven.people.models import Case, SealedToPerson


class InterpreterKind(models.TextChoices):
    STAFF = "staff", _("Staff interpreter")
    CONTRACTOR = "contractor", _("Contract interpreter")
    SERVICE = "service", _("Phone or video interpreting service")


class InterpreterGender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Another gender")
    NOT_SAID = "not_said", _("Not said")


class Interpreter(models.Model):
    """Someone the agency calls on to interpret: the agency's own record of
    its staff, contractors and services, not data of a person served."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InterpreterKind.choices)
    languages = models.JSONField(_("languages"), default=list)
    dialects = models.CharField(_("dialects"), max_length=300, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=InterpreterGender.choices, default="not_said"
    )
    contact = models.CharField(_("how to reach them"), max_length=300, blank=True)
    agreement = models.ForeignKey(
        "attachments.Attachment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confidentiality agreement"),
    )
    agreement_expires_on = models.DateField(_("agreement valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("available"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "name"], name="interpreter_agency_name")]

    def __str__(self) -> str:
        return self.name

    def agreement_problem(self, on: date) -> str:
        """Why this interpreter's confidentiality agreement does not hold on
        ``on``, or "" when it does."""
        if self.agreement_id is None:
            return str(_("No confidentiality agreement is on file."))
        if self.agreement_expires_on is not None and self.agreement_expires_on < on:
            return str(_("The confidentiality agreement expired on %(day)s.")) % {
                "day": self.agreement_expires_on.isoformat()
            }
        return ""


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("E-mail")
    VIDEO = "video", _("Video call")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other")


class InterpretationMode(models.TextChoices):
    NONE = "none", _("No interpreter")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class AdHocInterpreter(models.TextChoices):
    """Someone outside the roster who interpreted. The protocol warns against
    each of these: an explicit reason is required."""

    FAMILY = "family", _("A family member")
    FRIEND = "friend", _("A friend")
    CHILD = "child", _("A child")
    CONNECTED = "connected", _("Someone connected to the situation")
    OTHER = "other", _("Someone else outside the roster")


class Communication(SealedToPerson):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="communications")
    # Position in the case's chain, from 1, in the order entries were written.
    seq = models.PositiveIntegerField()
    occurred_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    with_person = models.BooleanField(_("the person took part"), default=True)
    staff_ids = models.JSONField(default=list)  # staff who took part, by id
    partners = EncryptedTextField(_("partners who took part"))
    others = EncryptedTextField(_("others who took part"))
    place = EncryptedTextField(_("where"))
    summary = EncryptedTextField(_("summary"))
    details = EncryptedTextField(_("details"))
    follow_up = EncryptedTextField(_("follow-up"))
    follow_up_on = models.DateField(_("follow up by"), null=True, blank=True)
    language = models.CharField(_("language spoken"), max_length=3, blank=True)
    interpretation = models.CharField(
        _("interpretation"),
        max_length=20,
        choices=InterpretationMode.choices,
        default=InterpretationMode.NONE,
    )
    interpreter = models.ForeignKey(
        Interpreter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ad_hoc = models.CharField(max_length=20, choices=AdHocInterpreter.choices, blank=True)
    ad_hoc_name = EncryptedTextField(_("who interpreted"))
    ad_hoc_reason = EncryptedTextField(_("why no roster interpreter"))
    # The interpreter's agreement was missing or expired, and staff went on.
    agreement_warning = models.CharField(max_length=200, blank=True)
    attachment_ids = models.JSONField(default=list)
    addendum_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="addenda"
    )
    addendum_reason = EncryptedTextField(_("why this addendum"))
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="communication_case_seq"),
        ]
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="communication_case_latest"),
        ]

    def __str__(self) -> str:
        return f"communication {self.pk}"
