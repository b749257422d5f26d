"""Reads of stays: occupancy on any night, a case's stays, a site's
residents (what shelter staff see instead of the whole case), the waiting
list and the shelter staff's home.

Occupancy is a query over stays (``stays_on``), never a counter, so it is
right for any past night after moves and ends. A read that names people is
audited as one list of the people shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.partners.models import Organization, PartnerKind
from haven.people.display import printed_name
from haven.people.field_settings import field_rules
from haven.people.models import Case, Person
from haven.people.policies import may_open_case, visible_cases_q
from haven.people.selectors import audit_people_shown
from haven.shelter import policies
from haven.shelter.models import Bed, CheckIn, ShelterSite, Stay, StayRequest, stays_on
from haven.shelter.stays import may_reach


@dataclass(frozen=True)
class BedNight:
    bed: Bed
    stay: Stay | None


@dataclass(frozen=True)
class Occupancy:
    """A site on the night of ``day``: each active bed and the stay holding
    it, and the stays not yet placed in a bed."""

    site: ShelterSite
    day: date
    beds: list[BedNight]
    unplaced: int

    @property
    def total(self) -> int:
        return len(self.beds)

    @property
    def taken(self) -> int:
        return sum(1 for b in self.beds if b.stay is not None) + self.unplaced

    @property
    def free(self) -> int:
        return sum(1 for b in self.beds if b.stay is None)


def occupancy(site: ShelterSite, day: date) -> Occupancy:
    """Who holds each bed of ``site`` on the night of ``day``: counts only;
    the pages show the people to those who may see the residents."""
    holding = {
        stay.bed_id: stay
        for stay in Stay.objects.filter(stays_on(day), site=site).select_related("case")
        if stay.bed_id is not None
    }
    unplaced = Stay.objects.filter(stays_on(day), site=site, bed__isnull=True).count()
    beds = [
        BedNight(bed, holding.pop(bed.pk, None))
        for bed in Bed.objects.filter(site=site, is_active=True)
    ]
    # A stay in a bed taken out of use still takes a place that night.
    return Occupancy(site=site, day=day, beds=beds, unplaced=unplaced + len(holding))


def sites_of(user: User) -> list[ShelterSite]:
    """The active sites whose residents ``user`` sees."""
    return list(
        ShelterSite.objects.filter(
            agency_id=user.agency_id, team_id__in=sorted(policies.site_teams(user)), is_active=True
        )
    )


def stay_get(
    *,
    user: User,
    stay_id: uuid.UUID,
    may: Callable[[User, ShelterSite | None], bool] | None = None,
) -> Stay:
    """One stay the user may see (its site's residents, or its case),
    audited as the person shown; anything else is not found. ``may`` is the
    rule of the change the caller is about to make: a stay the user may see
    but not change is not found before anything is recorded."""
    stay = (
        Stay.objects.filter(pk=stay_id, case__agency_id=user.agency_id)
        .select_related("case", "case__person", "site", "bed", "referral")
        .first()
    )
    if stay is None or not may_reach(user, stay):
        raise NotFound
    if may is not None and not may(user, stay.site):
        raise NotFound
    audit_people_shown(user=user, people=[stay.case.person], where="stay")
    return stay


def case_stays(case: Case) -> list[Stay]:
    """The stays of a case the caller already opened, newest first."""
    return list(
        Stay.objects.filter(case=case)
        .select_related("site", "bed", "referral")
        .order_by("-starts_on", "-created_at")
    )


def check_ins_of(stay: Stay, limit: int = 20) -> list[CheckIn]:
    return list(CheckIn.objects.filter(stay=stay).select_related("by").order_by("-at")[:limit])


@dataclass(frozen=True)
class Resident:
    """What shelter staff see of a resident: not the case."""

    stay: Stay
    name: str
    language: str
    safety_notes: str
    last_check_in: CheckIn | None
    due: bool
    case_open: bool
    # A restricted case (ADR 7): its name and safety notes are for the staff
    # named on it; the bed still counts as taken.
    withheld: bool = False


def _residents_of(user: User, stays: Iterable[Stay], today: date) -> list[Resident]:
    stays = list(stays)
    rules = field_rules(user.agency_id)
    hidden = rules.hidden_names()
    latest: dict[uuid.UUID, CheckIn] = {}
    for check_in in CheckIn.objects.filter(stay__in=stays).order_by("at"):
        latest[check_in.stay_id] = check_in
    openable = set(
        Case.objects.filter(visible_cases_q(user), pk__in=[s.case_id for s in stays]).values_list(
            "pk", flat=True
        )
    )
    shown = []
    for stay in stays:
        person: Person = stay.case.person
        last = latest.get(stay.pk)
        withheld = stay.case.restricted and stay.case_id not in openable
        shown.append(
            Resident(
                stay=stay,
                name="" if withheld else printed_name(person, hidden),
                language="" if rules.is_hidden("language") else person.language_name,
                safety_notes="" if withheld else str(stay.safety_notes or ""),
                last_check_in=last,
                due=last is None or timezone.localdate(last.at) < today,
                case_open=stay.case_id in openable,
                withheld=withheld,
            )
        )
    return shown


def resident_shown(*, user: User, stay: Stay) -> Resident:
    """What a page about one stay shows of the person to someone who may
    not open the case: what the resident view shows of them (the printed
    name and the fields the agency's settings leave in), no more. The read
    was audited by ``stay_get``."""
    return _residents_of(user, [stay], timezone.localdate())[0]


def residents(*, user: User, site: ShelterSite, day: date | None = None) -> list[Resident]:
    """The residents of ``site`` on the night of ``day`` (tonight), for the
    site's own staff, audited as one list of the people shown."""
    if not policies.may_see_residents(user, site):
        raise NotFound
    today = day or timezone.localdate()
    stays = (
        Stay.objects.filter(stays_on(today), site=site)
        .select_related("case__person", "case__person__data_key", "bed")
        .order_by("bed__room", "bed__label", "starts_on")
    )
    shown = _residents_of(user, stays, timezone.localdate())
    audit_people_shown(
        user=user,
        people=[r.stay.case.person for r in shown if not r.withheld],
        where="residents",
    )
    return shown


# --- The waiting list ---


@dataclass(frozen=True)
class Waiting:
    request: StayRequest
    # Only for those who may open the case; "" otherwise.
    name: str
    case_open: bool = False


_URGENT_FIRST = When_(
    When(priority=StayRequest.Priority.URGENT, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


def _waiting(user: User) -> QuerySet[StayRequest]:
    return (
        StayRequest.objects.filter(agency_id=user.agency_id, status=StayRequest.Status.WAITING)
        .select_related("site", "case__person", "case__person__data_key")
        .order_by(_URGENT_FIRST, "asked_on", "id")
    )


def waiting_list(*, user: User, sites: list[ShelterSite] | None = None) -> list[Waiting]:
    """The agency's waiting requests, urgent first then oldest, for those
    who admit; restricted to ``sites`` (and "any site") when given. A name
    is shown only where the user may open the case, audited as one list."""
    if not policies.may_work_stays(user):
        raise NotFound
    requests = _waiting(user)
    if sites is None and not policies.may_admit_anywhere(user):
        sites = sites_of(user)  # shelter staff: their own sites' requests
    if sites is not None:
        requests = requests.filter(Q(site__isnull=True) | Q(site__in=sites))
    rows = list(requests[:100])
    openable = set(
        Case.objects.filter(visible_cases_q(user), pk__in=[r.case_id for r in rows]).values_list(
            "pk", flat=True
        )
    )
    hidden = field_rules(user.agency_id).hidden_names()
    listed = [
        Waiting(
            r,
            printed_name(r.case.person, hidden) if r.case_id in openable else "",
            case_open=r.case_id in openable,
        )
        for r in rows
    ]
    shown = [w.request.case.person for w in listed if w.case_open]
    audit_people_shown(user=user, people=shown, where="waiting list")
    return listed


def case_requests(case: Case) -> list[StayRequest]:
    return list(StayRequest.objects.filter(case=case).select_related("site").order_by("-asked_on"))


def request_get(*, user: User, request_id: uuid.UUID) -> StayRequest:
    request = (
        StayRequest.objects.filter(pk=request_id, agency_id=user.agency_id)
        .select_related("case")
        .first()
    )
    if request is None or not may_open_case(user, request.case_id):
        raise NotFound
    return request


# --- Admitting ---


def beds_free(*, user: User, day: date) -> list[Bed]:
    """The active beds of the agency's active sites the user may admit to,
    free from the night of ``day`` on."""
    taken = Stay.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day), bed__isnull=False)
    beds = (
        Bed.objects.filter(site__agency_id=user.agency_id, site__is_active=True, is_active=True)
        .exclude(pk__in=taken.values("bed_id"))
        .select_related("site")
        .order_by("site__alias", "room", "label")
    )
    return [bed for bed in beds if policies.may_admit(user, bed.site)]


# --- The shelter staff's home ---


@dataclass(frozen=True)
class SiteToday:
    site: ShelterSite
    occupancy: Occupancy
    arrivals: list[Resident]
    departures: list[Resident]
    due: list[Resident]


def home(*, user: User) -> tuple[list[SiteToday], list[Waiting]]:
    """Each of the user's sites tonight, with today's arrivals and
    departures and the check-ins due, and the waiting list for them; the
    people named are audited as one list."""
    today = timezone.localdate()
    sites = sites_of(user)
    shown: list[SiteToday] = []
    people: list[Person] = []
    for site in sites:
        night = occupancy(site, today)
        stays = (
            Stay.objects.filter(site=site)
            .filter(stays_on(today) | Q(ends_on=today))
            .select_related("case__person", "case__person__data_key", "bed")
            .order_by("bed__room", "bed__label")
        )
        listed = _residents_of(user, stays, today)
        people += [r.stay.case.person for r in listed]
        shown.append(
            SiteToday(
                site=site,
                occupancy=night,
                arrivals=[r for r in listed if r.stay.starts_on == today],
                departures=[r for r in listed if r.stay.ends_on == today],
                due=[r for r in listed if r.due and r.stay.covers(today)],
            )
        )
    audit_people_shown(user=user, people=people, where="shelter home")
    waiting = waiting_list(user=user, sites=sites) if policies.may_work_stays(user) else []
    return shown, waiting


def shelter_partners(*, user: User) -> list[tuple[str, str]]:
    """The shelter partners of the agency's directory, to place someone at."""
    return [
        (str(pk), name)
        for pk, name in Organization.objects.filter(
            agency_id=user.agency_id, kind=PartnerKind.SHELTER
        )
        .order_by("name")
        .values_list("pk", "name")
    ]


def beds_to_admit(*, user: User) -> list[Bed]:
    """Every active bed the user may admit to, taken or not: what a posted
    form may name (the service says whether it is free)."""
    beds = (
        Bed.objects.filter(site__agency_id=user.agency_id, site__is_active=True, is_active=True)
        .select_related("site")
        .order_by("site__alias", "room", "label")
    )
    return [bed for bed in beds if policies.may_admit(user, bed.site)]


def agency_sites(*, user: User) -> list[ShelterSite]:
    """The agency's active sites, by alias, for those who see sites."""
    if not policies.may_see_sites(user):
        return []
    return list(ShelterSite.objects.filter(agency_id=user.agency_id, is_active=True))
