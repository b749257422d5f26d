"""Referrals: a need of the person, sent to a partner through the disclosure
gate with only what the person consented to.

A partner that uses this same installation receives a packet: the consented
fields, sealed under a data key of its own agency. Nothing else of the case
reaches it. A declined or withdrawn referral's packet is destroyed with its key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.consent.models import Disclosure, Purpose, kind_labels
from haven.core import keys
from haven.core.fields import EncryptedTextField
from haven.core.models import Agency
from haven.people.models import Case, SealedToPerson
from haven.protocol.models import Need


class ReferralStatus(models.TextChoices):
    # "Declined" by the partner, not the person (as for a need): a context of its own.
    SENT = "sent", pgettext_lazy("referral status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral status", "Declined")
    COMPLETED = "completed", pgettext_lazy("referral status", "Completed")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral status", "Withdrawn")


# A referral still waiting for, or being worked by, the partner.
OPEN_STATUSES = frozenset({ReferralStatus.SENT, ReferralStatus.ACCEPTED})


class Referral(SealedToPerson):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    organization = models.ForeignKey(
        "partners.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.ForeignKey(
        "partners.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The partner's name when it was sent (kept if the directory changes).
    partner_label = EncryptedTextField(_("partner"))
    # Another agency on this installation: the referral is in its queue.
    to_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    kinds = models.JSONField(default=list)
    message = EncryptedTextField(_("message to the partner"))
    # Exactly what left, as JSON (see packet.py): for the person, the ledger
    # and a partner outside Haven.
    content = EncryptedTextField(_("what was sent"))
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    outcome = EncryptedTextField(_("outcome"))
    # Why the sender withdrew it: shown to the sender only.
    withdrawal_note = EncryptedTextField(_("why it was withdrawn"))
    follow_up_on = models.DateField(null=True, blank=True)
    # Staff were warned the request is outside what the partner lists, and sent it anyway.
    outside_expertise = models.BooleanField(default=False)
    disclosure = models.OneToOneField(Disclosure, on_delete=models.RESTRICT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["case", "-sent_at"], name="referral_case_latest"),
            models.Index(fields=["to_agency", "status"], name="referral_inbox"),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"

    @property
    def kind_labels(self) -> list[str]:
        return kind_labels(self.kinds)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReferralChange(models.Model):
    """Each move of a referral, by whom (of either agency) and when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"referral change {self.pk}"


class ReferralPacket(models.Model):
    """What the receiving agency may read of a referral: the consented
    fields, sealed under a data key of the receiving agency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="packet")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    # JSON of the consented fields, sealed.
    content = EncryptedTextField(_("referral"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"referral packet {self.pk}"

    def data_key_bytes(self) -> bytes:
        cached: bytes | None = self.__dict__.get("_data_key_plain")
        if cached is None:
            cached = keys.data_key_open(self.data_key)
            self.__dict__["_data_key_plain"] = cached
        return cached


class AgencyExpertise(models.Model):
    """The needs an agency meets itself. A need outside them is flagged for
    referral on the case, and a referral received for one is flagged to the
    receiving agency: staff should not offer help outside their expertise."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    needs = models.ManyToManyField("protocol.NeedCategory", blank=True, related_name="+")

    def __str__(self) -> str:
        return f"expertise of agency {self.agency_id}"
