"""What an agency does itself, and which needs fall outside it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound
from haven.protocol.needs import categories_for
from haven.referrals.models import AgencyExpertise
from haven.referrals.policies import may_set_expertise


def expertise_of(agency_id: int) -> frozenset[int] | None:
    """The need categories the agency meets itself, or None when it has not
    said (then nothing is flagged)."""
    found = AgencyExpertise.objects.filter(agency_id=agency_id).first()
    if found is None:
        return None
    return frozenset(found.needs.values_list("pk", flat=True))


def outside(agency_id: int, category_ids: Iterable[int]) -> set[int]:
    """The categories among ``category_ids`` outside the agency's expertise."""
    own = expertise_of(agency_id)
    if own is None:
        return set()
    return {pk for pk in category_ids if pk not in own}


def expertise_save(*, actor: User, category_ids: Iterable[int]) -> AgencyExpertise:
    if not may_set_expertise(actor):
        raise NotFound
    wanted = set(category_ids)
    known = set(categories_for(actor.agency_id).values_list("pk", flat=True))
    if wanted - known:
        raise ValidationError({"needs": [_("Choose needs from the list.")]})
    with transaction.atomic():
        found, _created = AgencyExpertise.objects.get_or_create(agency_id=actor.agency_id)
        found.needs.set(sorted(wanted))
        audit_record(
            action=Action.EXPERTISE_CHANGED,
            actor=actor,
            object_type="agency",
            object_id=actor.agency_id,
            detail={"needs": sorted(wanted)},
        )
    return found
