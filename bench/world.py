"""What the bench data set holds, found again by name in an existing bench
database: the agencies, their teams and staff, and the cases the bench opens.

Names follow one pattern so a later run (or the load test, in another
process) finds them without a side file: agency "Bench Agency 007", team
"Team 03", staff "bench-007-advocate-02". Every bench account has the same
password and a TOTP secret derived from its username (``totp_secret``): the
bench database is throwaway, its accounts sign in nowhere else.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field

#: Staff of each bench agency: role code -> how many.
STAFF = {
    "advocate": 10,
    "supervisor": 2,
    "intake": 2,
    "shelter": 2,
    "admin": 1,
    "auditor": 1,
}
TEAMS = 10
PASSWORD = "bench-password-not-a-secret"  # noqa: S105 (throwaway accounts of a throwaway database)
#: People of each agency: 100,000 people make 10 agencies, a million 100.
PEOPLE_PER_AGENCY = 10_000


def agency_name(number: int) -> str:
    return f"Bench Agency {number:03d}"


def username(agency: int, role: str, number: int) -> str:
    return f"bench-{agency:03d}-{role}-{number:02d}"


def totp_secret(name: str) -> str:
    """The base32 TOTP secret of a bench account (derived, so another process can sign in)."""
    return base64.b32encode(hashlib.sha256(f"bench-totp|{name}".encode()).digest()[:20]).decode()


@dataclass(frozen=True)
class AgencyWorld:
    number: int
    agency_id: int
    team_ids: list[int]
    #: role code -> user ids, in username order. Advocate, supervisor and
    #: shelter staff n work in team n % TEAMS (the team roles); the others
    #: are agency-wide.
    staff: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class World:
    agencies: list[AgencyWorld]
    #: bench-000-advocate-00: an advocate of team 0 of the first agency who
    #: also does intake; the pages are timed as this user.
    advocate_id: int
    #: A case of that team whose record holds 2,000 communications.
    long_case_id: uuid.UUID
