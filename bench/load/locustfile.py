"""Fifty staff of several agencies on a busy morning (`make load`, scripts/load).

Each simulated person is one bench account (bench/world.py): it signs in once
through the real pages (password, then the authenticator code), then works
as its role does, with a short think time between actions:

* advocates and supervisors: the dashboard, the case list, a search by a
  word of a name they have seen (or a year of birth), a case page, its
  communications log and one of its entries, and now and then a new
  communication recorded through the form; supervisors also check visitors
  in at the front desk;
* intake staff: the dashboard, a search, a first contact recorded through
  the three steps of the intake, and visitor check-ins at the front desk;
* shelter staff: their home, the waiting list, a search.

Every form is read from its page and posted whole, as a browser posts it
(bench/load/forms.py): the CSRF token, hidden fields, current values, and the
few values a person types. A page that includes the visitor-alert banner
asks for it once, as HTMX does on load. Any answer other than the one a
browser expects (a 5xx, a refusal, a form sent back with errors, a sign-in
page) counts as an error.

Settings come from the environment (scripts/load sets them):
LOAD_AGENCIES (bench agencies to draw staff from), LOAD_THINK ("min,max"
seconds between actions), LOAD_SUMMARY (where to write the figures as JSON).
The think time is short on purpose: fifty people at a human pace ask a few
requests a second; the test asks what two cores sustain.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.stats import StatsEntry

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.forms import Form, form_of
from bench.load.totp import TOTP_PERIOD, totp_code
from bench.world import PASSWORD, STAFF, totp_secret, username

AGENCIES = int(os.environ.get("LOAD_AGENCIES", "5"))
THINK = tuple(float(s) for s in os.environ.get("LOAD_THINK", "0.1,0.4").split(","))
SUMMARY = os.environ.get("LOAD_SUMMARY", "")
#: Written when the last simulated person has signed in (the runner then
#: tells the memory of the sign-ins from the memory of the work).
SIGNED_IN = os.environ.get("LOAD_SIGNED_IN", "")

CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})/">([^<]*)</a>')
ENTRY_LINK = re.compile(r'href="(/cases/[0-9a-f-]{36}/communications/[0-9a-f-]{36}/)"')
ALERT_BANNER = 'id="visitor-alerts"'
ALERTS_LIVE = "/safety/alerts/live/"
#: A form's refusals as Django writes them: Haven's own messages, which never
#: quote what was typed, so a failure can say why a post was refused.
REFUSAL = re.compile(
    r'(?:<ul class="errorlist[^"]*"[^>]*>|<div class="error-summary"[^>]*>)(.*?)</(?:ul|div)>', re.S
)
#: Synthetic names for the people intake records and the visitors at the desk.
GIVEN = ["Guadalupe", "Ana", "Tomás", "Olena", "Mai", "Amina", "Jorge", "Sofía", "Nadia", "Li"]
FAMILY = ["Ramírez", "Soto", "Nguyen", "Kovalenko", "Haddad", "Morales", "Chen", "Diallo"]


def _searchable(word: str) -> bool:
    """A word of a name the search box takes: two letters or more, and not a
    number, which it reads as a year or a phone's last four digits and
    refuses when it is not four digits long (haven.people.search). The
    pages bench records people named "Bench Intake 17"; the nine refusals
    of the first full run were those names typed whole."""
    return not word.isdigit() and sum(c.isalnum() for c in word) >= 2


def a_birth_date() -> str:
    day = random.randint(1, 28)
    return f"{random.randint(1965, 2005)}-{random.randint(1, 12):02d}-{day:02d}"


def accounts(role: str, agencies: int) -> itertools.cycle[str]:
    """The role's bench accounts, one agency after another, so that the
    simulated staff spread over every agency; round again if more are asked."""
    names = [
        username(agency, role, number)
        for number in range(STAFF[role])
        for agency in range(agencies)
    ]
    return itertools.cycle(names)


_accounts: dict[str, itertools.cycle[str]] = {}
_spent: dict[str, int] = {}  # account -> the last TOTP step it signed in with
_lock = threading.Lock()
_signed_in: list[str] = []
_addresses: list[str] = []
#: The sign-ins' figures, kept when the statistics start again after them.
_sign_in_figures: dict[str, dict[str, Any]] = {}
_sign_in_errors: list[dict[str, Any]] = []
#: Exceptions raised by a simulated person's own steps (a form not on its
#: page, say): errors too, though no request failed.
_user_errors: dict[str, int] = {}


@events.user_error.add_listener
def count_user_error(user_instance: Any, exception: Exception, tb: Any, **_: Any) -> None:
    with _lock:
        key = f"{type(user_instance).__name__}: {type(exception).__name__}: {exception}"[:300]
        _user_errors[key] = _user_errors.get(key, 0) + 1


def next_account(role: str) -> str:
    with _lock:
        if role not in _accounts:
            _accounts[role] = accounts(role, AGENCIES)
        return next(_accounts[role])


class Staff(FastHttpUser):
    abstract = True
    role: ClassVar[str] = ""
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.username = next_account(self.role)
        # Each person at a machine of their own, behind the one proxy
        # (scripts/load serves with HAVEN_PROXY_COUNT=1, as nginx does in
        # production): rate limits by address count each person apart.
        with _lock:
            _addresses.append(self.username)
            number = len(_addresses)
        self.address = {"X-Forwarded-For": f"10.20.{number // 250}.{number % 250 + 1}"}
        self.cases: dict[str, str] = {}  # case id -> the name shown for it
        self.names: list[str] = []  # names seen, to search for later
        self.entries: list[str] = []
        self.receives_alerts = False
        self.sign_in()

    # --- Requests ---------------------------------------------------------

    def get(self, path: str, name: str, *, expect: int = 200, **headers: str) -> str:
        with self.client.get(
            path,
            name=name,
            headers={**self.address, **headers},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            text = response.text or ""
            if response.status_code != expect:
                response.failure(f"{response.status_code} where {expect} was expected")
            else:
                response.success()
        if expect == 200 and ALERT_BANNER in text and not path.startswith(ALERTS_LIVE):
            self.receives_alerts = True
            self.get(f"{ALERTS_LIVE}?shown=-1", "alerts banner (on load)")
        return text

    def post(
        self,
        form: Form,
        name: str,
        *,
        expect: int | tuple[int, ...] = 302,
        to: str | None = None,
        headers: dict[str, str] | None = None,
        **typed: str | list[str],
    ) -> tuple[int, str, str]:
        """Post ``form`` with ``typed`` values; the status, Location and text.
        ``expect``: the status (or statuses) a browser would get; ``to``: the
        start of the Location a redirect must send to."""
        expected = expect if isinstance(expect, tuple) else (expect,)
        body, content_type = form.body(**typed)
        sent = {
            "Content-Type": content_type,
            "Origin": self.host,
            **self.address,
            **(headers or {}),
        }
        with self.client.post(
            form.action,
            data=body,
            name=name,
            headers=sent,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            status = response.status_code
            location = response.headers.get("Location", "") or ""
            text = response.text or ""
            if status not in expected:
                why = " ".join(re.sub(r"<[^>]+>", " ", m).strip() for m in REFUSAL.findall(text))
                response.failure(
                    f"{status} where {expect} was expected" + (f": {why}" if why else "")
                )
            elif to is not None and 300 <= status < 400 and not location.startswith(to):
                response.failure(f"sent to {location or 'nowhere'}, not {to}")
            else:
                response.success()
        return status, location, text

    # --- Sign-in ----------------------------------------------------------

    def sign_in(self) -> None:
        """The sign-in page, the password, then the authenticator code. A code
        is good once: an account signed in again in the same 30 s (when more
        simulated staff than accounts) waits for the next code."""
        page = self.get("/accounts/login/", "sign-in: page")
        self.post(
            form_of(page, "/accounts/login/"),
            "sign-in: password",
            to="/accounts/2fa/authenticate/",
            login=self.username,
            password=PASSWORD,
        )
        page = self.get("/accounts/2fa/authenticate/", "sign-in: code page")
        with _lock:
            step = int(time.time()) // TOTP_PERIOD
            if _spent.get(self.username, -1) >= step:
                step = _spent[self.username] + 1
            _spent[self.username] = step
        wait = step * TOTP_PERIOD - time.time()
        if wait > 0:
            time.sleep(wait)
        self.post(
            form_of(page, "/accounts/2fa/authenticate/"),
            "sign-in: code",
            to="/",
            code=totp_code(totp_secret(self.username), step * TOTP_PERIOD),
        )
        self.signed_in()

    def signed_in(self) -> None:
        """Once everyone has signed in, the statistics start again: the
        figures of the work are not those of a morning's first minutes, when
        every password is hashed at once (deliberately slowly)."""
        runner = self.environment.runner
        with _lock:
            _signed_in.append(self.username)
            if runner is None or len(_signed_in) != runner.target_user_count:
                return
            stats = self.environment.stats
            for entry in stats.entries.values():
                if entry.name.startswith("sign-in"):
                    _sign_in_figures[f"{entry.method} {entry.name}"] = _figures(entry)
            _sign_in_errors.extend(_errors(stats))
            stats.reset_all()
        if SIGNED_IN:
            Path(SIGNED_IN).write_text(str(time.time()), encoding="utf-8")

    # --- What every role does --------------------------------------------

    def learn(self, page: str) -> None:
        """Remember the cases a page links to, by the name it shows."""
        for case_id, name in CASE_LINK.findall(page):
            name = name.strip()
            self.cases[case_id] = name
            if name and not name.startswith("(") and name not in self.names:
                self.names.append(name)
        del self.names[:-200]

    def a_query(self) -> str:
        """What a person types in the search box: mostly a word of a name
        seen today, sometimes a whole name, sometimes a year of birth. Only
        what the box accepts: a word of two letters or more (a name written
        in Chinese characters, one per word, is refused today, with a
        message; the person would type something else)."""
        names = [n for n in self.names if any(_searchable(w) for w in n.split())]
        roll = random.random()
        if names and roll < 0.65:
            words = [w for w in random.choice(names).split() if _searchable(w)]
            return random.choice(words)
        whole = [n for n in names if all(_searchable(w) for w in n.split())]
        if whole and roll < 0.8:
            return random.choice(whole)
        return str(random.randint(1960, 2010))

    def dashboard(self) -> str:
        page = self.get("/", "dashboard")
        self.learn(page)
        return page

    def search(self, from_dashboard: float = 0.5) -> None:
        """From the dashboard's box (a whole page) or the case list's (HTMX,
        the results only), as the two forms post."""
        query = self.a_query()
        if random.random() < from_dashboard:
            page = self.get("/", "dashboard")
            form = form_of(page, "/", "/cases/")
            _, _, text = self.post(form, "search (dashboard)", expect=200, q=query)
        else:
            page = self.get("/cases/", "case list")
            form = form_of(page, "/cases/", "/cases/")
            htmx = {
                "HX-Request": "true",
                "HX-Target": "case-results",
                "HX-Current-URL": f"{self.host}/cases/",
            }
            _, _, text = self.post(
                form, "search (case list, htmx)", expect=200, headers=htmx, q=query
            )
        self.learn(text)

    def visitor_check_in(self) -> None:
        page = self.get("/safety/visitors/", "visitors")
        form = form_of(page, "/safety/visitors/", "/safety/visitors/")
        extra: dict[str, str] = {}
        if "place" in form.choices:
            extra["place"] = form.choices["place"][0]
        self.post(
            form,
            "visitor check-in",
            expect=303,
            to="/safety/visitors/",
            name_given=f"{random.choice(GIVEN)} {random.choice(FAMILY)}",
            asking_for="",
            purpose=random.choice(["Delivery", "Appointment", "Pick-up", ""]),
            **extra,
        )
        self.get("/safety/visitors/", "visitors")


class CaseWorker(Staff):
    """Advocates and supervisors: their cases, their logs, their notes."""

    abstract = True

    def on_start(self) -> None:
        super().on_start()
        self.learn(self.get("/cases/", "case list"))

    def a_case(self) -> str | None:
        if not self.cases:
            self.learn(self.get("/cases/", "case list"))
        return random.choice(list(self.cases)) if self.cases else None

    @task(2)
    def see_dashboard(self) -> None:
        self.dashboard()

    @task(2)
    def case_list(self) -> None:
        self.learn(self.get("/cases/", "case list"))

    @task(4)
    def find_someone(self) -> None:
        self.search()

    @task(4)
    def case_page(self) -> None:
        case = self.a_case()
        if case:
            self.get(f"/cases/{case}/", "case page")

    @task(2)
    def communications_log(self) -> None:
        case = self.a_case()
        if case:
            page = self.get(f"/cases/{case}/communications/", "communications log")
            self.entries = ENTRY_LINK.findall(page)[-20:]

    @task(1)
    def communication_entry(self) -> None:
        if self.entries:
            self.get(random.choice(self.entries), "communication entry")

    @task(1)
    def record_communication(self) -> None:
        case = self.a_case()
        if not case:
            return
        path = f"/cases/{case}/communications/new/"
        page = self.get(path, "communication form")
        _, location, _ = self.post(
            form_of(page, path),
            "record communication",
            expect=303,
            to=f"/cases/{case}/communications/",
            summary=random.choice(["Check-in call", "Court date", "Housing update"]),
            details="Talked through the next steps; the person asked for a call back on Friday.",
        )
        if location:
            self.get(location, "communication entry")


class Advocate(CaseWorker):
    role = "advocate"
    weight = 30


class Supervisor(CaseWorker):
    role = "supervisor"
    weight = 6

    @task(1)
    def front_desk(self) -> None:
        self.visitor_check_in()


class Intake(Staff):
    """The front desk: first contacts and visitors."""

    role = "intake"
    weight = 8

    @task(2)
    def see_dashboard(self) -> None:
        self.dashboard()

    @task(3)
    def find_someone(self) -> None:
        self.search()

    @task(3)
    def front_desk(self) -> None:
        self.visitor_check_in()

    @task(2)
    def first_contact(self) -> None:
        page = self.get("/intake/", "intake: danger")
        self.post(form_of(page, "/intake/"), "intake: danger", to="/intake/language/", danger="no")
        page = self.get("/intake/language/", "intake: language")
        self.post(
            form_of(page, "/intake/language/"),
            "intake: language",
            to="/intake/person/",
            language="spa",
        )
        page = self.get("/intake/person/", "intake: person")
        form = form_of(page, "/intake/person/")
        name = f"{random.choice(GIVEN)} {random.choice(FAMILY)} {random.choice(FAMILY)}"
        self.names.append(name)  # to search for later, as the desk does
        team = form.value("team") or random.choice([t for t in form.choices["team"] if t])
        status, _, text = self.post(
            form,
            "intake: person",
            expect=(302, 200),  # recorded, or first shown a possible duplicate
            to="/",
            legal_name=name,
            team=team,
            date_of_birth=a_birth_date(),
        )
        if status == 200 and "record_anyway" in text:
            # Someone alike is already recorded: this is another person.
            self.post(form_of(text, "/intake/person/"), "intake: record anyway", to="/")


class Shelter(Staff):
    """Shelter staff land on the shelter's home."""

    role = "shelter"
    weight = 6

    @task(3)
    def home(self) -> None:
        self.get("/", "dashboard (to the shelter home)", expect=302)
        self.learn(self.get("/shelter/", "shelter home"))

    @task(1)
    def waiting(self) -> None:
        self.get("/shelter/waiting/", "shelter waiting list")

    @task(2)
    def find_someone(self) -> None:
        self.search(from_dashboard=0)  # their dashboard is the shelter's home


# --- The figures ----------------------------------------------------------------


def _figures(entry: StatsEntry) -> dict[str, Any]:
    elapsed = (
        max(entry.last_request_timestamp - entry.start_time, 1e-9) if entry.num_requests else 0
    )
    return {
        "seconds": elapsed,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.num_requests / elapsed if elapsed else 0.0,
        "p50": entry.get_response_time_percentile(0.50),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
        "max": entry.max_response_time,
        "mean": entry.avg_response_time,
    }


def _errors(stats: Any) -> list[dict[str, Any]]:
    return [
        {"kind": f"{e.method} {e.name}", "error": str(e.error), "count": e.occurrences}
        for e in stats.errors.values()
    ]


@events.quitting.add_listener
def write_summary(environment: Any, **_: Any) -> None:
    """Per kind of request and in all: the sign-ins, then the work after
    them (everything, when the run ended before everyone had signed in)."""
    if not SUMMARY:
        return
    stats = environment.stats
    kinds = {f"{e.method} {e.name}": _figures(e) for e in stats.entries.values() if e.num_requests}
    Path(SUMMARY).write_text(
        json.dumps(
            {
                "everyone_signed_in": bool(_sign_in_figures),
                "sign_in": _sign_in_figures,
                "work": _figures(stats.total),
                "kinds": {**kinds, **_sign_in_figures},
                # Those of the sign-ins (kept across the new start) and after.
                "errors": _sign_in_errors
                + _errors(stats)
                + [
                    {"kind": "a person's own step", "error": error, "count": count}
                    for error, count in _user_errors.items()
                ],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
