"""Benchmark: the server time of every page and every API operation.

Not a test: it measures. ``make bench`` builds the bench data set
(bench.dataset) then runs this; ``make bench-quick`` does both at 10,000
people. HAVEN_BENCH_SAMPLES sets the requests of each route per round
(default 100), HAVEN_BENCH_ROUNDS the rounds (default 3), HAVEN_BENCH_ONLY a
comma-separated list of substrings of the routes to time (all by default).

Every route of bench.routes is requested through Django's whole middleware
stack in-process, signed in as the role it names, so the figures are server
time without the network. Each route is warmed up first and its queries
counted on a later request; then the rounds, each route in turn within a
round (interleaved, so a busy moment of the shared machine falls on every
route alike), each round's load average printed at its start. After each
request the bench does what Django's handler does when a response ends
(close_old_connections). An answer that is not the status and the marker
its route expects stops the run: a page that quietly answers a 404 or an
empty list is never timed as if it worked.

The floor, measured in the same run: an empty view behind the same
middleware stack, signed in (bench.floor_urls), and a bare read and
decrypt of the case's person: one SQL read of the person's row and its data
key by primary key on the raw connection, the data key unwrapped, the name
opened. Each route's p95 is given as a multiple of the two together.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import Series, machine, percentile

os.environ.setdefault("HAVEN_ENV", "local")
os.environ.setdefault(
    "HAVEN_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench")
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_LOG_LEVEL", "WARNING")
# Each round checks hundreds of visitors in as one desk user: the hourly
# limit would refuse them (it is counted at every check-in all the same).
os.environ.setdefault("HAVEN_CHECKINS_PER_HOUR", "1000000")

import django

django.setup()

from django.db import close_old_connections, connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.routes import ROUTES, Route, WrongAnswer, check, send, stale, unlisted  # noqa: E402
from bench.targets import Targets, prepare  # noqa: E402
from bench.world import World, totp_secret  # noqa: E402

SAMPLES = int(os.environ.get("HAVEN_BENCH_SAMPLES", "100"))
ROUNDS = int(os.environ.get("HAVEN_BENCH_ROUNDS", "3"))
ONLY = [part for part in os.environ.get("HAVEN_BENCH_ONLY", "").split(",") if part]
WARM_UP = 3  # requests of each route before counting and timing


def signed_in(targets: Targets) -> dict[str, Client]:
    """A client for each role, signed in, its second factor enrolled (the
    bench's derived secret), as a staff member is after signing in."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    clients = {}
    for role in sorted({route.role for route in ROUTES}):
        user = targets.user(role)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, totp_secret(user.username))
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients


def request(client: Client, route: Route, targets: Targets) -> HttpResponse:
    """One request as a server would serve it, checked."""
    response = send(client, route, targets)
    # What Django's handler does when a response is finished and the test
    # client skips: a connection older than CONN_MAX_AGE is closed here.
    close_old_connections()
    check(route, targets, response)
    return response


def query_count(client: Client, route: Route, targets: Targets) -> int:
    """The queries of one request, after the route was warmed up (caches filled)."""
    request(client, route, targets)
    with CaptureQueriesContext(connection) as captured:
        send(client, route, targets)
    close_old_connections()
    return len(captured)


def timed(series: Series, action: Any) -> None:
    began, cpu = time.perf_counter(), time.process_time()
    action()
    series.wall.append((time.perf_counter() - began) * 1000)
    series.cpu.append((time.process_time() - cpu) * 1000)


def bare_read(targets: Targets) -> Any:
    """The floor of reading a record: one SQL read of the person and their
    data key by primary key on the raw connection, the key unwrapped with
    the agency's (already opened) key, the name opened."""
    from haven.core import crypto, keys
    from haven.people.models import Case, Person

    person = Case.objects.values_list("person_id", flat=True).get(pk=targets.case)
    # The table's name comes from the model, the id is a parameter.
    sql = (
        "SELECT p.legal_name, p.data_key_id, k.wrapped, k.agency_id, k.agency_key_version "  # noqa: S608
        f"FROM {Person._meta.db_table} p JOIN core_datakey k ON k.id = p.data_key_id "
        "WHERE p.id = %s"
    )
    param = person if connection.vendor == "postgresql" else str(person).replace("-", "")
    placeholder = "?" if connection.vendor == "sqlite" else "%s"
    agency_id = Case.objects.values_list("agency_id", flat=True).get(pk=targets.case)
    secrets = keys.agency_secrets(agency_id)

    def read() -> str:
        # The raw DB-API connection (Django's is opened again once closed).
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        cursor.execute(sql.replace("%s", placeholder), (param,))
        sealed, key, wrapped, agency, version = cursor.fetchone()
        cursor.close()
        key_id = uuid.UUID(str(key))
        data_key = crypto.unseal(
            secrets.wrapping_key, bytes(wrapped), aad=keys._data_aad(key_id, agency, version)
        )
        aad = keys.field_aad(Person._meta.db_table, "legal_name", person, key_id)
        return crypto.unseal(data_key, bytes(sealed), aad=aad).decode()

    if not read():
        raise SystemExit("the bare read opened no name")
    return read


def world_of_the_bench() -> World:
    """The bench data set, built or reused by bench.dataset, or with
    HAVEN_BENCH_SMALL=1 a small world made through the services (for trying
    the bench on a few hundred people)."""
    if os.environ.get("HAVEN_BENCH_SMALL"):
        from django.core.management import call_command

        from bench.world import agency_name
        from haven.core.models import Agency

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        if not Agency.objects.filter(name=agency_name(0)).exists():
            from tests.perf.world import small_world

            small_world(people=int(os.environ.get("HAVEN_BENCH_PEOPLE", "200")))
        return _small_world_found()
    from bench import dataset

    people = int(os.environ.get("HAVEN_BENCH_PEOPLE", "100000"))
    print(f"Building or reusing the bench data set of {people} people…", flush=True)
    began = time.perf_counter()
    world = dataset.build(people)
    print(f"Data set ready in {time.perf_counter() - began:.0f} s", flush=True)
    return world


def _small_world_found() -> World:
    from django.db.models import Count

    from bench.world import STAFF, AgencyWorld, agency_name, username
    from haven.accounts.models import User
    from haven.communications.models import Communication
    from haven.core.models import Agency, Team

    agency = Agency.objects.get(name=agency_name(0))
    staff = {
        role: [User.objects.get(username=username(0, role, n)).pk for n in range(count)]
        for role, count in STAFF.items()
    }
    longest = (
        Communication.objects.filter(case__agency=agency)
        .values("case_id")
        .annotate(entries=Count("pk"))
        .order_by("-entries")
        .values_list("case_id", flat=True)
        .first()
    )
    return World(
        agencies=[
            AgencyWorld(
                number=0,
                agency_id=agency.pk,
                team_ids=list(
                    Team.objects.filter(agency=agency).order_by("name").values_list("pk", flat=True)
                ),
                staff=staff,
            )
        ],
        advocate_id=staff["advocate"][0],
        long_case_id=longest,
    )


def main() -> None:
    from bench.guard import refuse_unless_bench

    refuse_unless_bench()
    missing, gone = unlisted(), stale()
    if missing or gone:
        for key in missing:
            print(f"Not in bench/routes.py, neither timed nor excluded: {key}", file=sys.stderr)
        for key in gone:
            print(f"In bench/routes.py but no longer a route: {key}", file=sys.stderr)
        raise SystemExit(1)
    world = world_of_the_bench()
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", verbosity=0, interactive=False)
    targets = prepare(world)
    routes = [r for r in ROUTES if not ONLY or any(part in r.title for part in ONLY)]
    with override_settings(ROOT_URLCONF="bench.floor_urls"):
        run(targets, routes)


def run(targets: Targets, routes: list[Route]) -> None:
    clients = signed_in(targets)
    empty = Client()
    empty.force_login(targets.user("advocate"))
    read = bare_read(targets)

    def empty_view() -> None:
        response = empty.get("/bench-empty/")
        close_old_connections()
        if response.status_code != 200:
            raise SystemExit(f"the empty view answered {response.status_code}")

    print(f"Machine: {machine()}")
    print(f"Routes: {len(routes)}; samples: {SAMPLES} a round; rounds: {ROUNDS}", flush=True)
    queries: dict[str, int] = {}
    wrong = []
    for route in routes:
        try:
            for _ in range(WARM_UP):
                request(clients[route.role], route, targets)
            queries[route.title] = query_count(clients[route.role], route, targets)
        except WrongAnswer as error:
            wrong.append(str(error))
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        raise SystemExit(1)
    for _ in range(WARM_UP * 10):
        empty_view()
        read()
    rounds: list[dict[str, Series]] = []
    floors: list[tuple[float, float]] = []
    for number in range(1, ROUNDS + 1):
        gc.collect()
        load = os.getloadavg()[0]
        found = {route.title: Series(route.title) for route in routes}
        empty_series, read_series = Series("empty view"), Series("bare read and decrypt")
        for _ in range(SAMPLES):
            timed(empty_series, empty_view)
            timed(read_series, read)
            for route in routes:
                client = clients[route.role]
                timed(
                    found[route.title],
                    lambda client=client, route=route: request(client, route, targets),
                )
        floor = (percentile(empty_series.wall, 0.5), percentile(read_series.wall, 0.5))
        floors.append(floor)
        rounds.append(found)
        print()
        print(f"Round {number} (load average {load:.2f} at its start):")
        print(
            f"Floor: empty view p50 {floor[0]:.2f} ms "
            f"(CPU {percentile(empty_series.cpu, 0.5):.2f}), "
            f"bare read and decrypt p50 {floor[1]:.3f} ms; together {sum(floor):.2f} ms"
        )
        print("| route | p50 ms | p95 ms | queries | p50 CPU ms | p95 / floor |")
        print("|---|---|---|---|---|---|")
        for route in routes:
            series = found[route.title]
            p95 = percentile(series.wall, 0.95)
            print(
                f"| {route.title} | {percentile(series.wall, 0.5):.1f} | {p95:.1f} "
                f"| {queries[route.title]} | {percentile(series.cpu, 0.5):.1f} "
                f"| {p95 / sum(floor):.0f}x |",
                flush=True,
            )
    summary(routes, rounds, floors, queries)


def summary(
    routes: list[Route],
    rounds: list[dict[str, Series]],
    floors: list[tuple[float, float]],
    queries: dict[str, int],
) -> None:
    floor = statistics.median(sum(f) for f in floors)
    print()
    print(
        f"Across {len(rounds)} rounds: the median of each round's figures (for docs/benchmarks.md)"
    )
    print()
    print(f"Machine: {machine()}")
    print(
        f"Floor: empty view {statistics.median(f[0] for f in floors):.2f} ms + bare read and "
        f"decrypt {statistics.median(f[1] for f in floors):.3f} ms = {floor:.2f} ms"
    )
    print()
    print("| route | p50 ms | p95 ms | queries | p50 CPU ms | p95 / floor |")
    print("|---|---|---|---|---|---|")
    ranked = []
    for route in routes:
        p50 = statistics.median(percentile(r[route.title].wall, 0.5) for r in rounds)
        p95 = statistics.median(percentile(r[route.title].wall, 0.95) for r in rounds)
        cpu = statistics.median(percentile(r[route.title].cpu, 0.5) for r in rounds)
        ranked.append((p95, route.title))
        print(
            f"| {route.title} | {p50:.1f} | {p95:.1f} | {queries[route.title]} | {cpu:.1f} "
            f"| {p95 / floor:.0f}x |"
        )
    print()
    print("Slowest by p95:")
    for p95, title in sorted(ranked, reverse=True)[:10]:
        print(f"  {p95:7.1f} ms  {title} ({queries[title]} queries)")


if __name__ == "__main__":
    main()
