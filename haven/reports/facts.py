"""Writing the de-identified facts reports count, as the work is recorded.

The receivers (``haven.reports.receivers``) call these whenever a case,
person, need, referral, choice about law enforcement or stay is saved, in the
same transaction, so a fact never disagrees with the record it describes.
``facts_rebuild`` writes them all again from the records, for data recorded
before the facts existed.

Working out the age group opens the person's date of birth, as the minors
rule does: only "adult", "minor" or "age not recorded" leaves this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from haven.people.models import Case, Person
from haven.protocol.models import LawEnforcementChoice, Need, NeedChange, NeedStatus
from haven.referrals.models import Referral
from haven.reports.models import (
    AgeGroup,
    Episode,
    LawChoiceFact,
    NeedFact,
    ReferralFact,
    StayFact,
)
from haven.shelter.models import Stay

FACT_MODELS = (Episode, NeedFact, ReferralFact, LawChoiceFact, StayFact)


def _age_group(person: Person, on: date) -> str:
    minor = person.is_minor_on(on)
    if minor is None:
        return AgeGroup.UNKNOWN
    return AgeGroup.MINOR if minor else AgeGroup.ADULT


def episode_refresh(case: Case, person: Person | None = None) -> None:
    """Write the episode of ``case`` as it now stands, and keep the team of
    its other facts in step (a case can move to another team)."""
    person = person or case.person
    Episode.objects.update_or_create(
        case_ref=case.pk,
        defaults={
            "agency_id": case.agency_id,
            "team_id": case.team_id,
            "person_ref": person.pk,
            "opened_on": case.opened_on,
            "closed_on": case.closed_on,
            "age_group": _age_group(person, case.opened_on),
            "gender_group": person.gender_group,
            "trafficking_type": person.trafficking_type,
            "language": person.language,
        },
    )
    for model in (NeedFact, ReferralFact, LawChoiceFact, StayFact):
        # A case's facts carry its person too, and the person's index finds
        # them: by the case alone, each intake scanned every fact of the
        # installation (45 ms at 300,000 needs).
        model.objects.filter(person_ref=person.pk, case_ref=case.pk).exclude(
            team_id=case.team_id
        ).update(team_id=case.team_id)


def person_refresh(person: Person) -> None:
    """A person's details changed: their episodes follow."""
    for case in Case.objects.filter(person=person):
        episode_refresh(case, person)


def _case_scope(case_id: uuid.UUID) -> dict[str, object]:
    agency_id, team_id, person_id = Case.objects.values_list(
        "agency_id", "team_id", "person_id"
    ).get(pk=case_id)
    return {
        "agency_id": agency_id,
        "team_id": team_id,
        "person_ref": person_id,
        "case_ref": case_id,
    }


def need_refresh(need: Need) -> None:
    """A need was identified or moved on. It counts as identified on the day
    of the assessment that first named it, and as met on the day it was met;
    a need reopened after being met is no longer met."""
    today = timezone.localdate()
    met = need.status == NeedStatus.MET
    fact = NeedFact.objects.filter(need_ref=need.pk).first()
    if fact is None:
        if met:  # written again from the records: the day it was last marked met
            last_met = (
                NeedChange.objects.filter(need=need, status=NeedStatus.MET)
                .order_by("-at")
                .values_list("at", flat=True)
                .first()
            )
            today = timezone.localdate(last_met) if last_met else today
        NeedFact.objects.create(
            **_case_scope(need.case_id),
            need_ref=need.pk,
            category_id=need.category_id,
            status=need.status,
            identified_on=timezone.localdate(need.assessment.at),
            met_on=today if met else None,
        )
        return
    fact.status = need.status
    fact.category_id = need.category_id
    fact.met_on = (fact.met_on or today) if met else None
    fact.save(update_fields=["status", "category", "met_on"])


def referral_refresh(referral: Referral) -> None:
    category_id = (
        Need.objects.values_list("category_id", flat=True).get(pk=referral.need_id)
        if referral.need_id
        else None
    )
    ReferralFact.objects.update_or_create(
        referral_ref=referral.pk,
        defaults={
            **_case_scope(referral.case_id),
            "category_id": category_id,
            "status": referral.status,
            "sent_on": timezone.localdate(referral.sent_at),
        },
    )


def law_choice_refresh(choice: LawEnforcementChoice) -> None:
    """The fact counts a person as choosing to involve law enforcement when
    they open either part (investigation or prosecution), and as declining
    only when they refuse both."""
    LawChoiceFact.objects.update_or_create(
        choice_ref=choice.pk,
        defaults={
            **_case_scope(choice.case_id),
            "agrees": choice.investigation or choice.prosecution,
            "chosen_on": timezone.localdate(choice.at),
        },
    )


def stay_refresh(stay: Stay) -> None:
    """A stay began, moved on or ended: where (a site, or a partner), its
    dates and how it ended."""
    StayFact.objects.update_or_create(
        stay_ref=stay.pk,
        defaults={
            **_case_scope(stay.case_id),
            "site_id": stay.site_id,
            "starts_on": stay.starts_on,
            "ends_on": stay.ends_on,
            "outcome": stay.outcome,
        },
    )


def person_detach(person_id: uuid.UUID) -> None:
    """The person was destroyed: their facts stay, so the counts stay, but
    under fresh random ids, so nothing ties them to that person's trail.
    Each of their cases gets one new id, and the person one."""
    new_person = uuid.uuid4()
    case_refs = set(Episode.objects.filter(person_ref=person_id).values_list("case_ref", flat=True))
    for model in FACT_MODELS:
        case_refs |= set(
            model.objects.filter(person_ref=person_id).values_list("case_ref", flat=True)
        )
    for case_ref in case_refs:
        new_case = uuid.uuid4()
        for model in FACT_MODELS:
            model.objects.filter(person_ref=person_id, case_ref=case_ref).update(
                person_ref=new_person, case_ref=new_case
            )


def _each(rows: Iterable[Any], write: Callable[[Any], None]) -> int:
    count = 0
    for row in rows:
        write(row)
        count += 1
    return count


def facts_rebuild(agency_id: int | None = None) -> dict[str, int]:
    """Write every fact again from the records (for data recorded before the
    facts existed). Facts of people destroyed since stay as they are."""
    scope = {} if agency_id is None else {"agency_id": agency_id}
    case_scope = {} if agency_id is None else {"case__agency_id": agency_id}
    with transaction.atomic():
        return {
            "episodes": _each(
                Case.objects.filter(**scope).select_related("person").iterator(), episode_refresh
            ),
            "needs": _each(
                Need.objects.filter(**case_scope).select_related("assessment").iterator(),
                need_refresh,
            ),
            "referrals": _each(Referral.objects.filter(**case_scope).iterator(), referral_refresh),
            "law_choices": _each(
                LawEnforcementChoice.objects.filter(**case_scope).iterator(), law_choice_refresh
            ),
            "stays": _each(Stay.objects.filter(**case_scope).iterator(), stay_refresh),
        }
