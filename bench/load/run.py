"""The load test's runner (`make load`, scripts/load): Haven served as `make
run` serves it, against the bench's database only, with Locust's fifty
staff (bench/load/locustfile.py) for a bounded time; then the figures.

    scripts/load [--users 50] [--spawn-rate 10] [--run-time 2m] [--postgres]

It refuses (exit 2) any database that is not the bench's: HAVEN_ENV other
than local, a DATABASE_URL or key of the caller's, the local install's
var/haven.sqlite3, a folder without a bench database, or a database holding
any agency the bench did not make. It serves gunicorn and one jobs worker
through scripts/serve on a free loopback port, samples each gunicorn
worker's memory while Locust runs, stops everything it started whatever
happens (an error, Ctrl+C, a signal), then prints requests per second, p50,
p95, p99, the errors (there must be none), the peak memory of each worker,
the 5xx and "database is locked" lines of the server's log, and the audit
chains checked by `manage.py verify_integrity`. Exit 0 only if all is clean.

With --postgres (or LOAD_DB=postgres) the same runs on a throwaway
PostgreSQL server (scripts/with-postgres) holding a bench data set built
there first by bench.dataset.build (HAVEN_BENCH_PEOPLE people).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parents[2]
BENCH_VAR = ROOT / "var" / "bench"
LOCAL_DATABASE = ROOT / "var" / "haven.sqlite3"
BENCH_AGENCY = "Bench Agency "
#: The throwaway servers of scripts/with-postgres live in such folders.
THROWAWAY_POSTGRES = "/tmp/haven-pg."  # noqa: S108 (a name to recognise, not a file to make)
#: The targets of issue 20, on two cores.
TARGET_RPS = 200
TARGET_P95_MS = 100
TARGET_RSS_MB = 200
#: Lines of the server's log that mean a failed request or a writer kept out.
SERVER_PROBLEMS = re.compile(
    r"Internal Server Error|database is locked|OperationalError|Traceback"
    r"|\[CRITICAL\]|WORKER TIMEOUT"
)


class Refused(Exception):
    """The load test will not run against this database."""


def bench_database(environ: dict[str, str], *, postgres: bool = False) -> tuple[Path, str | None]:
    """The bench's folder and, on PostgreSQL, its throwaway server's URL; or
    Refused, saying why. Reads nothing but the environment and paths."""
    haven_env = environ.get("HAVEN_ENV", "local")
    if haven_env != "local":
        raise Refused(
            f"HAVEN_ENV is {haven_env!r}: the load test serves the bench's local install only "
            "(unset HAVEN_ENV, or set it to local)."
        )
    for name in ("HAVEN_SECRET_KEY", "HAVEN_MASTER_KEY", "HAVEN_LEDGER_DIR"):
        for variable in (name, f"{name}_FILE"):
            if environ.get(variable):
                raise Refused(
                    f"{variable} is set: the load test uses the bench's own keys in its "
                    "folder, never another install's."
                )
    url = environ.get("DATABASE_URL", "") or environ.get("DATABASE_URL_FILE", "")
    if postgres:
        parts = urlsplit(url)
        host = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("host", "")
        kept = environ.get("HAVEN_PG_DIR", "")
        ours = host.startswith(THROWAWAY_POSTGRES) or (
            kept and Path(host).resolve() == Path(kept).resolve()
        )
        if not url.startswith("postgres") or not ours:
            raise Refused(
                "--postgres runs on the server of scripts/with-postgres only (a throwaway "
                "one, or HAVEN_PG_DIR's); DATABASE_URL points elsewhere "
                f"({parts.scheme or 'unset'})."
            )
        if not parts.path.lstrip("/").startswith("bench"):
            raise Refused(
                f"the database {parts.path.lstrip('/')!r} is not a bench database "
                "(its name must start with 'bench')."
            )
    elif url:
        raise Refused(
            "DATABASE_URL is set: the load test runs on the bench's SQLite database "
            "(var/bench) or, with --postgres, on a throwaway PostgreSQL server, never on "
            "another database."
        )
    folder = Path(environ.get("HAVEN_VAR_DIR") or BENCH_VAR).resolve()
    if postgres:
        return folder, url
    database = folder / "haven.sqlite3"
    if folder == LOCAL_DATABASE.parent.resolve() or database == LOCAL_DATABASE.resolve():
        raise Refused(
            f"{database} is the local install's database, not the bench's: "
            f"leave HAVEN_VAR_DIR unset (the bench's is {BENCH_VAR})."
        )
    if not database.is_file():
        raise Refused(f"No bench database at {database}: build it first (make bench).")
    return folder, None


def bench_agencies(database: Path) -> int:
    """How many bench agencies the SQLite database holds; Refused if it holds
    any other agency (then it is somebody's data, not the bench's)."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=20)
        ) as db:
            names = [row[0] for row in db.execute("SELECT name FROM core_agency")]
    except sqlite3.Error as error:
        raise Refused(f"{database} is not a Haven database ({error}).") from error
    return count_bench(names, str(database))


def count_bench(names: list[str], where: str) -> int:
    others = [n for n in names if not n.startswith(BENCH_AGENCY)]
    if others:
        raise Refused(
            f"{where} holds {len(others)} agencies the bench did not make: it is not "
            "the bench's database."
        )
    if not names:
        raise Refused(f"{where} holds no bench agency: build the data set first (make bench).")
    return len(names)


# --- Processes --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(folder: Path, database_url: str | None) -> dict[str, str]:
    """The caller's environment without any Haven or database setting, then
    the bench's: a local install in the bench's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DATABASE_"))}
    env.update(
        {
            "HAVEN_ENV": "local",
            "HAVEN_VAR_DIR": str(folder),
            "HAVEN_VENV_BIN": str(Path(sys.executable).parent),
            "PYTHONPATH": str(ROOT),
            # Each simulated person sends its own X-Forwarded-For, as nginx
            # would for people at their own machines (see the locustfile).
            "HAVEN_PROXY_COUNT": "1",
            # The simulated desk checks visitors in far faster than a person
            # does: the hourly limit would refuse it (the limit is counted at
            # every check-in all the same, so its cost is measured).
            "HAVEN_CHECKINS_PER_HOUR": "1000000",
        }
    )
    for name in ("HAVEN_WEB_WORKERS", "HAVEN_WEB_THREADS", "HAVEN_SQLITE_SYNCHRONOUS"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Stop(BaseException):
    """Ctrl+C or a signal: stop everything started, and exit."""


class Signals:
    """SIGINT, SIGTERM and SIGHUP raise Stop, except while a process is being
    started: then Stop waits until the process is on the list of those to
    stop, so that none escapes it."""

    def __init__(self) -> None:
        self.holding = False
        self.pending = 0

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.arrived)

    def arrived(self, signum: int, _frame: object) -> None:
        if self.holding:
            self.pending = signum
        else:
            raise Stop(signum)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
            if self.pending:
                raise Stop(self.pending)


SIGNALS = Signals()


@dataclass
class Started:
    """The processes this run started, each the leader of its own session."""

    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, args: list[str], **kwargs: object) -> subprocess.Popen:
        with SIGNALS.held():
            process = subprocess.Popen(args, start_new_session=True, **kwargs)  # type: ignore[call-overload]
            self.processes.append(process)
        return process

    def stop_all(self) -> None:
        """TERM to each session (scripts/serve stops gunicorn and the worker
        gracefully), then KILL whatever is left after 30 s."""
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in reversed(self.processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes:
            # The whole session: a grandchild that outlived its parent too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


def wait_until_up(url: str, serving: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if serving.poll() is not None:
            raise RuntimeError(f"the server stopped at start (exit {serving.returncode})")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer {url}/healthz within {seconds:.0f} s")


class Sampler(threading.Thread):
    """Every second: each server process's resident memory, its peak while
    the staff sign in (each password hash takes Argon2's 100 MB for a moment)
    and its peak after, and the CPU time the processes spent."""

    def __init__(self, serving: subprocess.Popen, signed_in: Path) -> None:
        super().__init__(daemon=True)
        self.serving = serving
        self.signed_in = signed_in
        self.first: dict[int, int] = {}  # pid -> RSS when first seen
        self.peak: dict[int, int] = {}  # pid -> peak RSS in bytes, while signing in
        self.peak_after: dict[int, int] = {}  # pid -> peak RSS after everyone signed in
        self.cpu: dict[int, float] = {}  # pid -> user+system seconds, last seen
        self.cpu_at_sign_in: float | None = None  # all of it, when everyone had signed in
        self.roles: dict[int, str] = {}
        self.halt = threading.Event()

    def processes(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.serving.pid).children(recursive=True)
        except psutil.Error:
            return []

    def sample(self) -> None:
        for process in self.processes():
            try:
                line = " ".join(process.cmdline())
                parent = process.parent()
                memory = process.memory_info().rss
                times = process.cpu_times()
            except psutil.Error:
                continue
            if "gunicorn" in line:
                is_master = parent is None or "gunicorn" not in " ".join(parent.cmdline())
                role = "gunicorn master" if is_master else "gunicorn worker"
            elif "jobs_worker" in line:
                role = "jobs worker"
            else:
                continue
            self.roles[process.pid] = role
            self.first.setdefault(process.pid, memory)
            peaks = self.peak_after if self.signed_in.exists() else self.peak
            peaks[process.pid] = max(peaks.get(process.pid, 0), memory)
            self.cpu[process.pid] = times.user + times.system

    def run(self) -> None:
        while not self.halt.wait(1.0):
            self.sample()
            if self.cpu_at_sign_in is None and self.signed_in.exists():
                self.cpu_at_sign_in = sum(self.cpu.values())


# --- The run -------------------------------------------------------------------


def prepare(env: dict[str, str], folder: Path) -> None:
    """What `make run` does before serving, on the bench's database."""
    for args in (["migrate", "--noinput", "-v0"], ["createcachetable", "-v0"]):
        done = manage(env, *args)
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-2000:]}")
    if not (folder / "static" / "staticfiles.json").is_file():
        done = manage(env, "collectstatic", "--noinput", "-v0")
        if done.returncode:
            raise RuntimeError(f"collectstatic failed:\n{done.stderr[-2000:]}")


def build_postgres_world(env: dict[str, str], people: int) -> None:
    code = f"import django; django.setup(); from bench.dataset import build; build({people})"
    print(f"Building the bench data set on PostgreSQL: {people:,} people…", flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "haven.settings"},
        check=False,
    )
    if done.returncode:
        raise RuntimeError("building the bench data set failed")
    print(f"  built in {time.monotonic() - started:.0f} s", flush=True)


def postgres_agencies(env: dict[str, str]) -> int:
    code = (
        "import django; django.setup(); from haven.core.models import Agency; "
        "print('\\n'.join(Agency.objects.values_list('name', flat=True)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "haven.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"reading the agencies failed:\n{done.stderr[-2000:]}")
    return count_bench([n for n in done.stdout.splitlines() if n], "The PostgreSQL database")


def seconds_of(duration: str) -> int:
    """Locust's --run-time: 90, 90s, 2m, 1h30m."""
    if duration.isdigit():
        return int(duration)
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    if not parts or not any(parts.groups()):
        raise argparse.ArgumentTypeError(f"not a duration: {duration!r} (e.g. 90s, 2m)")
    h, m, s = (int(g or 0) for g in parts.groups())
    return h * 3600 + m * 60 + s


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", "50")))
    parser.add_argument(
        "--spawn-rate", type=float, default=float(os.environ.get("LOAD_SPAWN_RATE", "10"))
    )
    parser.add_argument("--run-time", default=os.environ.get("LOAD_RUN_TIME", "2m"))
    parser.add_argument(
        "--think",
        default=os.environ.get("LOAD_THINK", "0.1,0.4"),
        help="seconds between one person's actions, min,max",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        default=os.environ.get("LOAD_DB", "") == "postgres",
        help="on a throwaway PostgreSQL server holding a bench data set",
    )
    parser.add_argument("--inside-postgres", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    seconds_of(options.run_time)
    if not 1 <= options.users <= 500:
        parser.error("--users: between 1 and 500")
    return options


def run(options: argparse.Namespace) -> int:
    postgres = options.inside_postgres
    folder, url = bench_database(dict(os.environ), postgres=postgres)
    scratch = Path(tempfile.mkdtemp(prefix="haven-load."))
    if postgres and not os.environ.get("HAVEN_PG_DIR"):
        folder = scratch / "var"  # the throwaway server's keys, removed with it
        folder.mkdir()
    elif postgres:
        # A kept cluster (HAVEN_PG_DIR): its data is sealed with the keys of
        # a kept folder, var/bench-postgres unless HAVEN_VAR_DIR says.
        folder = Path(os.environ.get("HAVEN_VAR_DIR") or BENCH_VAR.with_name("bench-postgres"))
        folder.mkdir(parents=True, exist_ok=True)
    env = server_environment(folder, url)
    started = Started()
    sampler: Sampler | None = None
    load_before = os.getloadavg()
    try:
        if postgres:
            prepare(env, folder)
            build_postgres_world(env, int(os.environ.get("HAVEN_BENCH_PEOPLE", "100000")))
            agencies = postgres_agencies(env)
        else:
            agencies = bench_agencies(folder / "haven.sqlite3")
            prepare(env, folder)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = scratch / "server.log"
        with log_path.open("wb") as log:
            serving = started.start(
                [str(ROOT / "scripts" / "serve"), f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(base, serving)
        summary, signed_in = scratch / "summary.json", scratch / "signed-in"
        sampler = Sampler(serving, signed_in)
        sampler.sample()
        sampler.start()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust = started.start(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(options.users),
                "--spawn-rate",
                str(options.spawn_rate),
                "--run-time",
                options.run_time,
                "--stop-timeout",
                "10",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_AGENCIES": str(agencies),
                "LOAD_THINK": options.think,
                "LOAD_SUMMARY": str(summary),
                "LOAD_SIGNED_IN": str(signed_in),
            },
            stdout=subprocess.DEVNULL,
            stderr=(scratch / "locust.log").open("wb"),
        )
        print(
            f"Haven at {base} ({gunicorn_of(env)}) on "
            f"{'PostgreSQL' if postgres else folder / 'haven.sqlite3'}, {agencies} bench "
            f"agencies; {options.users} staff for {options.run_time}…",
            flush=True,
        )
        bound = seconds_of(options.run_time) + 120
        try:
            locust.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"Locust ran past its bound of {bound} s") from None
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.halt.set()
        sampler.join()
        sampler.sample()
        load_after = os.getloadavg()
        started.stop_all()
        if not summary.is_file():
            tail = (scratch / "locust.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"Locust wrote no figures (exit {locust.returncode}):\n{tail}")
        figures = json.loads(summary.read_text())
        server_log = log_path.read_text(errors="replace")
        problems = [line for line in server_log.splitlines() if SERVER_PROBLEMS.search(line)]
        locust_cpu = sum(
            getattr(children_after, f) - getattr(children_before, f)
            for f in ("ru_utime", "ru_stime")
        )
        return report(
            figures,
            sampler=sampler,
            locust_cpu=locust_cpu,
            problems=problems,
            load=(load_before, load_after),
            env=env,
        )
    finally:
        SIGNALS.holding = True  # a second Ctrl+C does not cut the stopping short
        if sampler is not None:
            sampler.halt.set()
        started.stop_all()
        leftover = [p.pid for p in started.processes if p.poll() is None]
        if leftover:
            print(f"load: processes still running: {leftover}", file=sys.stderr)
        keep = os.environ.get("LOAD_KEEP_LOGS")
        if keep:
            print(f"load: logs kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def gunicorn_of(env: dict[str, str]) -> str:
    return (
        f"gunicorn {env.get('HAVEN_WEB_WORKERS', '2')} workers x "
        f"{env.get('HAVEN_WEB_THREADS', '4')} threads, and one jobs worker"
    )


def report(
    figures: dict[str, Any],
    *,
    sampler: Sampler,
    locust_cpu: float,
    problems: list[str],
    load: tuple[tuple[float, float, float], tuple[float, float, float]],
    env: dict[str, str],
) -> int:
    """Print the figures; 0 when no request failed, the server logged no
    failure and every audit chain verifies (the speed targets are reported,
    not enforced: on a shared machine they measure the neighbours too).
    The figures come before the chains are checked, which takes minutes at
    a million people."""
    work = figures["work"]
    mb = 1024 * 1024
    print()
    print("Kind of request (slowest p95 first)       requests  fail   p50   p95   p99 (ms)")
    for kind, f in sorted(figures["kinds"].items(), key=lambda kv: -kv[1]["p95"]):
        print(
            f"  {kind[:40]:<40} {f['requests']:>8} {f['failures']:>5} "
            f"{f['p50']:>5.0f} {f['p95']:>5.0f} {f['p99']:>5.0f}"
        )
    print()
    if not figures["everyone_signed_in"]:
        print("  (the run ended before every person had signed in: all figures together)")
    failures = (
        work["failures"]
        + sum(f["failures"] for f in figures["sign_in"].values())
        + sum(e["count"] for e in figures["errors"] if e["kind"] == "a person's own step")
    )
    print(
        f"After everyone signed in: {work['rps']:.1f} requests/s over {work['seconds']:.0f} s, "
        f"p50 {work['p50']:.0f} ms, p95 {work['p95']:.0f} ms, p99 {work['p99']:.0f} ms, "
        f"{work['requests']} requests; errors in all: {failures}"
    )
    for error in figures["errors"]:
        print(f"  ERROR {error['count']}x {error['kind']}: {error['error']}")
    if sampler.cpu_at_sign_in is not None and work["requests"]:
        spent = sum(sampler.cpu.values()) - sampler.cpu_at_sign_in
        print(f"  server CPU after sign-in: {1000 * spent / work['requests']:.1f} ms a request")
    print(f"  Locust's own CPU: {locust_cpu:.0f} s (on the same cores)")
    for pid in sorted(sampler.roles):
        print(
            f"  {sampler.roles[pid]} {pid}: RSS {sampler.first[pid] / mb:.0f} MB at start, "
            f"peak {sampler.peak.get(pid, 0) / mb:.0f} MB while signing in, "
            f"{sampler.peak_after.get(pid, 0) / mb:.0f} MB after"
        )
    print(f"  server log: {len(problems)} lines of 5xx, locked database or crash")
    for line in problems[:10]:
        print(f"    {line[:200]}")
    print(
        f"  {gunicorn_of(env)}; load average {load[0][0]:.2f} before, "
        f"{load[1][0]:.2f} after, on {os.cpu_count()} cores"
    )
    print("  checking the audit chains (manage.py verify_integrity)…", flush=True)
    integrity = manage(env, "verify_integrity")
    verified = integrity.returncode == 0
    print(f"  audit chains: {(integrity.stdout or integrity.stderr).strip()[-400:]}")
    workers = [p for p, role in sampler.roles.items() if role == "gunicorn worker"]
    steady = max((sampler.peak_after.get(p, 0) for p in workers), default=0) / mb
    met = work["rps"] >= TARGET_RPS and work["p95"] <= TARGET_P95_MS and steady <= TARGET_RSS_MB
    print(
        f"  target ({TARGET_RPS} requests/s or more at p95 {TARGET_P95_MS} ms or less, "
        f"{TARGET_RSS_MB} MB a worker or less after sign-in): {'met' if met else 'NOT met'}"
    )
    clean = failures == 0 and not figures["errors"] and not problems and verified
    print("load: clean" if clean else "load: FAILED (errors, server problems or audit chains)")
    return 0 if clean else 1


def inside_postgres(argv: list[str]) -> int:
    """Run this again under scripts/with-postgres, in a session of its own: a
    Ctrl+C or a signal here is passed on as one SIGINT, so the inner run
    stops its processes and with-postgres removes its server."""
    args = [str(ROOT / "scripts" / "with-postgres"), sys.executable, "-m", "bench.load.run"]
    rest = [a for a in argv if a != "--postgres"]
    env = {**os.environ, "LOAD_DB": "", "PYTHONPATH": str(ROOT)}
    env.setdefault("HAVEN_PG_DB", "bench")  # bench.guard: a bench database's name
    inner = subprocess.Popen(
        [*args, *rest, "--inside-postgres"], cwd=ROOT, env=env, start_new_session=True
    )

    def forward(_signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(inner.pid, signal.SIGINT)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    return inner.wait()


def main(argv: list[str] | None = None) -> int:
    options = arguments(sys.argv[1:] if argv is None else argv)
    if options.postgres and not options.inside_postgres:
        # The whole run again, inside a throwaway server that goes with it.
        for variable in ("DATABASE_URL", "DATABASE_URL_FILE"):
            if os.environ.get(variable):
                print(f"load: {variable} is set; --postgres makes its own server.", file=sys.stderr)
                return 2
        return inside_postgres(sys.argv[1:] if argv is None else argv)

    SIGNALS.install()
    try:
        return run(options)
    except Refused as refusal:
        print(f"load: refused: {refusal}", file=sys.stderr)
        return 2
    except (Stop, KeyboardInterrupt):
        print("load: stopped; every process it started is stopped.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"load: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
