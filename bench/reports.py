"""Benchmark: report pages over the facts of 100,000 people.

Not a test: it measures. Run with `make bench` (HAVEN_BENCH_PEOPLE overrides
the population, HAVEN_BENCH_SAMPLES the requests of each kind per round).

Reports read only the de-identified facts (haven.reports.models), so this
bench writes those facts directly, in bulk, into a database of its own under
var/bench-reports: 100,000 people over three years, a fifth of them with a
second case, two needs each on average, a referral for every other person
and a choice about law enforcement for two in three. The rows are synthetic
(seeded random categories and dates); what is timed is the real report code
and the real pages, through Django's whole middleware stack, signed in as an
auditor.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["HAVEN_VAR_DIR"] = str(ROOT / "var" / "bench-reports")
os.environ.setdefault("HAVEN_ENV", "local")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_LOG_LEVEL", "WARNING")
# The report runs inside the request that asks for it, so the bench times it alone.
os.environ["HAVEN_JOBS_INLINE"] = "true"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from haven.accounts.models import Membership, Role, User  # noqa: E402
from haven.core.models import Agency, Team  # noqa: E402
from haven.protocol.models import NeedCategory  # noqa: E402
from haven.reports.figures import Scope, report  # noqa: E402
from haven.reports.models import (  # noqa: E402
    Episode,
    LawChoiceFact,
    NeedFact,
    ReferralFact,
)

POPULATION = int(os.environ.get("HAVEN_BENCH_PEOPLE", "100000"))
SAMPLES = int(os.environ.get("HAVEN_BENCH_SAMPLES", "20"))
FIRST_DAY = date(2024, 1, 1)
DAYS = 3 * 365
SEED = 11


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def populate() -> tuple[User, Agency, Team]:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    agency, _ = Agency.objects.get_or_create(name="Bench Reports Agency")
    teams = [Team.objects.get_or_create(agency=agency, name=f"Team {n}")[0] for n in range(20)]
    user, created = User.objects.get_or_create(
        username="bench-auditor", defaults={"agency": agency, "display_name": "Bench"}
    )
    if created:
        Membership.objects.create(user=user, role=Role.AUDITOR)
    if Episode.objects.filter(agency=agency).exists():
        return user, agency, teams[0]
    rng = random.Random(SEED)  # noqa: S311 (synthetic data to measure, not a secret)
    categories = list(NeedCategory.objects.filter(agency=None).values_list("pk", flat=True))
    languages = [("spa", 40), ("eng", 25), ("vie", 6), ("zho", 5), ("ara", 4), ("hin", 3)]
    languages += [("tir", 1), ("rus", 2), ("fra", 2), ("und", 12)]
    started = time.perf_counter()
    episodes, needs, referrals, choices = [], [], [], []
    for _n in range(POPULATION):
        person = uuid.uuid4()
        attributes = {
            "age_group": _weighted(rng, [("adult", 80), ("minor", 12), ("unknown", 8)]),
            "gender_group": _weighted(
                rng, [("woman", 60), ("man", 30), ("another", 3), ("declined", 2), ("", 5)]
            ),
            "trafficking_type": _weighted(
                rng, [("sex", 45), ("labor", 35), ("both", 8), ("unknown", 12)]
            ),
            "language": _weighted(rng, languages),
        }
        for _case in range(2 if rng.random() < 0.2 else 1):
            case = uuid.uuid4()
            team = rng.choice(teams)
            opened = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            closed = opened + timedelta(days=rng.randrange(30, 720))
            scope = {"agency": agency, "team": team, "person_ref": person, "case_ref": case}
            episodes.append(
                Episode(
                    **scope,
                    **attributes,
                    opened_on=opened,
                    closed_on=closed if closed < date(2026, 11, 1) else None,
                )
            )
            for category in rng.sample(categories, rng.randrange(0, 5)):
                met = rng.random() < 0.5
                needs.append(
                    NeedFact(
                        **scope,
                        need_ref=uuid.uuid4(),
                        category_id=category,
                        status="met" if met else "identified",
                        identified_on=opened,
                        met_on=opened + timedelta(days=rng.randrange(1, 200)) if met else None,
                    )
                )
            if rng.random() < 0.5:
                referrals.append(
                    ReferralFact(
                        **scope,
                        referral_ref=uuid.uuid4(),
                        category_id=rng.choice(categories),
                        status=rng.choice(["sent", "accepted", "declined", "completed"]),
                        sent_on=opened + timedelta(days=rng.randrange(0, 60)),
                    )
                )
            if rng.random() < 0.66:
                choices.append(
                    LawChoiceFact(
                        **scope,
                        choice_ref=uuid.uuid4(),
                        agrees=rng.random() < 0.4,
                        chosen_on=opened + timedelta(days=rng.randrange(0, 30)),
                    )
                )
    with transaction.atomic():
        for rows in (episodes, needs, referrals, choices):
            type(rows[0]).objects.bulk_create(rows, batch_size=2000)
    call_command("optimize_db")
    print(
        f"  wrote {len(episodes)} episodes, {len(needs)} needs, {len(referrals)} referrals, "
        f"{len(choices)} choices in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return user, agency, teams[0]


def _timed(call: Callable[[], object]) -> list[float]:
    call()  # warm-up
    close_old_connections()
    wall = []
    for _n in range(SAMPLES):
        began = time.perf_counter()
        call()
        wall.append((time.perf_counter() - began) * 1000)
        close_old_connections()
    return sorted(wall)


def _queries(call: Callable[[], object]) -> int:
    """Statements one call sends (a request resets Django's own query log)."""
    sent = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal sent
        sent += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    close_old_connections()
    return sent


def _row(label: str, wall: list[float], queries: int | str = "") -> str:
    p50 = wall[len(wall) // 2]
    p95 = wall[max(0, -(-len(wall) * 95 // 100) - 1)]
    return f"| {label} | {len(wall)} | {p50:.0f} | {p95:.0f} | {queries} |"


def main() -> None:
    print(f"Building or reusing the report bench database with {POPULATION} people…", flush=True)
    user, agency, team = populate()
    client = Client()
    client.force_login(user)
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}, SQLite {connection.Database.sqlite_version}"
    )
    print(f"Episodes: {Episode.objects.filter(agency=agency).count()}")
    print()
    print("The report itself (the background job's work):")
    print("| report | samples | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|---|")
    threshold = 5
    scopes = {
        "one quarter, all teams": Scope(agency.pk, date(2026, 4, 1), date(2026, 6, 30), threshold),
        "one quarter, one team": Scope(
            agency.pk, date(2026, 4, 1), date(2026, 6, 30), threshold, team.pk
        ),
        "one year, all teams": Scope(agency.pk, date(2025, 1, 1), date(2025, 12, 31), threshold),
        "three years, all teams": Scope(agency.pk, date(2024, 1, 1), date(2026, 12, 31), threshold),
    }
    for label, scope in scopes.items():

        def call(scope: Scope = scope) -> object:
            return report(scope)

        print(_row(label, _timed(call), _queries(call)), flush=True)

    # The pages around it: asking (a POST) starts the job (here it runs inside the
    # request, HAVEN_JOBS_INLINE), and the finished report's page.
    quarter = {"start": "2026-04-01", "end": "2026-06-30"}
    started = client.post(reverse("reports:summary"), quarter)
    run = started["Location"]
    job_id = run.split("/")[3]
    print()
    print("The pages:")
    print("| request | samples | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|---|")
    pages = {
        "finished report page (summary)": (run, {}),
        "finished report page (funder layout)": (run, {"layout": "funder"}),
        "progress poll": (reverse("reports:run_progress", args=[job_id]), {}),
        "CSV of a finished report": (reverse("reports:run_download", args=[job_id, "summary"]), {}),
    }
    for label, (url, query) in pages.items():

        def get(url: str = url, query: dict[str, str] = query) -> object:
            return client.get(url, query)

        print(_row(label, _timed(get), _queries(get)), flush=True)


if __name__ == "__main__":
    main()
