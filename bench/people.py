"""Benchmark: people search, case page and case list at 100,000 people.

Not a test: it measures. Run with `make bench` (HAVEN_BENCH_PEOPLE overrides
the population). It builds a separate SQLite database under var/bench once,
through the real services (every value sealed, every search entry made),
then times requests through Django's full middleware stack in-process, so
the figures are server time without the network.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HAVEN_ENV", "local")
os.environ.setdefault("HAVEN_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from faker import Faker  # noqa: E402

from haven.accounts.models import Membership, Role, User  # noqa: E402
from haven.core.models import Agency, Team  # noqa: E402
from haven.people.models import Case  # noqa: E402
from haven.people.services import intake_record  # noqa: E402

POPULATION = int(os.environ.get("HAVEN_BENCH_PEOPLE", "100000"))
SAMPLES = int(os.environ.get("HAVEN_BENCH_SAMPLES", "200"))
LOCALES = ["en_US", "es_MX", "vi_VN", "uk_UA", "ar_SA", "zh_CN", "hi_IN", "fr_FR"]


def staff(agency: Agency, team: Team) -> User:
    user, created = User.objects.get_or_create(
        username="bench-advocate", defaults={"agency": agency, "display_name": "Bench"}
    )
    if created:
        Membership.objects.create(user=user, role=Role.ADVOCATE, team=team)
        Membership.objects.create(user=user, role=Role.INTAKE)
    return user


def populate() -> tuple[User, list[str]]:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    agency, _ = Agency.objects.get_or_create(name="Bench Agency")
    teams = [Team.objects.get_or_create(agency=agency, name=f"Team {n}")[0] for n in range(20)]
    user = staff(agency, teams[0])
    fakers = [Faker(locale) for locale in LOCALES]
    for faker in fakers:
        faker.seed_instance(7)
    existing = Case.objects.filter(agency=agency).count()
    names: list[str] = []
    started = time.perf_counter()
    batch = 1000
    for start in range(existing, POPULATION, batch):
        with transaction.atomic():
            for n in range(start, min(start + batch, POPULATION)):
                faker = fakers[n % len(fakers)]
                name = faker.name()
                intake_record(
                    actor=user,
                    team=teams[n % len(teams)],
                    danger="no",
                    legal_name=name,
                    date_of_birth=faker.date_of_birth(minimum_age=12, maximum_age=70),
                    phone=f"608-555-{n % 10000:04d}" if n % 3 == 0 else "",
                    aliases=[faker.first_name()] if n % 4 == 0 else [],
                )
        done = min(start + batch, POPULATION)
        rate = (done - existing) / (time.perf_counter() - started)
        print(f"  {done:>7} people recorded ({rate:.0f}/s)", flush=True)
    call_command("optimize_db")
    # Names to search for: decrypt a sample through the model, as a page would.
    for case in Case.objects.filter(agency=agency).order_by("?")[:SAMPLES]:
        names.append(case.person.legal_name or "")
    return user, names


def timed(client: Client, url: str, params: dict[str, str] | None = None) -> float:
    began = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def report(label: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"| {label} | {len(samples)} | {p50:.1f} | {p95:.1f} |"


def main() -> None:
    print(f"Building or reusing the bench database with {POPULATION} people…", flush=True)
    user, names = populate()
    client = Client()
    client.force_login(user)
    # The bench user enrols no second factor; mark the session as complete.
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())
    cases = list(
        Case.objects.filter(team__memberships__user=user).values_list("pk", flat=True)[:SAMPLES]
    )
    for _ in range(5):  # warm up
        timed(client, reverse("people:case_list"))
    search = [timed(client, reverse("people:case_list"), {"name": n}) for n in names]
    case_page = [timed(client, reverse("people:case_detail", args=[c])) for c in cases]
    case_list = [timed(client, reverse("people:case_list")) for _ in range(SAMPLES)]
    print()
    python = platform.python_version()
    sqlite = connection.Database.sqlite_version
    cores = os.cpu_count()
    print(f"Machine: {platform.machine()}, {cores} cores, Python {python}, SQLite {sqlite}")
    print(f"People: {Case.objects.count()}")
    print("| request | samples | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(report("exact-name search", search))
    print(report("case page", case_page))
    print(report("case list (50 newest)", case_list))


if __name__ == "__main__":
    main()
