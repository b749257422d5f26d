"""The load test (`make load`): the forms it posts are the pages' own, its
authenticator codes are the ones allauth accepts, it refuses any database
that is not the bench's, and a short run on a small bench world ends clean
with no process left behind, also when stopped by Ctrl+C."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from bench.load import run
from bench.load.forms import form_of, forms_of
from bench.load.totp import totp_code
from bench.world import PASSWORD, totp_secret, username
from haven.accounts.models import Role
from haven.communications.models import Communication
from tests.factories import make_staff, record_intake
from tests.installs import install_copy, manage

ROOT = Path(__file__).resolve().parents[2]

PAGE = """
<form method="post" action="/things/" enctype="multipart/form-data">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input name="title" value="A &amp; B">
  <input type="checkbox" name="box" value="1" checked>
  <input type="checkbox" name="box" value="2">
  <input type="radio" name="pick" value="a"><input type="radio" name="pick" value="b" checked>
  <input name="off" value="x" disabled>
  <select name="one"><option value="first">First</option><option>Second</option></select>
  <select name="many" multiple><option value="m1" selected>1</option>
    <option value="m2" selected>2</option><option value="m3">3</option></select>
  <textarea name="notes">
Line one</textarea>
  <input type="file" name="upload">
  <button type="submit" name="go" value="yes">Go</button>
</form>
<form method="get" action="?page=2"><input name="q"></form>
"""


def test_a_form_is_read_as_a_browser_would_post_it():
    form, search = forms_of(PAGE, "/start/")
    assert form.action == "/things/"
    assert form.multipart
    assert form.fields == [
        ("csrfmiddlewaretoken", "tok"),
        ("title", "A & B"),
        ("box", "1"),
        ("pick", "b"),
        ("one", "first"),  # a select with nothing selected posts its first option
        ("many", "m1"),
        ("many", "m2"),
        ("notes", "Line one"),  # the newline after <textarea> is not part of the value
    ]
    assert form.choices["box"] == ["1", "2"]
    assert form.choices["one"] == ["first", "Second"]
    assert form.files == ["upload"]
    assert form.buttons == [("go", "yes")]
    assert form.data(title="Typed", many=["m3"])[-2:] == [("title", "Typed"), ("many", "m3")]
    assert search.method == "get"
    assert search.action == "/start/?page=2"
    with pytest.raises(LookupError):
        form_of(PAGE, "/start/", "/elsewhere/")


@pytest.mark.django_db
def test_the_communication_form_read_from_its_page_records_a_communication(client, agency, team):
    """The form a simulated advocate posts is the page's own, whole: posted
    as multipart with only the summary typed, the entry is recorded."""
    advocate = make_staff(agency=agency, role=Role.ADVOCATE, team=team)
    case = record_intake(actor=advocate, team=team, legal_name="Guadalupe Ramírez Soto")
    client.force_login(advocate)
    path = reverse("communications:entry_new", args=[case.pk])
    page = client.get(path)
    assert page.status_code == 200
    body, content_type = form_of(page.content.decode(), path).body(summary="Check-in call")
    assert content_type.startswith("multipart/form-data; boundary=")

    answer = client.post(path, data=body, content_type=content_type)

    assert answer.status_code == 303, answer.content.decode()[:2000]
    entry = Communication.objects.get(case=case)
    assert answer["Location"] == reverse("communications:entry", args=[case.pk, entry.pk])


def test_the_authenticator_code_is_the_one_allauth_checks():
    secret = totp_secret(username(3, "advocate", 7))
    for at in (0, 1_700_000_000, time.time()):
        assert totp_code(secret, at) == format_hotp_value(hotp_value(secret, int(at) // 30))


# --- Refusals -----------------------------------------------------------------


def bench_folder(tmp_path: Path, *agencies: str) -> Path:
    """A folder whose haven.sqlite3 holds only an agency table."""
    folder = tmp_path / "bench"
    folder.mkdir()
    with sqlite3.connect(folder / "haven.sqlite3") as db:
        db.execute("CREATE TABLE core_agency (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO core_agency (name) VALUES (?)", [(a,) for a in agencies])
    return folder


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"HAVEN_ENV": "production"}, "HAVEN_ENV is 'production'"),
        ({"HAVEN_ENV": "test"}, "HAVEN_ENV is 'test'"),
        ({"DATABASE_URL": "postgres://haven@db/haven"}, "DATABASE_URL is set"),
        ({"DATABASE_URL_FILE": "/etc/haven/database-url"}, "DATABASE_URL is set"),
        ({"HAVEN_MASTER_KEY_FILE": "/etc/haven/master_key"}, "HAVEN_MASTER_KEY_FILE is set"),
        ({"HAVEN_VAR_DIR": str(ROOT / "var")}, "the local install's database"),
    ],
)
def test_it_refuses_any_other_setting_or_database(tmp_path, environ, says):
    with pytest.raises(run.Refused, match=says):
        run.bench_database({"HAVEN_VAR_DIR": str(bench_folder(tmp_path, "B")), **environ})


def test_it_refuses_a_folder_without_a_bench_database(tmp_path):
    with pytest.raises(run.Refused, match="No bench database"):
        run.bench_database({"HAVEN_VAR_DIR": str(tmp_path)})


def test_it_refuses_a_database_holding_an_agency_the_bench_did_not_make(tmp_path):
    folder = bench_folder(tmp_path, "Bench Agency 000", "Riverside Shelter")
    assert run.bench_database({"HAVEN_VAR_DIR": str(folder)})[0] == folder.resolve()
    with pytest.raises(run.Refused, match="1 agencies the bench did not make"):
        run.bench_agencies(folder / "haven.sqlite3")


def test_it_counts_the_bench_agencies(tmp_path):
    folder = bench_folder(tmp_path, "Bench Agency 000", "Bench Agency 001")
    assert run.bench_agencies(folder / "haven.sqlite3") == 2


def test_postgres_is_only_a_bench_database_of_with_postgres(tmp_path):
    with pytest.raises(run.Refused, match="server of scripts/with-postgres only"):
        run.bench_database({"DATABASE_URL": "postgres://haven@/bench?host=/run/pg"}, postgres=True)
    with pytest.raises(run.Refused, match="'haven' is not a bench database"):
        run.bench_database(
            {"DATABASE_URL": "postgres://haven@/haven?host=/tmp/haven-pg.abc123"}, postgres=True
        )
    url = "postgres://haven@/bench?host=/tmp/haven-pg.abc123"
    assert run.bench_database({"DATABASE_URL": url}, postgres=True)[1] == url
    kept = f"postgres://haven@/bench?host={tmp_path}"
    environ = {"DATABASE_URL": kept, "HAVEN_PG_DIR": str(tmp_path)}
    assert run.bench_database(environ, postgres=True)[1] == kept


def test_the_script_exits_2_and_starts_nothing_on_a_production_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DATABASE_"))}
    answer = subprocess.run(
        [str(ROOT / "scripts" / "load"), "--run-time", "5s"],
        env={**env, "HAVEN_ENV": "production", "HAVEN_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answer.returncode == 2
    assert "refused: HAVEN_ENV is 'production'" in answer.stderr


# --- A short run ------------------------------------------------------------------

WORLD = f"""
import django
django.setup()
from allauth.mfa.totp.internal.auth import TOTP
from bench import world
from haven.accounts.models import Membership, Role, User
from haven.core.models import Agency, Team
from haven.people.details import PersonDetails
from haven.people.services import intake_record

agency = Agency.objects.create(name=world.agency_name(0))
teams = [Team.objects.create(agency=agency, name=f"Team {{t:02d}}") for t in range(world.TEAMS)]
staff = {{}}
for role, count in world.STAFF.items():
    for n in range(count):
        name = world.username(0, role, n)
        user = User.objects.create_user(username=name, password={PASSWORD!r}, agency=agency)
        team = teams[n % world.TEAMS] if role in ("advocate", "supervisor", "shelter") else None
        Membership.objects.create(user=user, role=role, team=team)
        TOTP.activate(user, world.totp_secret(name))
        staff.setdefault(role, user)
Membership.objects.create(user=staff["advocate"], role=Role.INTAKE)
team = teams[0]
for n, name in enumerate(["Guadalupe Ramírez Soto", "Olena Kovalenko", "Mai Nguyen"]):
    intake_record(
        actor=staff["advocate"], team=team, danger="no",
        details=PersonDetails(legal_name=name, phone=f"608-555-01{{n:02d}}"),
    )
"""


@pytest.fixture
def small_world(tmp_path, migrated_install) -> Path:
    """A bench world of one agency, its staff as bench/world.py names them,
    and three people in the first team, in its own folder."""
    folder = tmp_path / "bench"
    env = install_copy(migrated_install, folder)
    done = subprocess.run(
        [sys.executable, "-c", WORLD],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "haven.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    manage("collectstatic", "--noinput", "-v0", env=env)
    return folder


def load_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DATABASE_"))}
    return {**env, "HAVEN_VAR_DIR": str(folder), "HAVEN_SQLITE_SYNCHRONOUS": "NORMAL"}


def left_running(folder: Path) -> list[int]:
    """Processes serving ``folder`` still alive (read from their environment)."""
    alive = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("HAVEN_VAR_DIR") == str(folder):
                alive.append(process.pid)
        except psutil.Error:
            continue
    return alive


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite run")
def test_a_short_run_is_clean_and_leaves_nothing_running(small_world):
    answer = subprocess.run(
        [
            str(ROOT / "scripts" / "load"),
            *("--users", "4", "--spawn-rate", "4", "--run-time", "25s", "--think", "0.5,1"),
        ],
        cwd=ROOT,
        env=load_env(small_world),
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    out = answer.stdout
    assert answer.returncode == 0, out[-4000:] + answer.stderr[-3000:]
    assert "load: clean" in out
    assert "errors in all: 0" in out
    assert "server log: 0 lines" in out
    assert "audit chains: OK" in out
    for kind in ("POST sign-in: code", "GET case page", "POST search", "POST visitor check-in"):
        assert kind in out, out
    assert left_running(small_world) == []


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite run")
def test_ctrl_c_stops_every_process_it_started(small_world):
    load = subprocess.Popen(
        [str(ROOT / "scripts" / "load"), "--users", "2", "--run-time", "5m"],
        cwd=ROOT,
        env=load_env(small_world),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert load.stdout is not None
        line = load.stdout.readline()  # printed once the server answers
        assert line.startswith("Haven at"), line + load.stderr.read()[-2000:] if load.stderr else ""
        assert left_running(small_world), "the server should be running"
        load.send_signal(signal.SIGINT)
        assert load.wait(timeout=90) == 130
    finally:
        if load.poll() is None:
            load.kill()
    assert left_running(small_world) == []
