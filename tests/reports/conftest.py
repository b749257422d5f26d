"""A population with known counts, recorded through the services under a
controlled clock, for the report figures to be checked exactly.

The first quarter of 2026 is the period most tests report on. In it:
- 12 people came in on 10 February (team 1);
- 4 people came in on 1 October 2025 and are still served (team 1); one of
  them also opened a case with team 2 on 1 March;
- 3 people came in on 15 January (team 2);
- 2 people were served in 2025 only, and 1 came in on 2 April: none of
  these 3 is served in the first quarter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from haven.accounts.models import Membership, Role
from haven.partners.models import Organization, PartnerKind, Service
from haven.people.models import Case, Person
from haven.people.services import case_close, case_open
from haven.protocol.law import law_choice_record
from haven.protocol.models import Need, NeedCategory, NeedStatus
from haven.protocol.needs import assessment_record, need_status_set
from haven.referrals.services import ReferralRequest, referral_move, referral_send
from haven.reports.figures import Scope
from haven.training.models import Topic
from haven.training.services import EventValues, RecordValues, event_record, training_record
from tests.factories import give_consent, make_staff, record_intake

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
ADULT_BORN = "1990-05-05"
MINOR_BORN = "2012-01-01"


@contextmanager
def on(day: date) -> Iterator[None]:
    """Everything recorded inside happens at noon UTC on ``day``."""
    moment = datetime.combine(day, time(12), tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


# The 12 people of 10 February: (gender group, type, born, language).
FEBRUARY = [
    ("woman", "sex", ADULT_BORN, "spa"),
    ("woman", "sex", ADULT_BORN, "spa"),
    ("woman", "sex", ADULT_BORN, "spa"),
    ("woman", "sex", MINOR_BORN, "spa"),
    ("woman", "labor", ADULT_BORN, "spa"),
    ("woman", "labor", ADULT_BORN, "vie"),
    ("woman", "both", MINOR_BORN, "vie"),
    ("man", "sex", ADULT_BORN, "spa"),
    ("man", "labor", ADULT_BORN, "spa"),
    ("man", "labor", ADULT_BORN, "vie"),
    ("", "sex", "", "spa"),
    ("", "unknown", ADULT_BORN, "tir"),
]


@dataclass
class Population:
    agency: Any
    team1: Any
    team2: Any
    staff: Any
    february: list[Case] = field(default_factory=list)
    continuing: list[Case] = field(default_factory=list)
    january: list[Case] = field(default_factory=list)

    def scope(self, start: date = Q1[0], end: date = Q1[1], **values: Any) -> Scope:
        return Scope(
            agency_id=self.agency.pk,
            start=start,
            end=end,
            threshold=values.pop("threshold", 1),
            **values,
        )


def _intake(staff: Any, team: Any, day: date, gender: str, kind: str, born: str, lang: str) -> Case:
    with on(day):
        return record_intake(
            actor=staff,
            team=team,
            preferred_name="Synthetic Report Person",
            gender_group=gender,
            trafficking_type=kind,
            date_of_birth=date.fromisoformat(born) if born else None,
            language=lang,
        )


@pytest.fixture
def population(agency, team, other_team) -> Population:
    return seed_population(agency, team, other_team)


def seed_population(agency: Any, team: Any, other_team: Any) -> Population:
    staff = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-report-staff")
    Membership.objects.create(user=staff, role=Role.ADVOCATE, team=other_team)
    Membership.objects.create(user=staff, role=Role.INTAKE)
    Membership.objects.create(user=staff, role=Role.SUPERVISOR, team=team)
    world = Population(agency=agency, team1=team, team2=other_team, staff=staff)

    for values in FEBRUARY:
        world.february.append(_intake(staff, team, date(2026, 2, 10), *values))
    for _n in range(4):
        world.continuing.append(
            _intake(staff, team, date(2025, 10, 1), "woman", "sex", ADULT_BORN, "eng")
        )
    with on(date(2026, 3, 1)):
        case_open(actor=staff, person=world.continuing[0].person, team=other_team)
    for _n in range(3):
        world.january.append(
            _intake(staff, other_team, date(2026, 1, 15), "man", "labor", ADULT_BORN, "spa")
        )
    for _n in range(2):
        case = _intake(staff, team, date(2025, 5, 1), "woman", "sex", ADULT_BORN, "spa")
        with on(date(2025, 12, 1)):
            case_close(actor=staff, case=case, reason="goals_met")
    _intake(staff, team, date(2026, 4, 2), "man", "sex", ADULT_BORN, "spa")

    # Law enforcement: 5 of February chose to involve it, 2 declined; one of
    # January declined only after the quarter.
    with on(date(2026, 2, 20)):
        for case in world.february[:5]:
            law_choice_record(actor=staff, case=case, agrees=True)
        for case in world.february[5:7]:
            law_choice_record(actor=staff, case=case, agrees=False)
    with on(date(2026, 4, 10)):
        law_choice_record(actor=staff, case=world.january[0], agrees=False)

    # Needs: shelter for all 12 of February, legal help for 6; shelter met
    # for 5 in March and for one more in April.
    shelter = NeedCategory.objects.get(agency=None, code="shelter")
    legal = NeedCategory.objects.get(agency=None, code="immigration")
    with on(date(2026, 2, 10)):
        for n, case in enumerate(world.february):
            ranked = [shelter.pk, legal.pk] if n < 6 else [shelter.pk]
            assessment_record(actor=staff, case=case, ranked=ranked)
    for day, cases in (
        (date(2026, 3, 15), world.february[:5]),
        (date(2026, 4, 5), [world.february[5]]),
    ):
        with on(day):
            for case in cases:
                need = Need.objects.get(case=case, category=shelter)
                need_status_set(actor=staff, case=case, need_id=need.pk, status=NeedStatus.MET)

    # Referrals for shelter on 1 March: three sent, one of them accepted.
    organization = Organization.objects.create(
        agency=agency, name="Sample Shelter (synthetic)", kind=PartnerKind.SHELTER
    )
    service = Service.objects.create(agency=agency, organization=organization, name="Beds")
    service.need_categories.add(shelter)
    with on(date(2026, 3, 1)):
        for case in world.february[7:10]:
            give_consent(
                actor=staff,
                case=case,
                organization=organization,
                purpose="services",
                kinds=["identity", "needs"],
            )
            referral = referral_send(
                actor=staff,
                case=case,
                request=ReferralRequest(
                    need_id=Need.objects.get(case=case, category=shelter).pk,
                    organization_id=organization.pk,
                    service_id=service.pk,
                    purpose="services",
                    kinds=["identity", "needs"],
                ),
            )
        referral_move(actor=staff, referral=referral, status="accepted")
    # Training: one in-service event in March (the staff member above and
    # 7 professionals of partners), one training of a team-2 advocate in February.
    admin = make_staff(agency=agency, role=Role.ADMIN, username="t-report-admin")
    trainee = make_staff(
        agency=agency, role=Role.ADVOCATE, team=other_team, username="t-report-trainee"
    )
    with on(date(2026, 3, 5)):
        event_record(
            actor=admin,
            values=EventValues(
                topic_id=Topic.objects.get(agency=None, code="dynamics").pk,
                title="Recognising trafficking (synthetic)",
                held_on=date(2026, 3, 5),
                hours=Decimal("2"),
                staff_ids=[staff.pk],
                outside_professionals=7,
            ),
        )
    with on(date(2026, 2, 1)):
        training_record(
            actor=admin,
            values=RecordValues(
                staff_id=trainee.pk,
                topic_id=Topic.objects.get(agency=None, code="mandated_reporting").pk,
                completed_on=date(2026, 2, 1),
                hours=Decimal("1.5"),
                provider="County training office (synthetic)",
            ),
        )
    assert Person.objects.filter(agency=agency).count() == 22
    assert timezone.now().year >= 2026
    return world
