"""Demo agencies, staff, and synthetic people and cases for trying Haven out.

Never in production. Every person is invented by Faker from a fixed seed, in
several languages and scripts, and recorded through the same services as a
real intake (so everything identifying is sealed). Running it twice changes
nothing: an agency that already has people gets no demo people added.
"""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import date, timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from anyascii import anyascii
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from haven.accounts.models import Membership, Role, User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.models import Agency, Team
from haven.desk import demo
from haven.people.details import PersonDetails
from haven.people.models import Case, CloseReason, Person
from haven.people.services import case_close, case_open, person_create

DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 - printed for testers on purpose

# (agency, username, display name, role, team)
DEMO_STAFF = [
    ("Demo Agency", "demo-advocate", "Demo Advocate", Role.ADVOCATE, "North Team"),
    ("Demo Agency", "demo-advocate-south", "Demo Advocate South", Role.ADVOCATE, "South Team"),
    ("Demo Agency", "demo-supervisor", "Demo Supervisor", Role.SUPERVISOR, "North Team"),
    ("Demo Agency", "demo-intake", "Demo Intake", Role.INTAKE, None),
    ("Demo Agency", "demo-shelter", "Demo Shelter", Role.SHELTER, "North Team"),
    ("Demo Agency", "demo-shelter-south", "Demo Shelter South", Role.SHELTER, "South Team"),
    ("Demo Agency", "demo-admin", "Demo Administrator", Role.ADMIN, None),
    ("Demo Agency", "demo-auditor", "Demo Auditor", Role.AUDITOR, None),
    ("Other Agency", "other-advocate", "Other Advocate", Role.ADVOCATE, "Main Team"),
]

# How many synthetic people (each with one case) each demo agency gets.
DEMO_PEOPLE = {"Demo Agency": 30, "Other Agency": 5}
FAKER_SEED = 20240611
LOCALES = ["en_US", "es_MX", "vi_VN", "uk_UA", "ru_RU", "ar_AA", "zh_CN", "hi_IN"]
# The language each locale's people speak best (ISO 639-3).
LANGUAGE_OF = {
    "en_US": "eng",
    "es_MX": "spa",
    "vi_VN": "vie",
    "uk_UA": "ukr",
    "ru_RU": "rus",
    "ar_AA": "arb",
    "zh_CN": "cmn",
    "hi_IN": "hin",
}
# Numbers in 555-0100..0199 are reserved for fiction: no real phone rings.
AREA_CODES = ["608", "414", "920", "715", "262"]
# In Demo Agency: the one restricted case (named staff: demo-advocate) and
# the one minor (16 today). How far each case is: haven.desk.demo.DEMO_PLANS.
RESTRICTED_INDEX = 0
MINOR_INDEX = 1
# The one person staying at one of Demo Agency's shelter sites (Site A).
RESIDENT_INDEX = 8
# Two people the demo always has, by these names (both synthetic), whom a
# tester can look for: (index, legal name, preferred name, phone).
NAMED = {
    9: ("Guadalupe Ramírez Soto", "Lupita", "(608) 555-0142"),
    17: ("Emilia Cazares Carrera", "", ""),
}
# Where anyascii spells a name the way the person might write it in Latin
# letters (Arabic and Devanagari would lose their vowels, so not those).
SPELLED_IN_LATIN = {"es_MX", "vi_VN", "uk_UA", "ru_RU", "zh_CN"}


def demo_totp_secret(username: str) -> str:
    """A fixed, printable TOTP secret per demo user, so testers can enrol once."""
    digest = hashlib.sha256(f"haven-demo-totp:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


class Command(BaseCommand):
    help = (
        "Create the demo agencies, one staff member per role, and synthetic people "
        "and cases. Safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with production settings.")
        created = 0
        with transaction.atomic():
            for agency_name, username, display, role, team_name in DEMO_STAFF:
                agency, _ = Agency.objects.get_or_create(name=agency_name)
                team = None
                if team_name:
                    team, _ = Team.objects.get_or_create(agency=agency, name=team_name)
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "agency": agency,
                        "display_name": display,
                        "email": f"{username}@example.org",
                    },
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    created += 1
                Membership.objects.get_or_create(user=user, role=role, team=team)
                if not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists():
                    TOTP.activate(user, demo_totp_secret(username))
            extras = self._seed_agency()
            people_created = sum(
                self._seed_people(agency_name, count) for agency_name, count in DEMO_PEOPLE.items()
            )
            concern = demo.concern_seed(
                User.objects.get(username="demo-advocate"),
                Case.objects.filter(
                    team__agency__name="Demo Agency", team__name="North Team", restricted=False
                )
                .order_by("opened_on", "pk")
                .first(),
            )
            if created or people_created or any(extras.values()) or concern:
                audit_record(
                    action=Action.DEMO_SEEDED,
                    detail={
                        "staff_created": created,
                        "people_created": people_created,
                        **extras,
                        "concerns_created": concern,
                    },
                )
        self._print()
        self._print_people()
        self._print_extras()

    def _seed_agency(self) -> dict[str, int]:
        """Demo Agency's partners, interpreters, training and policies, each
        only if the agency has none yet."""
        staff = {u.username: u for u in User.objects.filter(agency__name="Demo Agency")}
        admin, today = staff["demo-admin"], timezone.localdate()
        return {
            "partners_created": demo.partners_seed(admin),
            "interpreters_created": demo.interpreters_seed(admin, today),
            "training_records_created": demo.training_seed(admin, staff, today),
            "policies_created": demo.policies_seed(admin, staff, today),
            "sites_created": demo.shelter_seed(admin),
        }

    def _seed_people(self, agency_name: str, count: int) -> int:
        """Invent ``count`` people with a case each, unless the agency already
        has people. Returns how many were created."""
        agency = Agency.objects.get(name=agency_name)
        if Person.objects.filter(agency=agency).exists():
            return 0
        # Reproducible on purpose: the demo is the same every time.
        rng = random.Random(f"{FAKER_SEED}:{agency_name}")  # noqa: S311
        fakers = {}
        for offset, locale in enumerate(LOCALES):
            fakers[locale] = Faker(locale)
            fakers[locale].seed_instance(f"{FAKER_SEED}:{agency_name}:{offset}")
        today = timezone.localdate()
        staff = {u.username: u for u in User.objects.filter(agency=agency)}
        teams = list(Team.objects.filter(agency=agency).order_by("name"))
        demo_agency = agency_name == "Demo Agency"
        if demo_agency:
            intake, advocate = staff["demo-intake"], staff["demo-advocate"]
            # Each team's cases are worked by its own advocate.
            workers = {
                t.pk: staff[f"demo-advocate{'' if t.name == 'North Team' else '-south'}"]
                for t in teams
            }
        else:
            intake = advocate = staff["other-advocate"]
            workers = {t.pk: advocate for t in teams}
        phone_endings = rng.sample(range(100), count)  # no two people share a number
        for i in range(count):
            locale = LOCALES[i % len(LOCALES)]
            legal, preferred, aliases = _names(fakers[locale], fakers["en_US"], locale, rng)
            estimated_age = None
            if demo_agency and i == MINOR_INDEX:
                date_of_birth: date | None = _years_before(today, 16) - timedelta(days=120)
            elif rng.random() < 0.85:
                date_of_birth = _years_before(today, rng.randint(18, 64)) - timedelta(
                    days=rng.randrange(365)
                )
            else:
                # No date of birth given: staff note the age it seems.
                date_of_birth, estimated_age = None, rng.randint(20, 55)
            phone = ""
            if rng.random() < 0.6:
                phone = f"({rng.choice(AREA_CODES)}) 555-01{phone_endings[i]:02d}"
            if demo_agency and i in NAMED:
                legal, preferred, phone = NAMED[i]
                aliases = []
            plan = demo.DEMO_PLANS[i] if demo_agency else demo.OTHER_PLAN
            actor = advocate if i % 3 == 2 else intake
            person = person_create(
                actor=actor,
                details=PersonDetails(
                    legal_name=legal,
                    preferred_name=preferred,
                    date_of_birth=date_of_birth,
                    estimated_age=estimated_age,
                    phone=phone,
                    aliases=tuple(aliases),
                    language=LANGUAGE_OF[locale],
                    # Who speaks another language best has a trained interpreter.
                    interpreter_needed=locale != "en_US",
                    call_safety=rng.choice(("", "safe", "unsafe")) if phone else "",
                    contact_notes=f"Pregunte por {aliases[0]}" if phone and aliases else "",
                ),
            )
            team = teams[i % len(teams)]
            case = case_open(
                actor=actor,
                person=person,
                team=team,
                opened_on=today - timedelta(days=plan.days_ago),
                danger=plan.danger,
            )
            if demo_agency:
                if i % 3 == 1 or i == RESTRICTED_INDEX:
                    case.assigned.add(advocate)
                if i == RESTRICTED_INDEX:
                    case.restricted = True
                    case.save(update_fields=["restricted"])
                    case.named_staff.add(advocate)
            # The restricted case is worked by the one advocate named on it.
            worker = advocate if case.restricted else workers[team.pk]
            demo.case_progress(case, plan, worker)
            if plan.closed:
                case_close(actor=worker, case=case, reason=CloseReason.GOALS_MET)
            if demo_agency and i == RESIDENT_INDEX:
                demo.resident_seed(case, worker, today)
        return count

    def _print_people(self) -> None:
        """Counts only: never a name or anything else about a person."""
        self.stdout.write("Demo people (synthetic, each with one case):")
        for agency_name in DEMO_PEOPLE:
            agency = Agency.objects.get(name=agency_name)
            cases = Case.objects.filter(agency=agency)
            self.stdout.write(
                f"  {agency_name:<16} {Person.objects.filter(agency=agency).count()} people, "
                f"{cases.count()} cases ({cases.filter(restricted=True).count()} restricted, "
                f"{cases.filter(status=Case.Status.CLOSED).count()} closed)"
            )

    def _print_extras(self) -> None:
        """What else Demo Agency keeps, counted."""
        agency = Agency.objects.get(name="Demo Agency")
        counts = demo.extras_count(agency.pk)
        self.stdout.write(
            "Demo Agency also keeps: "
            + ", ".join(f"{number} {what}" for what, number in counts.items())
        )

    def _print(self) -> None:
        self.stdout.write(f"Demo staff (password for all: {DEMO_PASSWORD}):")
        for agency_name, username, _, role, team_name in DEMO_STAFF:
            where = f"{agency_name}, {team_name}" if team_name else agency_name
            secret = demo_totp_secret(username)
            self.stdout.write(f"  {username:<16} {role.label:<22} {where:<26} TOTP secret {secret}")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _names(
    fake: Faker, english: Faker, locale: str, rng: random.Random
) -> tuple[str, str, list[str]]:
    """A legal name in the locale's script and order, sometimes a preferred
    name, and zero to two aliases (a Latin spelling, or another name used)."""
    female = rng.random() < 0.6
    first = fake.first_name_female() if female else fake.first_name_male()
    last = fake.last_name_female() if female else fake.last_name_male()
    if locale == "zh_CN":
        legal = last + first
        latin = f"{anyascii(last)} {anyascii(first)}"
    else:
        if locale == "vi_VN":
            legal = f"{last} {fake.middle_name()} {first}"
        elif locale == "es_MX":
            legal = f"{first} {last} {fake.last_name()}"
        elif locale in {"uk_UA", "ru_RU"}:
            middle = fake.middle_name_female() if female else fake.middle_name_male()
            legal = f"{first} {middle} {last}"
        else:
            legal = f"{first} {last}"
        latin = " ".join(anyascii(legal).split())
    preferred = ""
    if rng.random() < 0.35:
        if locale in {"zh_CN", "vi_VN"}:
            preferred = english.first_name_female() if female else english.first_name_male()
        elif locale in {"uk_UA", "ru_RU"}:
            preferred = anyascii(first)
        else:
            preferred = first
    aliases: list[str] = []
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        if locale in SPELLED_IN_LATIN and latin != legal and not aliases:
            aliases.append(latin)
        else:
            other = fake.first_name_female() if female else fake.first_name_male()
            aliases.append(last + other if locale == "zh_CN" else f"{other} {last}")
    return legal, preferred, aliases
