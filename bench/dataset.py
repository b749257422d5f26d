"""The bench data set, built in bulk: 100,000 people served (10 agencies of
10,000), 150,000 cases, 1,000,000 communications, 300,000 needs, 60,000
consents with the disclosures and referrals they allow, and 5,000,000 audit
events, with the reports' facts and one case whose record holds 2,000
communications.

Not a test: a fixture for measurements. The services write a person in
about 15 ms (a transaction, a dozen statements, two audit appends); at that
pace this data set would take half a day. This path makes the same rows the
same way and writes them many to a statement:

* every data key is made by ``keys.data_key_new`` and every sealed value by
  the field's own ``pre_save`` (AES-256-GCM under the person's key, bound to
  table, field, row and key);
* search entries come from ``search.entry_digests``, the function the
  services index with;
* communications are sealed and hashed by ``communications.services.entry_seal``
  in the case's chain, and anchored in the audit trail as the service does;
* audit events are hashed by ``audit.chain.event_hash``, one chain per agency,
  in time order.

After the build ``check()`` opens a sample through the real selectors, as
the bench user, and runs ``verify_integrity``. ``build()`` refuses a
database that is not a bench database (bench.guard).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from bench import world as names
from bench.world import AgencyWorld, World
from haven.accounts.models import Membership, Role, User
from haven.audit.chain import GENESIS, event_hash
from haven.audit.models import Action, AuditEvent
from haven.audit.services import chain_tail
from haven.communications.models import Channel, Communication
from haven.communications.services import entry_seal
from haven.consent.models import Consent, Disclosure
from haven.core import keys
from haven.core.fields import EncryptedTextField
from haven.core.models import Agency, DataKey, Team
from haven.partners.models import Organization
from haven.people import search
from haven.people.models import Alias, Case, Person, SearchEntry
from haven.protocol.models import Need, NeedAssessment, NeedCategory, NeedChange, NeedStatus
from haven.referrals.models import Referral, ReferralChange
from haven.reports.models import AgeGroup, Episode, NeedFact, ReferralFact

SEED = 7
YEARS = 3
LONG_LOG = 2000
#: Averages the issue asks for, per 100,000 people.
CASES_PER_PERSON = 1.5
COMMUNICATIONS = 1_000_000
NEEDS_PER_CASE = 2
CONSENT_SHARE = 0.6  # consents (each with a disclosure and a referral) per person
AUDIT_EVENTS = 5_000_000
BATCH = 500  # people per transaction
PARTNERS = 12  # partner organisations of each agency
OPEN_WINDOW = 200  # days: a case opened since is still open
STILL_OPEN = 0.1  # of the cases opened before it

LOCALES = ["en_US", "es_MX", "vi_VN", "uk_UA", "ar_SA", "zh_CN", "hi_IN", "fr_FR"]
WORDS = [
    "the",
    "person",
    "said",
    "they",
    "would",
    "call",
    "back",
    "after",
    "work",
    "about",
    "housing",
    "and",
    "the",
    "lease",
    "and",
    "the",
    "interpreter",
    "repeated",
    "the",
    "dates",
    "of",
    "the",
    "hearing",
    "with",
    "the",
    "legal",
    "aid",
    "office",
    "while",
    "their",
    "caseworker",
    "checked",
    "the",
    "bus",
    "pass",
    "food",
    "card",
    "and",
    "clinic",
    "appointment",
    "next",
    "week",
]


# --- Writing many rows a statement ------------------------------------------------------


class Rows:
    """Rows of one model, inserted many to a statement on ``flush``.

    Values are converted for the database by each field's own
    ``get_db_prep_save``; a sealed field is sealed by its own ``pre_save``
    (the field reads the row's data key through ``data_key_bytes``, which the
    builder has filled in, so nothing is read back from the database)."""

    def __init__(self, model: type[models.Model], *, chunk: int | None = None) -> None:
        self.model = model
        self.fields = [
            f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)
        ]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.pending: list[tuple[Any, ...]] = []
        # The connection itself: the ``connection`` proxy costs a lookup per use.
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.chunk = chunk  # None: held until flush(), inside the caller's transaction
        self.count = 0
        # How each column's value is made: sealed by the field, taken as it
        # is, converted by the field, or stamped now when not given.
        self.plan = [
            (
                f,
                f.attname,
                "seal"
                if isinstance(f, EncryptedTextField)
                else "as is"
                if _as_is(f)
                else "stamp"
                if getattr(f, "auto_now_add", False)
                else "convert",
            )
            for f in self.fields
        ]

    def add(self, row: models.Model) -> None:
        values = []
        state = row.__dict__
        for f, attname, how in self.plan:
            if how == "seal":
                values.append(f.pre_save(row, True))  # sealed now, or as sealed already
            elif how == "as is":
                values.append(state[attname] if attname in state else getattr(row, attname))
            else:
                value = getattr(row, attname)
                if value is None and how == "stamp":
                    value = f.pre_save(row, True)  # now, for a time not given
                values.append(f.get_db_prep_save(value, self.connection))
        self.pending.append(tuple(values))
        if self.chunk and len(self.pending) >= self.chunk:
            self.flush()

    def add_values(self, values: Sequence[Any]) -> None:
        """A row given as its database values, in field order (the audit events)."""
        self.pending.append(tuple(values))
        if self.chunk and len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.pending)
            self.count += len(self.pending)
            self.pending = []


def _as_is(f: models.Field) -> bool:  # type: ignore[type-arg]
    """Whether the database takes the field's Python value unchanged."""
    if isinstance(f, models.ForeignKey):
        return _as_is(f.target_field)
    plain = (models.CharField, models.IntegerField, models.BooleanField, models.TextField)
    return isinstance(f, plain) and not isinstance(f, EncryptedTextField)


def _new(model: type[_M], /, **values: Any) -> _M:
    """An unsaved row, as ``model(**values)`` makes it, without the cost of
    Model.__init__ walking every field for every row (a third of the build's
    time): defaults come from a template made once per model; the values
    given are set through the model's own descriptors (a sealed field takes
    its plain text, a relation its object)."""
    template = _TEMPLATES.get(model)
    if template is None:
        template = _TEMPLATES[model] = _template(model)
    fixed, fresh = template
    row = model.__new__(model)
    row._state = ModelState()
    state = row.__dict__
    state.update(fixed)
    for attname, default in fresh:
        state[attname] = default()
    for name, value in values.items():
        setattr(row, name, value)
    return row


_M = TypeVar("_M", bound=models.Model)
_TEMPLATES: dict[type[models.Model], tuple[dict[str, Any], list[tuple[str, Any]]]] = {}


def _template(model: type[models.Model]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    fixed: dict[str, Any] = {}
    fresh: list[tuple[str, Any]] = []
    for f in model._meta.concrete_fields:
        if isinstance(f, EncryptedTextField):
            fixed[f.attname] = None
            fixed[f.plain_key] = None
        elif f.has_default() and callable(f.default):  # a new uuid, a new list, every row
            fresh.append((f.attname, f.default))
        else:
            fixed[f.attname] = f.get_default()
    return fixed, fresh


# --- The people ---------------------------------------------------------------------------


@dataclass
class Names:
    """Pools of first and family names per locale, from Faker once: drawing
    from them is a hundred times faster than asking Faker per person."""

    first: list[list[str]]
    family: list[list[str]]

    @classmethod
    def make(cls) -> Names:
        from faker import Faker

        first, family = [], []
        for locale in LOCALES:
            faker = Faker(locale)
            faker.seed_instance(SEED)
            first.append(sorted({faker.first_name() for _ in range(600)}))
            family.append(sorted({faker.last_name() for _ in range(600)}))
        return cls(first, family)

    def name(self, rng: random.Random, locale: int) -> str:
        return f"{rng.choice(self.first[locale])} {rng.choice(self.family[locale])}"


@dataclass
class Event:
    """An audit event before its place in the chain is known."""

    at: datetime
    actor_id: int
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


@dataclass
class AgencyBuild:
    """What one agency's build needs at hand: its staff and reference rows."""

    agency: Agency
    teams: list[Team]
    staff: dict[str, list[User]]
    categories: list[int]
    partners: list[Organization]
    events: list[Event] = field(default_factory=list)

    def advocate_of(self, team_index: int) -> User:
        advocates = self.staff["advocate"]
        return advocates[team_index % len(advocates)]


def _staff(number: int, agency: Agency, teams: list[Team], password: str) -> dict[str, list[User]]:
    from allauth.mfa.totp.internal.auth import TOTP

    staff: dict[str, list[User]] = {}
    for role, count in names.STAFF.items():
        for n in range(count):
            username = names.username(number, role, n)
            user = User.objects.create(
                username=username, agency=agency, display_name=username, password=password
            )
            team = teams[n % len(teams)] if role in ("advocate", "supervisor", "shelter") else None
            Membership.objects.create(user=user, role=role, team=team)
            if username == names.username(0, "advocate", 0):
                Membership.objects.create(user=user, role=Role.INTAKE)
            TOTP.activate(user, names.totp_secret(username))
            staff.setdefault(role, []).append(user)
    return staff


def _partners(agency: Agency) -> list[Organization]:
    return [
        Organization.objects.create(agency=agency, name=f"Partner {n:02d} of {agency.name}")
        for n in range(PARTNERS)
    ]


def _age_group(born: date | None, on: date) -> str:
    if born is None:
        return AgeGroup.UNKNOWN
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return AgeGroup.MINOR if age < 18 else AgeGroup.ADULT


class Builder:
    """Writes one agency's people, a batch of people per transaction."""

    def __init__(self, people: int, number: int, pool: Names, end: datetime) -> None:
        """``people`` of agency ``number``, arriving over the YEARS before ``end``."""
        self.people = people
        self.rng = random.Random(SEED * 1000 + number)  # noqa: S311 (synthetic data)
        self.names = pool
        self.end = end
        self.start = end - timedelta(days=365 * YEARS)
        self.communications_left = COMMUNICATIONS * people // 100_000
        self.cases_left = int(people * CASES_PER_PERSON)
        self.tables = {
            model: Rows(model)
            for model in (
                DataKey,
                Person,
                Alias,
                SearchEntry,
                Case,
                Communication,
                NeedAssessment,
                Need,
                NeedChange,
                Consent,
                Disclosure,
                Referral,
                ReferralChange,
                Episode,
                NeedFact,
                ReferralFact,
            )
        }
        self.assigned = Rows(Case.assigned.through)
        self.audit = Rows(AuditEvent, chunk=20_000)

    # -- one person ----------------------------------------------------------------------

    def person(self, build: AgencyBuild, n: int, arrived: datetime) -> None:
        rng = self.rng
        agency_id = build.agency.pk
        locale = n % len(LOCALES)
        data_key, key = keys.data_key_new(agency_id)
        data_key.created_at = arrived
        self.tables[DataKey].add(data_key)
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 58)) if n % 9 else None
        person = _new(
            Person,
            agency_id=agency_id,
            data_key=data_key,
            gender_group=rng.choice(["woman", "woman", "man", "another", "declined"]),
            language=rng.choice(["eng", "spa", "vie", "ukr", "arb", "cmn", "hin", "fra"]),
            trafficking_type=rng.choice(["labor", "sex", "both", "unknown"]),
            created_at=arrived,
            created_by=build.staff["intake"][n % 2],
        )
        person.__dict__["_data_key"] = key
        legal = self.names.name(rng, locale)
        person.legal_name = legal
        preferred = legal.split()[0] if n % 5 == 0 else None
        person.preferred_name = preferred
        person.date_of_birth = born.isoformat() if born else None
        phone = f"608-555-{n % 10000:04d}" if n % 3 == 0 else None
        person.phone = phone
        self.tables[Person].add(person)
        aliases = [self.names.name(rng, locale)] if n % 4 == 0 else []
        for position, name in enumerate(aliases):
            alias = _new(Alias, person=person, position=position)
            alias.name = name
            self.tables[Alias].add(alias)
        for kind, digest in sorted(
            search.entry_digests(
                agency_id,
                names=[legal, preferred or "", *aliases],
                date_of_birth=person.date_of_birth,
                phone=phone,
            )
        ):
            self.tables[SearchEntry].add(
                _new(SearchEntry, agency_id=agency_id, person=person, kind=kind, digest=digest)
            )
        intake = person.created_by
        build.events.append(
            Event(arrived, intake.pk, Action.PERSON_CREATED, "person", str(person.pk), {})
        )
        # Half the people came once before: an earlier case, closed. Their
        # latest case is open if it began in the last 200 days, and one in
        # ten of the older ones still is: an advocate's caseload is some
        # hundreds of open cases, not every case of the team since it began.
        cases = 2 if self.cases_left > (self.people - n) and n % 2 == 0 else 1
        opened = arrived
        for number in range(cases):
            last = number == cases - 1
            recent = opened >= self.end - timedelta(days=OPEN_WINDOW)
            keeps_open = last and (recent or rng.random() < STILL_OPEN)
            closed = (
                None
                if keeps_open or opened.date() >= self.end.date()
                else min(opened + timedelta(days=rng.randrange(30, OPEN_WINDOW)), self.end)
            )
            self.case(build, person, key, born, n, opened, closed)
            if closed is None:
                break
            opened = min(closed + timedelta(days=rng.randrange(10, 120)), self.end)

    # -- one case --------------------------------------------------------------------------

    def case(
        self,
        build: AgencyBuild,
        person: Person,
        key: bytes,
        born: date | None,
        n: int,
        opened: datetime,
        closed: datetime | None,
    ) -> None:
        rng = self.rng
        team_index = n % len(build.teams)
        team = build.teams[team_index]
        advocate = build.advocate_of(team_index)
        intake = person.created_by
        self.cases_left -= 1
        case = _new(
            Case,
            agency_id=build.agency.pk,
            person=person,
            team=team,
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            danger_at_intake=rng.choice(["no", "no", "unsure", "yes"]),
            close_reason="goals_met" if closed else "",
            opened_on=opened.date(),
            closed_on=closed.date() if closed else None,
            created_at=opened,
            created_by=intake,
        )
        self.tables[Case].add(case)
        self.assigned.add(_new(Case.assigned.through, case=case, user=advocate))
        events = build.events
        case_id = str(case.pk)
        events.append(Event(opened, intake.pk, Action.CASE_OPENED, "case", case_id, {}))
        events.append(
            Event(opened, intake.pk, Action.CASE_HANDED_OFF, "case", case_id, {"to": advocate.pk})
        )
        self.episode(build, case, person, born)
        until = closed or self.end
        span = max(int((until - opened).total_seconds()), 3600)
        # Communications: on average what the totals give per case.
        share = self.communications_left / max(self.cases_left + 1, 1)
        count = min(self.communications_left, rng.randrange(0, int(2 * share) + 1))
        self.communications(build, case, person, key, advocate, opened, span, count, words=40)
        # Needs, assessed once soon after the case opened.
        at = opened + timedelta(hours=rng.randrange(1, 72))
        self.needs(build, case, person, key, advocate, at)
        if rng.random() < CONSENT_SHARE / CASES_PER_PERSON:
            self.referral(
                build, case, person, key, advocate, at + timedelta(days=rng.randrange(1, 30))
            )
        if closed:
            events.append(
                Event(
                    closed,
                    advocate.pk,
                    Action.CASE_CLOSED,
                    "case",
                    case_id,
                    {"reason": "goals_met"},
                )
            )

    def communications(
        self,
        build: AgencyBuild,
        case: Case,
        person: Person,
        key: bytes,
        advocate: User,
        opened: datetime,
        span: int,
        count: int,
        *,
        words: int,
    ) -> None:
        rng = self.rng
        moments = sorted(opened + timedelta(seconds=rng.randrange(span)) for _ in range(count))
        prev = GENESIS
        for seq, occurred in enumerate(moments, start=1):
            entry = _new(
                Communication,
                id=uuid.uuid4(),
                case=case,
                data_key_id=person.data_key_id,
                seq=seq,
                occurred_at=occurred.astimezone(UTC),
                channel=rng.choice(_CHANNELS),
                with_person=True,
                staff_ids=[advocate.pk],
                recorded_at=occurred + timedelta(minutes=rng.randrange(5, 240)),
                recorded_by=advocate,
                prev_hash=prev,
            )
            entry.__dict__["_data_key_plain"] = key
            entry.summary = f"Check-in {seq}"
            entry.details = " ".join(rng.choices(WORDS, k=words))
            entry_seal(entry)
            self.tables[Communication].add(entry)
            prev = entry.hash
            build.events.append(
                Event(
                    entry.recorded_at,
                    advocate.pk,
                    Action.COMMUNICATION_RECORDED,
                    "case",
                    str(case.pk),
                    {"entry": str(entry.pk), "seq": entry.seq, "hash": entry.hash},
                )
            )
        self.communications_left -= count

    def needs(
        self,
        build: AgencyBuild,
        case: Case,
        person: Person,
        key: bytes,
        advocate: User,
        at: datetime,
    ) -> None:
        rng = self.rng
        assessment = _new(
            NeedAssessment, case=case, data_key_id=person.data_key_id, at=at, by=advocate
        )
        assessment.__dict__["_data_key_plain"] = key
        assessment.note = None
        self.tables[NeedAssessment].add(assessment)
        ranked = rng.sample(build.categories, min(NEEDS_PER_CASE * 2 - 1, len(build.categories)))
        ranked = ranked[: rng.randrange(1, len(ranked) + 1)]
        scope = {
            "agency_id": case.agency_id,
            "team_id": case.team_id,
            "person_ref": person.pk,
            "case_ref": case.pk,
        }
        for rank, category_id in enumerate(ranked, start=1):
            status = rng.choice([NeedStatus.IDENTIFIED, NeedStatus.IN_PROGRESS, NeedStatus.MET])
            need = _new(
                Need,
                case=case,
                data_key_id=person.data_key_id,
                category_id=category_id,
                rank=rank,
                status=status,
                assessment=assessment,
                updated_at=at,
            )
            need.__dict__["_data_key_plain"] = key
            need.note = None
            self.tables[Need].add(need)
            self.tables[NeedChange].add(
                _new(NeedChange, need=need, status=status, rank=rank, at=at, by=advocate)
            )
            self.tables[NeedFact].add(
                _new(
                    NeedFact,
                    **scope,
                    need_ref=need.pk,
                    category_id=category_id,
                    status=status,
                    identified_on=at.date(),
                    met_on=at.date() if status == NeedStatus.MET else None,
                )
            )
            case.__dict__.setdefault("_bench_needs", []).append(need)
        build.events.append(
            Event(
                at,
                advocate.pk,
                Action.NEEDS_ASSESSED,
                "case",
                str(case.pk),
                {"assessment": str(assessment.pk), "needs": len(ranked)},
            )
        )

    def referral(
        self,
        build: AgencyBuild,
        case: Case,
        person: Person,
        key: bytes,
        advocate: User,
        at: datetime,
    ) -> None:
        """A consent to refer, the disclosure it allows, and the referral."""
        rng = self.rng
        partner = rng.choice(build.partners)
        need = case.__dict__["_bench_needs"][0]
        kinds = ["identity", "contact", "needs"]
        consent = _new(
            Consent,
            case=case,
            data_key_id=person.data_key_id,
            recipient_org=partner,
            recipient_category="",
            purpose="services",
            kinds=kinds,
            form="written",
            language=person.language,
            starts_on=at.date(),
            expires_on=at.date() + timedelta(days=365),
            recorded_at=at,
            recorded_by=advocate,
        )
        consent.__dict__["_data_key_plain"] = key
        consent.recipient_label = partner.name
        self.tables[Consent].add(consent)
        disclosure = _new(
            Disclosure,
            case=case,
            data_key_id=person.data_key_id,
            at=at,
            by=advocate,
            recipient_org=partner,
            recipient_category="",
            purpose="services",
            kinds=kinds,
            basis="consent",
            consent=consent,
            channel="referral",
        )
        disclosure.__dict__["_data_key_plain"] = key
        disclosure.recipient_label = partner.name
        self.tables[Disclosure].add(disclosure)
        referral = _new(
            Referral,
            case=case,
            data_key_id=person.data_key_id,
            need=need,
            organization=partner,
            purpose="services",
            kinds=kinds,
            status="sent",
            sent_at=at,
            sent_by=advocate,
            updated_at=at,
            disclosure=disclosure,
        )
        referral.__dict__["_data_key_plain"] = key
        referral.partner_label = partner.name
        referral.content = json.dumps(
            {"need": str(need.category_id), "fields": [["legal_name", person.legal_name]]},
            ensure_ascii=False,
        )
        self.tables[Referral].add(referral)
        self.tables[ReferralChange].add(
            _new(ReferralChange, referral=referral, status="sent", at=at, by=advocate)
        )
        self.tables[ReferralFact].add(
            _new(
                ReferralFact,
                agency_id=case.agency_id,
                team_id=case.team_id,
                person_ref=person.pk,
                case_ref=case.pk,
                referral_ref=referral.pk,
                category_id=need.category_id,
                status="sent",
                sent_on=at.date(),
            )
        )
        case_id = str(case.pk)
        events = build.events
        events.append(
            Event(
                at,
                advocate.pk,
                Action.CONSENT_RECORDED,
                "case",
                case_id,
                {
                    "consent": str(consent.pk),
                    "purpose": "services",
                    "kinds": kinds,
                    "form": "written",
                    "scan": None,
                    "expires_on": consent.expires_on.isoformat(),
                },
            )
        )
        events.append(
            Event(
                at,
                advocate.pk,
                Action.DISCLOSURE_ALLOWED,
                "case",
                case_id,
                {
                    "disclosure": str(disclosure.pk),
                    "basis": "consent",
                    "purpose": "services",
                    "kinds": kinds,
                    "channel": "referral",
                    "consent": str(consent.pk),
                    "court_order_copy": None,
                },
            )
        )
        events.append(
            Event(
                at,
                advocate.pk,
                Action.REFERRAL_SENT,
                "case",
                case_id,
                {
                    "referral": str(referral.pk),
                    "kinds": kinds,
                    "to_agency": None,
                    "outside_expertise": False,
                },
            )
        )

    def episode(self, build: AgencyBuild, case: Case, person: Person, born: date | None) -> None:
        self.tables[Episode].add(
            _new(
                Episode,
                agency_id=case.agency_id,
                team_id=case.team_id,
                person_ref=person.pk,
                case_ref=case.pk,
                opened_on=case.opened_on,
                closed_on=case.closed_on,
                age_group=_age_group(born, case.opened_on),
                gender_group=person.gender_group,
                trafficking_type=person.trafficking_type,
                language=person.language,
            )
        )

    # -- the audit chain ---------------------------------------------------------------------

    def views(self, build: AgencyBuild, target: int) -> None:
        """Reads of the agency's people (case pages, lists), up to ``target``
        events in all: a trail is mostly who looked at whom."""
        rng = self.rng
        cases = [e for e in build.events if e.action == Action.CASE_OPENED]
        person_of: dict[str, str] = {}
        last_person = ""
        for e in build.events:  # a person's cases follow their creation
            if e.action == Action.PERSON_CREATED:
                last_person = e.object_id
            elif e.action == Action.CASE_OPENED:
                person_of[e.object_id] = last_person
        for _ in range(max(target - len(build.events), 0)):
            opened = rng.choice(cases)
            after = (self.end - opened.at).total_seconds()
            at = opened.at + timedelta(seconds=rng.random() * max(after, 1.0))
            user = build.advocate_of(rng.randrange(len(build.teams)))
            build.events.append(
                Event(
                    at,
                    user.pk,
                    Action.PEOPLE_VIEWED,
                    "case",
                    opened.object_id,
                    {"ids": [person_of[opened.object_id]], "where": "case"},
                )
            )

    def chain(self, build: AgencyBuild) -> None:
        """Append the agency's events to its chain, in time order."""
        agency_id = build.agency.pk
        build.events.sort(key=lambda e: e.at)
        fields = [f.attname for f in self.audit.fields]
        last = chain_tail(agency_id)  # staff set up through the services wrote the first
        prev, start = (last[1], last[0] + 1) if last else (GENESIS, 1)
        convert_at = AuditEvent._meta.get_field("at")
        convert_detail = AuditEvent._meta.get_field("detail")
        for seq, event in enumerate(build.events, start=start):
            values = {
                "chain": agency_id,
                "seq": seq,
                "at": event.at,
                "actor_id": event.actor_id,
                "agency_id": agency_id,
                "action": str(event.action),
                "object_type": event.object_type,
                "object_id": event.object_id,
                "request_id": "",
                "detail": event.detail,
                "prev_hash": prev,
            }
            values["hash"] = prev = event_hash(values)
            values["at"] = convert_at.get_db_prep_save(event.at, self.audit.connection)
            values["detail"] = convert_detail.get_db_prep_save(event.detail, self.audit.connection)
            self.audit.add_values([values[name] for name in fields])
        build.events.clear()

    def flush(self) -> None:
        for rows in self.tables.values():
            rows.flush()
        self.assigned.flush()


_CHANNELS = [Channel.PHONE, Channel.IN_PERSON, Channel.TEXT, Channel.EMAIL]


# --- The whole build --------------------------------------------------------------------


def _agency(number: int, password: str) -> AgencyBuild:
    agency = Agency.objects.create(name=names.agency_name(number))
    keys.agency_key_create(agency)
    teams = [Team.objects.create(agency=agency, name=f"Team {t:02d}") for t in range(names.TEAMS)]
    staff = _staff(number, agency, teams, password)
    categories = list(
        NeedCategory.objects.filter(agency__isnull=True, is_active=True).values_list(
            "pk", flat=True
        )
    )
    return AgencyBuild(agency, teams, staff, categories, _partners(agency))


def _progress(label: str, began: float) -> None:
    print(f"  {label} ({time.perf_counter() - began:.0f} s)", flush=True)


def build(people: int, workers: int | None = None) -> World:
    """Build the data set into the current (bench) database, or find it there.

    Agencies are built side by side, one process per core: making the rows
    (sealing, hashing, indexing) is the work, and each process holds the
    database's write lock only while it inserts a batch."""
    from bench.guard import refuse_unless_bench

    refuse_unless_bench()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if Agency.objects.filter(name=names.agency_name(0)).exists():
        return world_load()
    began = time.perf_counter()
    agencies = max(1, -(-people // names.PEOPLE_PER_AGENCY))
    workers = min(workers or os.cpu_count() or 1, agencies)
    print(
        f"Building the bench data set: {people:,} people in {agencies} agencies, "
        f"{workers} at a time…",
        flush=True,
    )
    per_agency = -(-people // agencies)
    plan = [(number, min(per_agency, people - number * per_agency)) for number in range(agencies)]
    global _POOL, _END  # handed to the forked workers
    _POOL = Names.make()
    _END = timezone.now().replace(microsecond=0) - timedelta(days=1)
    connections.close_all()  # each worker opens its own
    totals: Counter[str] = Counter()
    if workers == 1:
        for job in plan:
            totals.update(_build_agency(job))
            _progress(f"agency {job[0] + 1} of {agencies}", began)
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for done, counts in enumerate(pool.map(_build_agency, plan), start=1):
                totals.update(counts)
                _progress(f"{done} of {agencies} agencies", began)
    call_command("optimize_db", verbosity=0)
    _progress("indexes analysed", began)
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in totals.items()))
    print(f"Built in {time.perf_counter() - began:.0f} s", flush=True)
    return world_load()


_POOL: Names | None = None
_END: datetime | None = None


def _build_agency(job: tuple[int, int]) -> dict[str, int]:
    """One agency, start to end (in a worker process): its staff through
    the services, its people a batch per transaction, then its audit chain."""
    number, count = job
    assert _POOL is not None  # noqa: S101 (set by build)
    assert _END is not None  # noqa: S101
    _fast_writes()
    builder = Builder(count, number, _POOL, _END)
    events = AUDIT_EVENTS * count // 100_000
    try:
        with keys.keys_remembered():
            with transaction.atomic():
                agency = _agency(number, make_password(names.PASSWORD))
            span = (builder.end - builder.start).total_seconds()
            cpu = time.process_time()
            for first in range(0, count, BATCH):
                for n in range(first, min(first + BATCH, count)):
                    builder.person(agency, n, builder.start + timedelta(seconds=span * n / count))
                with transaction.atomic():
                    builder.flush()
            if number == 0:
                _long_case(builder, agency)
                with transaction.atomic():
                    builder.flush()
            records = time.process_time() - cpu
            builder.views(agency, events)
            with transaction.atomic():
                builder.chain(agency)
                builder.audit.flush()
            trail = time.process_time() - cpu - records
            print(
                f"  agency {number}: records {records:.0f} s, audit trail {trail:.0f} s (CPU)",
                flush=True,
            )
    finally:
        connections.close_all()
    counts = {model.__name__: rows.count for model, rows in builder.tables.items()}
    counts["AuditEvent"] = builder.audit.count
    return counts


def _long_case(builder: Builder, build: AgencyBuild) -> None:
    """The one case with a long record: 2,000 communications over three years,
    on an open case of team 0 (the bench user's)."""
    rng = builder.rng
    arrived = builder.start
    data_key, key = keys.data_key_new(build.agency.pk)
    builder.tables[DataKey].add(data_key)
    person = _new(
        Person,
        agency_id=build.agency.pk,
        data_key=data_key,
        language="spa",
        created_at=arrived,
        created_by=build.staff["intake"][0],
    )
    person.__dict__["_data_key"] = key
    person.legal_name = builder.names.name(rng, 1)
    person.date_of_birth = "1990-05-17"
    builder.tables[Person].add(person)
    legal = person.legal_name or ""
    for kind, digest in sorted(
        search.entry_digests(build.agency.pk, names=[legal], date_of_birth="1990-05-17", phone=None)
    ):
        builder.tables[SearchEntry].add(
            _new(SearchEntry, agency_id=build.agency.pk, person=person, kind=kind, digest=digest)
        )
    team = build.teams[0]
    advocate = build.advocate_of(0)
    case = _new(
        Case,
        agency_id=build.agency.pk,
        person=person,
        team=team,
        status=Case.Status.OPEN,
        danger_at_intake="no",
        opened_on=arrived.date(),
        created_at=arrived,
        created_by=person.created_by,
    )
    builder.tables[Case].add(case)
    builder.assigned.add(_new(Case.assigned.through, case=case, user=advocate))
    builder.episode(build, case, person, date(1990, 5, 17))
    span = int((builder.end - arrived).total_seconds())
    builder.communications(build, case, person, key, advocate, arrived, span, LONG_LOG, words=120)
    builder.communications_left += LONG_LOG  # not counted against the total


def _fast_writes() -> None:
    """The bench database is rebuilt rather than recovered: skip the fsyncs."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.execute("PRAGMA busy_timeout=600000")  # the other workers' batches
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")


# --- Finding it again -------------------------------------------------------------------


def world_load() -> World:
    """The World of the bench database, found by the names bench.world gives."""
    found: list[AgencyWorld] = []
    agencies = Agency.objects.filter(name__startswith="Bench Agency ").order_by("name")
    for agency in agencies:
        number = int(agency.name.rsplit(" ", 1)[1])
        teams = list(
            Team.objects.filter(agency=agency).order_by("name").values_list("pk", flat=True)
        )
        staff: dict[str, list[int]] = {}
        for pk, username in (
            User.objects.filter(agency=agency).order_by("username").values_list("pk", "username")
        ):
            role = username.split("-")[2]
            staff.setdefault(role, []).append(pk)
        found.append(AgencyWorld(number, agency.pk, teams, staff))
    if not found:
        raise SystemExit("This database holds no bench data set: run `make bench` to build it.")
    advocate = found[0].staff["advocate"][0]
    long_case = (
        Case.objects.filter(agency_id=found[0].agency_id, team_id=found[0].team_ids[0])
        .annotate(entries=models.Count("communications"))
        .filter(entries__gte=LONG_LOG)
        .values_list("pk", flat=True)
        .first()
    )
    if long_case is None:
        raise SystemExit("The bench data set has no long case: delete it and build it again.")
    return World(found, advocate, long_case)


# --- The check after the build ----------------------------------------------------------


def check(world: World, sample: int = 20) -> None:
    """Open a sample through the real selectors as the bench user (each
    read audited), find each person by name through the search, read their
    log, then verify every chain. Stops the bench on the first failure."""
    from haven.communications.selectors import log_page
    from haven.people.search import parse_query
    from haven.people.selectors import case_get, search_cases

    began = time.perf_counter()
    user = User.objects.get(pk=world.advocate_id)
    rng = random.Random(SEED)  # noqa: S311 (a sample to check, not a secret)
    team_cases = list(
        Case.objects.filter(team_id=world.agencies[0].team_ids[0])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for case_id in rng.sample(team_cases, min(sample, len(team_cases))):
        case = case_get(user=user, case_id=case_id)
        name = case.person.legal_name or ""
        found = search_cases(user=user, query=parse_query(name, today=timezone.localdate()))
        if case.pk not in {c.pk for c in found.exact} and not found.more:
            raise SystemExit(f"check: case {case.pk} is not found by its person's name")
        for entry in log_page(case, None):
            if not (entry.summary or "").startswith("Check-in"):
                raise SystemExit(f"check: communication {entry.pk} does not open")
    _progress(f"{min(sample, len(team_cases))} cases opened, found and read", began)
    call_command("verify_integrity")
    _progress("verify_integrity", began)
