"""Benchmark: the search box by each kind of query (a whole name, one common
word, a year of birth, a phone's last four digits), the case page and list,
the record with 2,000 communications, and its export with the PDF.

Not a test: it measures. `make bench` runs it after bench/pages.py, which
times every route once per kind; this one samples many different queries.
HAVEN_BENCH_SAMPLES sets the requests of each kind per round,
HAVEN_BENCH_ROUNDS the rounds. It uses the bench data set (bench/dataset.py),
building it first if needed, and times requests through Django's full
middleware stack in-process, so the figures are server time without the network.

The same seeded sample of names and cases every run; a warm-up of each kind
first; then several rounds of the three kinds interleaved, each round
reported on its own with the load average at its start, because on a shared
machine one round's p95 says little on its own. After each request the bench
does what Django's handler does when a response ends (close_old_connections),
so connections live as long as CONN_MAX_AGE lets them, as in production.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import Series, machine, percentile  # noqa: E402

os.environ.setdefault("HAVEN_ENV", "local")
os.environ.setdefault("HAVEN_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.dataset import build  # noqa: E402
from bench.world import World  # noqa: E402
from haven.accounts.models import User  # noqa: E402
from haven.communications.models import Communication  # noqa: E402
from haven.core.models import Agency  # noqa: E402
from haven.people.models import Case  # noqa: E402
from haven.people.search import parse_query  # noqa: E402

POPULATION = int(os.environ.get("HAVEN_BENCH_PEOPLE", "100000"))
SAMPLES = int(os.environ.get("HAVEN_BENCH_SAMPLES", "200"))
ROUNDS = int(os.environ.get("HAVEN_BENCH_ROUNDS", "3"))
WARM_UP = 20  # requests of each kind before timing: templates compiled, caches filled
LONG_LOG = 2000  # communications on the one case with a long record
SEED = 7
LOCALES = ["en_US", "es_MX", "vi_VN", "uk_UA", "ar_SA", "zh_CN", "hi_IN", "fr_FR"]


def long_log_entries(world: World) -> tuple[Case, list[uuid.UUID]]:
    """The bench data set's case with a long record, and a sample of its entries."""
    case = Case.objects.get(pk=world.long_case_id)
    entries = list(Communication.objects.filter(case=case).values_list("pk", flat=True))
    return case, random.Random(SEED).sample(entries, min(SAMPLES, len(entries)))  # noqa: S311


# A row of a found case: the search answered with at least one person.
ROW = '<td><a href="/cases/'


def export_once(user: User, case: Case) -> None:
    """One export of the long record for the person: the bundle with its PDF."""
    from haven.exports.services import ExportRequest, export_record

    began, cpu = time.perf_counter(), time.process_time()
    exported = export_record(actor=user, case=case, request=ExportRequest(audience="person"))
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    print()
    print(
        f"Export of the case with {exported.export.communications} communications: "
        f"{wall:.1f} s ({used:.1f} s CPU); bundle {len(exported.zip_bytes) / 1e6:.1f} MB, "
        f"PDF {len(exported.pdf_bytes) / 1e6:.1f} MB"
    )


def common_words(names: list[str], count: int = 20) -> list[str]:
    """The words that come back most often in the sampled names (first names
    and family names shared by many people): the slowest one-word searches."""
    words = Counter(word for name in names for word in name.split() if len(word) > 2)
    return [word for word, _n in words.most_common(count) if searchable(word)]


def searchable(text: str) -> bool:
    """Whether the search box takes ``text``: it refuses, with its message, a
    name whose words are single characters ("倩 魏" as Faker writes it)."""
    try:
        parse_query(text, today=timezone.localdate())
    except ValidationError:
        return False
    return True


def samples(user: User, agency: Agency) -> tuple[list[str], list[uuid.UUID]]:
    """The same names to search for and cases to open at every run: seeded
    samples of the cases of the bench user's team."""
    rng = random.Random(SEED)  # noqa: S311 (a sample to measure, not a secret)
    # Of the cases the user may open: a search finds no one else.
    every = list(
        Case.objects.filter(agency=agency, team__memberships__user=user)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(every, min(SAMPLES, len(every)))
    # Decrypted through the model, as a page would.
    by_pk = Case.objects.select_related("person", "person__data_key").in_bulk(chosen)
    names = [by_pk[pk].person.legal_name or "" for pk in chosen]
    names = [name for name in names if searchable(name)]
    team = list(
        Case.objects.filter(agency=agency, team__memberships__user=user)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return names, rng.sample(team, min(SAMPLES, len(team)))


def timed(
    client: Client, series: Series, method: str, url: str, data: dict[str, str], expect: str
) -> None:
    began, cpu = time.perf_counter(), time.process_time()
    response = client.post(url, data) if method == "post" else client.get(url)
    series.wall.append((time.perf_counter() - began) * 1000)
    series.cpu.append((time.process_time() - cpu) * 1000)
    # What Django's handler does when a response is finished and the test
    # client skips: a connection older than CONN_MAX_AGE is closed here.
    close_old_connections()
    if response.status_code != 200:
        raise SystemExit(f"{method.upper()} {url} answered {response.status_code}")
    if expect not in response.content.decode():
        raise SystemExit(f"{method.upper()} {url} did not show what it was asked for")


def count_queries(client: Client, method: str, url: str, data: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.post(url, data) if method == "post" else client.get(url)
    close_old_connections()
    return len(captured)


def row(series: Series) -> str:
    return (
        f"| {series.label} | {len(series.wall)} | {percentile(series.wall, 0.5):.1f} "
        f"| {percentile(series.wall, 0.95):.1f} | {percentile(series.cpu, 0.5):.1f} "
        f"| {series.queries} |"
    )


def main() -> None:
    world = build(POPULATION)
    user = User.objects.get(pk=world.advocate_id)
    agency = user.agency
    client = Client()
    client.force_login(user)
    names, cases = samples(user, agency)
    long_case, entries = long_log_entries(world)
    case_list = reverse("people:case_list")
    # The requests of each kind: (method, url, data, text the answer must hold).
    # A search must show the name it was given: a GET with the name in the
    # address would quietly time the case list instead.
    kinds: dict[str, list[tuple[str, str, dict[str, str], str]]] = {
        "search": [("post", case_list, {"q": name}, ROW) for name in names],
        # One word of a common name: many people match, 50 are shown and
        # up to 20 similar names below them.
        "word": [("post", case_list, {"q": word}, ROW) for word in common_words(names)],
        # Candidates of a shared short digest, confirmed on the decrypted value.
        "year": [("post", case_list, {"q": str(1960 + n % 50)}, ROW) for n in range(SAMPLES)],
        # The bench data set gives a phone to every third person; the bench
        # user's team has every tenth: so every thirtieth has one it sees.
        "last four": [
            ("post", case_list, {"q": f"{n * 30 % 10000:04d}"}, ROW) for n in range(SAMPLES)
        ],
        "page": [("get", reverse("desk:case_detail", args=[c]), {}, "") for c in cases],
        "list": [("get", case_list, {}, "") for _ in range(SAMPLES)],
        "long case": [("get", reverse("desk:case_detail", args=[long_case.pk]), {}, "")],
        "log": [("get", reverse("communications:log", args=[long_case.pk]), {}, "Check-in")],
        "entry": [
            ("get", reverse("communications:entry", args=[long_case.pk, e]), {}, "Check-in")
            for e in entries
        ],
    }
    labels = {
        "search": "whole-name search (POST, full page)",
        "word": "one-word search, common names",
        "year": "year-of-birth search",
        "last four": "phone's last-four search",
        "page": "case page",
        "list": "case list (50 newest)",
        "long case": "case page, 2,000 communications",
        "log": "communications log, first page of 25",
        "entry": "one communication of 2,000",
    }
    for requests in kinds.values():
        for request in requests[:WARM_UP]:
            timed(client, Series("warm-up"), *request)
    queries = {kind: count_queries(client, *requests[0][:3]) for kind, requests in kinds.items()}

    print()
    print(f"Machine: {machine()}")
    print(f"People: {Case.objects.filter(agency=agency).count()}; rounds: {ROUNDS}")
    rounds: list[dict[str, Series]] = []
    for number in range(1, ROUNDS + 1):
        gc.collect()
        load = os.getloadavg()[0]
        found = {kind: Series(labels[kind]) for kind in kinds}
        # Interleaved, as a server sees them, so a busy moment on a shared
        # machine falls on every kind of request alike.
        for n in range(SAMPLES):
            for kind, requests in kinds.items():
                timed(client, found[kind], *requests[n % len(requests)])
        for kind in kinds:
            found[kind].queries = queries[kind]
        rounds.append(found)
        print()
        print(f"Round {number} (load average {load:.2f} at its start):")
        print("| request | samples | p50 ms | p95 ms | p50 CPU ms | queries |")
        print("|---|---|---|---|---|---|")
        for kind in kinds:
            print(row(found[kind]))
    export_once(user, long_case)
    if ROUNDS > 1:
        print()
        print("p95 across rounds (ms):")
        for kind in kinds:
            p95s = [percentile(r[kind].wall, 0.95) for r in rounds]
            print(
                f"  {labels[kind]}: min {min(p95s):.1f}, median {statistics.median(p95s):.1f}, "
                f"max {max(p95s):.1f}"
            )


if __name__ == "__main__":
    main()
