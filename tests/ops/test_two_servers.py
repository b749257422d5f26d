"""Two Haven web servers against one PostgreSQL database work as one installation.

Two gunicorn processes (each with its own worker processes) serve the test
database on two loopback ports, as two machines behind a load balancer would,
and one job worker (``manage.py jobs_worker``) runs beside them.
Staff are driven over real HTTP with cookie jars, signing in through the real
password and second-factor pages. What one server does, the other sees at
once: a session, a lockdown, a visitor alert, a job's result; and audit
events written through both at the same time leave every chain verifying.

PostgreSQL only: SQLite is the one-machine install. Run with
``HAVEN_ENV=test scripts/with-postgres .venv/bin/pytest tests/ops``.
"""

from __future__ import annotations

import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from haven.accounts.models import Role
from haven.audit.models import AuditEvent
from haven.jobs.models import FINISHED, Job, State
from haven.safety import services as safety
from haven.safety.models import Lockdown, VisitorAlert
from tests.factories import TEST_PASSWORD, make_staff, record_intake
from tests.safety.conftest import designate, second_factor

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="two servers share one PostgreSQL database (run under scripts/with-postgres)",
    ),
]
TOTP_PERIOD = 30
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env(var_dir: Path) -> dict[str, str]:
    """The test database and the test run's own keys, jobs off the request."""
    # The suite's DATABASE_URL, naming the test database pytest made from it.
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DATABASE_"))}
    return {
        **keep,
        "HAVEN_ENV": "test",
        "HAVEN_VAR_DIR": str(var_dir),
        "DATABASE_URL": urlunsplit(url),
        "HAVEN_SECRET_KEY": settings.SECRET_KEY,
        "HAVEN_MASTER_KEY": settings.HAVEN_MASTER_KEY,
        # One installation, one destruction ledger, whichever process destroys.
        "HAVEN_LEDGER_DIR": str(settings.HAVEN_LEDGER_DIR),
        "HAVEN_JOBS_INLINE": "false",
        "HAVEN_LOG_LEVEL": "WARNING",
    }


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # gunicorn's quick stop
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@dataclass
class Installation:
    a: str
    b: str


@pytest.fixture(scope="module")
def servers(
    django_db_setup: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Installation]:
    """Servers A and B and one job worker, stopped whatever happens."""
    folder = tmp_path_factory.mktemp("two-servers")
    env = _server_env(folder)
    processes: list[subprocess.Popen] = []
    log = (folder / "servers.log").open("wb")
    try:
        urls = []
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "gunicorn"),
                        "--config",
                        "deploy/gunicorn.conf.py",
                        "--workers",
                        "2",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "haven.wsgi",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "jobs_worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        deadline = time.monotonic() + 90
        for url in urls:
            while True:
                assert all(p.poll() is None for p in processes), (
                    "a server ended at start: " + (folder / "servers.log").read_text()[-2000:]
                )
                try:
                    if requests.get(f"{url}/accounts/login/", timeout=30).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, f"{url} never answered"
                time.sleep(0.2)
        yield Installation(a=urls[0], b=urls[1])
    finally:
        for process in processes:
            _stop(process)
        log.close()


@pytest.fixture(autouse=True)
def _shipped_reference_data(transactional_db: None) -> None:
    """The counties and need categories a data migration ships: the
    transactional tests here flush every table after each test."""
    migration = importlib.import_module("haven.protocol.migrations.0002_shipped_data")
    migration.load(apps, None)


# --- Staff at a browser, over HTTP -----------------------------------------------


def _away_from_step_edge() -> None:
    into = time.time() % TOTP_PERIOD
    if into > TOTP_PERIOD - 3:
        time.sleep(TOTP_PERIOD - into + 0.1)


class Browser:
    """One person's cookie jar; it may ask either server (cookies ignore ports)."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=60)

    def post(self, url: str, data: dict[str, str], form_at: str | None = None) -> requests.Response:
        """Post ``data`` with the CSRF token of the form page ``form_at`` (or ``url``)."""
        page = self.get(form_at or url)
        assert page.status_code == 200, (url, page.status_code)
        found = CSRF_FIELD.search(page.text)
        assert found, f"no form on {url}"
        return self.session.post(
            url,
            data={"csrfmiddlewaretoken": found.group(1), **data},
            allow_redirects=False,
            timeout=60,
        )

    def sign_in(self, server: str, user) -> None:
        """Password, then the authenticator code, through ``server``'s pages.
        The TOTP step spent is noted so that ``second_factor`` skips it."""
        used: set[int] = user.__dict__.setdefault("_totp_steps_used", set())
        _away_from_step_edge()
        step = int(time.time()) // TOTP_PERIOD
        used.add(step)
        login = self.post(
            f"{server}/accounts/login/", {"login": user.username, "password": TEST_PASSWORD}
        )
        assert login.status_code == 302, login.text[:500]
        assert login.headers["Location"] == "/accounts/2fa/authenticate/"
        code = format_hotp_value(hotp_value(user.totp_secret, step))
        done = self.post(f"{server}/accounts/2fa/authenticate/", {"code": code})
        assert done.status_code == 302, done.text[:500]
        assert done.headers["Location"] == "/", done.headers["Location"]

    def signed_in_at(self, server: str) -> bool:
        """The dashboard answers (a signed-out visitor is sent to sign in)."""
        response = self.get(f"{server}/")
        assert response.status_code in {200, 302}, response.status_code
        return response.status_code == 200


@pytest.fixture
def staff(agency, team):
    return {
        "supervisor": make_staff(agency=agency, role=Role.SUPERVISOR, team=team, username="s-1"),
        "advocate": make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="a-1"),
        "intake": make_staff(agency=agency, role=Role.INTAKE, username="i-1"),
        "admin": make_staff(agency=agency, role=Role.ADMIN, username="ad-1"),
    }


# --- The tests --------------------------------------------------------------------


def test_a_session_begun_on_one_server_is_the_same_session_on_the_other(servers, staff):
    browser = Browser()
    assert not browser.signed_in_at(servers.b)
    browser.sign_in(servers.a, staff["advocate"])

    assert browser.signed_in_at(servers.b)
    assert browser.signed_in_at(servers.a)

    # Signing out through B ends the session A knows too.
    out = browser.post(f"{servers.b}/accounts/logout/", {}, form_at=f"{servers.b}/")
    assert out.status_code == 302
    assert not browser.signed_in_at(servers.a)
    assert not browser.signed_in_at(servers.b)


def test_a_lockdown_started_on_one_server_signs_staff_out_on_the_other(servers, staff):
    admin, advocate = staff["admin"], staff["advocate"]
    designate(admin, lockdown=(admin,))
    at_desk = Browser()
    at_desk.sign_in(servers.b, advocate)
    locking = Browser()
    locking.sign_in(servers.a, admin)

    started = locking.post(
        f"{servers.a}/safety/lockdown/",
        {
            "action": "start",
            "reason": "Synthetic drill: a threat against the north office",
            "duration": "1",
            "second_factor": second_factor(admin),
        },
    )
    assert started.status_code in {302, 303}, started.text[:1000]
    assert Lockdown.objects.filter(agency=admin.agency).count() == 1

    # B signed the advocate out, and will not sign them in again...
    assert not at_desk.signed_in_at(servers.b)
    assert not at_desk.signed_in_at(servers.a)
    again = Browser()
    refused = again.post(
        f"{servers.b}/accounts/login/", {"login": advocate.username, "password": TEST_PASSWORD}
    )
    assert refused.status_code != 302
    assert not again.signed_in_at(servers.b)
    # ...while the administrator who started it goes on, through either server.
    assert locking.signed_in_at(servers.b)
    assert locking.signed_in_at(servers.a)


def test_a_visitor_alert_raised_on_one_server_appears_on_the_other(servers, staff):
    supervisor, intake = staff["supervisor"], staff["intake"]
    safety.concern_save(actor=supervisor, values=safety.ConcernValues(name="Viktor Petrenko Lang"))
    watching = Browser()
    watching.sign_in(servers.b, supervisor)
    quiet = watching.get(f"{servers.b}/safety/alerts/live/?shown=-1")
    assert quiet.status_code == 200
    assert "alert-banner" not in quiet.text

    desk = Browser()
    desk.sign_in(servers.a, intake)
    checked_in = desk.post(f"{servers.a}/safety/visitors/", {"name_given": "Viktor Petrenko Lang"})
    assert checked_in.status_code in {302, 303}, checked_in.text[:1000]
    assert VisitorAlert.objects.filter(agency=supervisor.agency).count() == 1

    banner = watching.get(f"{servers.b}/safety/alerts/live/?shown=0")
    assert banner.status_code == 200
    assert "alert-banner" in banner.text
    assert "Viktor" not in banner.text  # the banner names nobody
    listed = watching.get(f"{servers.b}/safety/alerts/")
    assert listed.status_code == 200


def test_audit_chains_verify_after_writes_through_both_servers_at_once(servers, staff, team):
    supervisor, intake, advocate = staff["supervisor"], staff["intake"], staff["advocate"]
    case = record_intake(
        actor=intake, team=team, advocate=advocate, legal_name="Guadalupe Ramírez Soto"
    )
    readers = []
    for user, server in ((supervisor, servers.a), (advocate, servers.b)):
        browser = Browser()
        browser.sign_in(server, user)
        readers.append(browser)
    desk = Browser()
    desk.sign_in(servers.a, intake)
    before = AuditEvent.objects.count()

    def work(n: int) -> bool:
        server = servers.a if n % 2 else servers.b
        if n % 3 == 0:
            response = desk.post(f"{server}/safety/visitors/", {"name_given": f"Visitor {n}"})
            return response.status_code == 303
        reader = readers[n % 2]
        return reader.get(f"{server}/cases/{case.pk}/").status_code == 200

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(work, range(48)))

    assert all(answers), answers
    # Every answered request wrote its events: each case view at least one,
    # each check-in at least one.
    assert AuditEvent.objects.count() >= before + 48
    call_command("verify_integrity")


def test_a_report_started_on_one_server_is_run_and_shown_on_the_other(servers, staff, team):
    """Started through A, run by the job worker (web servers only queue
    jobs), its sealed result opened through B."""
    supervisor = staff["supervisor"]
    record_intake(actor=staff["intake"], team=team, legal_name="Synthetic Report Person")
    browser = Browser()
    browser.sign_in(servers.a, supervisor)
    today = timezone.localdate()
    started = browser.post(
        f"{servers.a}/reports/",
        {"start": str(today - timedelta(days=30)), "end": str(today), "team": ""},
    )
    assert started.status_code == 302, started.text[:1000]
    found = re.match(r"^/reports/runs/([0-9a-f-]{36})/", started.headers["Location"])
    assert found, started.headers["Location"]
    job = Job.objects.get(pk=found.group(1))

    deadline = time.monotonic() + 120
    while job.state not in FINISHED:
        assert time.monotonic() < deadline, f"the report never finished ({job.state})"
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.state == State.DONE, job.error

    shown = browser.get(f"{servers.b}{started.headers['Location']}")
    assert shown.status_code == 200
    # The finished report, opened from its sealed result: its download link.
    assert f"/reports/runs/{job.pk}/summary.csv" in shown.text
