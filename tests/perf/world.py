"""A small bench world made through the real services, shaped as
``bench.world`` says (agency "Bench Agency 000", its teams and its staff
named by the bench's pattern, each with the derived TOTP secret), for the
query-count tests and for trying the page bench on a few people."""

from __future__ import annotations

from datetime import timedelta

from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from bench.world import STAFF, TEAMS, AgencyWorld, World, agency_name, totp_secret, username
from haven.accounts.models import Membership, Role, User
from haven.communications.services import CommunicationValues, communication_record
from haven.core.models import Agency, Team
from haven.people.details import PersonDetails
from haven.people.services import intake_record

FIRST = ["Guadalupe", "Minh", "Olena", "Amina", "Wei", "Priya", "Camille", "Diego"]
FAMILY = ["Ramírez Soto", "Nguyen", "Kovalenko", "Haddad", "Zhang", "Sharma", "Laurent"]


def small_world(people: int = 12, communications: int = 30) -> World:
    """One agency with the bench's staff, ``people`` people (their cases
    spread over the teams, team 0 first) and a long case of
    ``communications`` entries in team 0."""
    agency = Agency.objects.create(name=agency_name(0))
    teams = [Team.objects.create(agency=agency, name=f"Team {n:02d}") for n in range(TEAMS)]
    staff: dict[str, list[int]] = {}
    for role, count in STAFF.items():
        for n in range(count):
            name = username(0, role, n)
            user = User.objects.create_user(
                username=name, agency=agency, display_name=name, password="x" * 20
            )
            # Shelter staff work a team's sites (a team role, as advocates'
            # and supervisors'): shelter n in team n, as advocate n.
            team = teams[n % TEAMS] if role in {"advocate", "supervisor", "shelter"} else None
            Membership.objects.create(user=user, role=role, team=team)
            if role == "advocate" and n == 0:
                Membership.objects.create(user=user, role=Role.INTAKE)
            TOTP.activate(user, totp_secret(name))
            staff.setdefault(role, []).append(user.pk)
    advocate = User.objects.get(pk=staff["advocate"][0])
    cases = []
    for n in range(people):
        details = PersonDetails(
            legal_name=f"{FIRST[n % len(FIRST)]} {FAMILY[n % len(FAMILY)]}",
            date_of_birth=timezone.localdate().replace(year=1970 + n % 40),
            phone=f"608-555-{n:04d}",
            language=["spa", "vie", "ukr", "eng"][n % 4],
        )
        team = teams[0] if n < people // 2 else teams[n % TEAMS]
        mine = team == teams[0] and n % 2 == 0
        cases.append(
            intake_record(
                actor=advocate,
                team=team,
                danger="no",
                details=details,
                advocate=advocate if mine else None,
            )
        )
    long_case = cases[0]
    began = timezone.now() - timedelta(days=communications)
    for n in range(communications):
        communication_record(
            actor=advocate,
            case=long_case,
            values=CommunicationValues(
                occurred_at=began + timedelta(hours=12 * n),
                channel="phone",
                summary=f"Check-in {n}",
                details="Called back about housing and the lease.",
                staff_ids=[advocate.pk],
            ),
        )
    return World(
        agencies=[
            AgencyWorld(number=0, agency_id=agency.pk, team_ids=[t.pk for t in teams], staff=staff)
        ],
        advocate_id=advocate.pk,
        long_case_id=long_case.pk,
    )
