"""A referral packet's key goes with the packet, however the packet goes
(declined, withdrawn, or the person's record destroyed at the sender)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from haven.core.models import DataKey
from haven.referrals.models import ReferralPacket


@receiver(post_delete, sender=ReferralPacket)
def packet_key_destroy(
    sender: type[ReferralPacket], instance: ReferralPacket, **kwargs: Any
) -> None:
    DataKey.objects.filter(pk=instance.data_key_id).delete()
