"""A referral packet's key goes with the packet, however the packet goes
(declined, withdrawn, or the person's record destroyed at the sender); and a
withdrawn consent takes the referrals still open under it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from haven.consent.models import Consent
from haven.consent.signals import consent_revoked
from haven.core import keys
from haven.referrals.models import OPEN_STATUSES, Referral, ReferralPacket
from haven.referrals.services import withdraw_for_revoked_consent


@receiver(post_delete, sender=ReferralPacket)
def packet_key_destroy(
    sender: type[ReferralPacket], instance: ReferralPacket, **kwargs: Any
) -> None:
    keys.data_keys_destroy(
        [instance.data_key_id],
        kind="packet",
        rows=[("referrals.ReferralPacket", [instance.pk])],
    )


@receiver(consent_revoked, sender=Consent)
def referrals_withdraw(sender: type[Consent], consent: Consent, actor: Any, **kwargs: Any) -> None:
    """The person no longer agrees: what went under the consent and is still
    with the partner is withdrawn, and a packet in another agency destroyed."""
    for referral in Referral.objects.filter(
        disclosure__consent=consent, status__in=OPEN_STATUSES
    ).select_related("case", "need"):
        withdraw_for_revoked_consent(actor=actor, referral=referral)
