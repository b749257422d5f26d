"""Staff safety walked in the browser: a visitor screened at the front desk,
and an emergency lockdown.

The visitor. An advocate has recorded a person of concern, linked to the case
of the person he threatens; the agency designated a supervisor to receive
visitor alerts. The supervisor has Haven open on the dashboard, and in a
second tab. The front desk checks in a visitor who gives a close spelling of
the name ("Victor Petrenco" for "Viktor Petrenko"): the desk is told only to
follow the agency's visitor procedure, and nothing on its pages names the
person of concern, describes him or links to a case; the desk cannot open the
persons of concern at all. Within seconds, without any reload, both of the
supervisor's tabs show the alert banner, which names nobody. The supervisor
opens the alerts, sees the match, says "I am dealing with it", and the
banner goes away at the next poll, in the other tab too.

The lockdown. An administrator designated for lockdowns starts one for a
day, with a fresh code from the authenticator app. The advocate, signed in
and reading a case, reloads: the session is over, and the sign-in page says
nothing of a lockdown or of the agency. A session the ending missed (its
entry in the list of sessions gone) gets the neutral "Not available right
now" page. Signing in again is refused with a neutral message, whatever the
password. The administrator's own session goes on; they end the lockdown
with another fresh code, and the advocate can sign in again.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep a full-page screenshot of each page, under
safety/, for review.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import totp_now
from haven.audit.models import Action, AuditEvent
from haven.safety import services
from haven.safety.models import Lockdown, Visit, VisitorAlert
from tests.browser.conftest import Browsing
from tests.factories import TEST_PASSWORD, record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")

# The person of concern, as the advocate recorded him (all synthetic).
CONCERN_NAME = "Viktor Petrenko"  # synthetic
CONCERN_ALIAS = "Vitya Kovalenko"  # synthetic
CONCERN_DESCRIPTION = "Tall, grey jacket, waits across the street from the office (synthetic)."
CONCERN_VEHICLES = "Dark blue delivery van (synthetic)"
CONCERN_PLATE = "KX-4417"  # synthetic
CONCERN_ASSOCIATES = "Brother-in-law who drives the van (synthetic)"
# The person he threatens: a case of the advocate's.
PERSON = "Oksana Prykladenko"  # synthetic
# What the visitor tells the front desk.
VISITOR = "Victor Petrenco"  # synthetic; a close spelling of CONCERN_NAME
ASKING_FOR = "The office manager (synthetic)"
PURPOSE = "Says he has a parcel to deliver (synthetic)"

# What haven/safety/views.py tells the desk when screening matched: nothing more.
PROCEDURE = "Follow your agency's visitor procedure."
BANNER = "The front desk needs your attention."
LIVE = "/safety/alerts/live/"

LOCKDOWN_REASON = "A threat against the office was phoned in this morning (synthetic)."
# During a lockdown the sign-in page answers as for a wrong password
# (haven/accounts/adapters.py, pre_authenticate).
SIGN_IN_REFUSED = "The username and/or password you specified are not correct."


def shot(tab, name: str) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        folder = Path(SHOTS) / "safety"
        folder.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def fact(tab, term: str, within: str = "main") -> str:
    """The text of the <dd> following the <dt> ``term`` inside ``within``."""
    dd = tab.page.locator(within).locator(
        f"xpath=.//dt[normalize-space()='{term}']/following-sibling::dd[1]"
    )
    return str(dd.first.inner_text()).strip()


class AuthenticatorApp:
    """One staff member's authenticator app, as a careful test types from it.

    Haven refuses a code already used while it is still valid (allauth marks
    it used for the whole tolerance window, MFA_TOTP_TOLERANCE = 1 step of
    30 seconds either side), so each sign-in and each lockdown step needs the
    code of a step not typed before. Offsets 1, 0 and -1 of the clock are
    all accepted; the next step's code comes first (it stays valid longest),
    the last step's only while its validity has seconds to spare. When none
    is left, it waits for the clock's next step: the one wait here that is
    the point.
    """

    SPARE = 10  # seconds of validity a code of offset -1 must have left

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.typed: set[int] = set()

    def code(self) -> str:
        while True:
            started = time.time()
            now = int(started) // 30
            offsets = (1, 0, -1) if 30 - started % 30 >= self.SPARE else (1, 0)
            free = [o for o in offsets if now + o not in self.typed]
            if free:
                code = totp_now(self.secret, offset=free[0])
                if int(time.time()) // 30 == now:  # not a step later meanwhile
                    self.typed.add(now + free[0])
                    return code
            else:
                time.sleep(30 - time.time() % 30 + 0.05)


def sign_in(tab: Browsing, user, app: AuthenticatorApp) -> None:
    """The real sign-in page, then a code not typed before (Browsing.sign_in,
    with the code from ``app``)."""
    tab.visit("/accounts/login/")
    tab.submit({"#id_login": user.username, "#id_password": TEST_PASSWORD})
    assert tab.path == "/accounts/2fa/authenticate/", tab.page.url
    tab.submit({"#id_code": app.code()})
    assert tab.path == "/", tab.page.url


def another_tab(tab: Browsing) -> Browsing:
    """A second tab in ``tab``'s browser context: the same signed-in session.

    The context already reports CSP violations to ``tab``; the caller runs
    ``finish`` on it for the rest of the teardown checks.
    """
    return Browsing(page=tab.page.context.new_page(), base_url=tab.base_url)


def finish(tab: Browsing) -> None:
    """The checks ``new_browsing`` runs at teardown, for a tab it did not open."""
    tab.assert_no_csp_violations()
    assert not tab.page_errors, f"uncaught script errors: {tab.page_errors}"
    tab.assert_all_pages_checked()


def banner(tab: Browsing):
    return tab.page.locator("#visitor-alerts [role=alert]")


def test_a_visitor_matching_a_person_of_concern_alerts_the_supervisor_and_tells_the_desk_nothing(
    new_browsing, advocate, supervisor, intake, admin_user, team
):
    case = record_intake(actor=advocate, team=team, preferred_name=PERSON, language="ukr")
    concern = services.concern_save(
        actor=advocate,
        values=services.ConcernValues(
            name=CONCERN_NAME,
            aliases=CONCERN_ALIAS,
            description=CONCERN_DESCRIPTION,
            vehicles=CONCERN_VEHICLES,
            plates=CONCERN_PLATE,
            associates=CONCERN_ASSOCIATES,
            case_ids=[case.pk],
        ),
    )
    services.safety_settings_save(
        actor=admin_user,
        alert_user_ids=[supervisor.pk],
        lockdown_user_ids=[],
        two_to_end_lockdown=False,
    )
    # Nothing the desk may ever see of the person of concern, or of the case.
    secrets = [
        CONCERN_NAME,
        "Viktor",
        "Petrenko",
        CONCERN_ALIAS,
        CONCERN_DESCRIPTION,
        CONCERN_VEHICLES,
        CONCERN_PLATE,
        CONCERN_ASSOCIATES,
        PERSON,
        str(concern.pk),
        str(case.pk),
        "/safety/concerns/",
    ]

    # --- The supervisor: the dashboard, and Haven in a second tab. ------------
    boss = new_browsing()
    sign_in(boss, supervisor, AuthenticatorApp(supervisor.totp_secret))
    live: list[tuple[str, int]] = []
    boss.page.on(
        "response",
        lambda r: live.append((r.url, r.status)) if LIVE in r.url else None,
    )
    # The first poll, as the page loads: nothing waits.
    expect(boss.page.locator("#visitor-alerts")).to_have_attribute(
        "hx-get", f"{LIVE}?shown=0", timeout=10_000
    )
    assert banner(boss).count() == 0
    shot(boss, "01-supervisor-dashboard")
    elsewhere = another_tab(boss)
    elsewhere.visit("/safety/")
    assert elsewhere.page.locator("main a[href='/safety/alerts/']").count() == 1
    expect(elsewhere.page.locator("#visitor-alerts")).to_have_attribute(
        "hx-get", f"{LIVE}?shown=0", timeout=10_000
    )
    boss_pages, elsewhere_pages = len(boss.navigations), len(elsewhere.navigations)

    # --- The front desk: to the visitor log. ----------------------------------
    desk = new_browsing()
    them = desk.page
    sign_in(desk, intake, AuthenticatorApp(intake.totp_secret))
    assert them.locator("#visitor-alerts").count() == 0, "the desk gets no alerts"
    desk.click_through("header a[href='/safety/']")
    assert desk.path == "/safety/"
    assert them.locator("main a[href='/safety/concerns/']").count() == 0
    assert them.locator("main a[href='/safety/alerts/']").count() == 0
    desk.click_through("main a[href='/safety/visitors/']")
    assert desk.path == "/safety/visitors/"
    assert them.locator("main table").count() == 0, "nobody checked in yet"
    shot(desk, "02-desk-empty")

    # The visitor gives a close spelling of the name.
    them.fill("#id_name_given", VISITOR)
    them.fill("#id_asking_for", ASKING_FOR)
    them.fill("#id_purpose", PURPOSE)
    shot(desk, "03-desk-filled")
    response = desk.click_through("form[action='/safety/visitors/'] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert desk.path == "/safety/visitors/"
    visit = Visit.objects.get(agency=intake.agency)
    assert visit.flagged
    alert = VisitorAlert.objects.get(visit=visit)
    assert list(alert.concerns.all()) == [concern]
    assert not alert.exact

    # Only the neutral instruction: who matched, or why, is never said.
    messages = them.locator("main .messages .message")
    assert messages.count() == 1
    assert messages.inner_text().strip() == PROCEDURE
    # Styled like any other note: nothing on screen says an alarm went off.
    assert "message--info" in (messages.get_attribute("class") or "")
    rows = them.locator("main table tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert VISITOR in row
    assert "follow the procedure" in row
    assert ASKING_FOR in row
    assert PURPOSE in row
    content = them.content()
    for secret in secrets:
        assert secret not in content, f"the front desk's page shows {secret!r}"
    assert "/cases/" not in them.locator("main").inner_html(), "no case link"
    assert them.locator("a[href^='/cases/']:not([href='/cases/'])").count() == 0
    shot(desk, "04-desk-procedure")

    # The persons of concern and the alerts do not exist for the desk.
    response = desk.visit("/safety/concerns/")
    assert response is not None
    assert response.status == 404
    assert them.inner_text("h1") == "Page not found"
    response = desk.visit(f"/safety/concerns/{concern.pk}/")
    assert response is not None
    assert response.status == 404
    response = desk.visit("/safety/alerts/")
    assert response is not None
    assert response.status == 404
    for secret in secrets:
        assert secret not in them.content(), secret
    # And the visitor log, opened afresh, still says nothing more.
    desk.visit("/safety/visitors/")
    assert them.locator("main .messages").count() == 0
    content = them.content()
    for secret in secrets:
        assert secret not in content, f"the visitor log shows {secret!r}"

    # --- The supervisor: the banner comes by itself, in both tabs. ------------
    page = boss.page
    expect(banner(boss)).to_be_visible(timeout=10_000)
    expect(banner(boss)).to_contain_text(BANNER)
    expect(banner(elsewhere)).to_be_visible(timeout=10_000)
    assert len(boss.navigations) == boss_pages, "no reload"
    assert len(elsewhere.navigations) == elsewhere_pages, "no reload"
    said = banner(boss).inner_text()
    for secret in [*secrets, VISITOR, ASKING_FOR, PURPOSE]:
        assert secret not in said, f"the banner names {secret!r}"
    assert (f"{LIVE}?shown=0", 200) in [(u.removeprefix(boss.base_url), s) for u, s in live], (
        "the banner came with the poll that saw the count change"
    )
    # While the count stays the same, each poll is answered 204 and the banner stays.
    with page.expect_response(lambda r: f"{LIVE}?shown=1" in r.url, timeout=10_000) as polled:
        pass
    assert polled.value.status == 204
    expect(banner(boss)).to_be_visible()
    boss.check()
    elsewhere.check()
    shot(boss, "05-supervisor-banner")

    # --- The alerts page: the match, and "I am dealing with it". --------------
    boss.click_through("#visitor-alerts [role=alert] a[href='/safety/alerts/']")
    assert boss.path == "/safety/alerts/"
    card = page.locator(f"main section[aria-labelledby='alert-{alert.pk}']")
    assert card.count() == 1
    assert "alert-open" in (card.get_attribute("class") or "")
    assert card.locator("h2").inner_text().startswith(f"{VISITOR}, checked in at ")
    within = f"main section[aria-labelledby='alert-{alert.pk}']"
    assert fact(boss, "Match", within) == "A close spelling of a name"
    # The person of concern matched, named for the supervisor (who may see them).
    assert fact(boss, "Matched", within).startswith(CONCERN_NAME)
    matched = card.locator(f"a[href='/safety/concerns/{concern.pk}/']")
    assert matched.inner_text() == CONCERN_NAME
    assert fact(boss, "Asking for", within) == ASKING_FOR
    assert fact(boss, "Purpose", within) == PURPOSE
    assert fact(boss, "At the desk", within) == str(intake)
    expect(banner(boss)).to_be_visible(timeout=10_000)
    boss.check()
    shot(boss, "06-alerts-open")

    boss.click_through(f"form[action='/safety/alerts/{alert.pk}/acknowledge/'] button")
    assert boss.path == "/safety/alerts/"
    assert page.inner_text("main .messages") == "Noted: you are dealing with it."
    assert f"{supervisor} is dealing with it (since " in card.inner_text()
    assert card.locator("form").count() == 0
    assert "alert-open" not in (card.get_attribute("class") or "")
    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor
    # The page's first poll finds nothing waiting.
    expect(page.locator("#visitor-alerts")).to_have_attribute(
        "hx-get", f"{LIVE}?shown=0", timeout=10_000
    )
    assert banner(boss).count() == 0
    boss.check()
    shot(boss, "07-alerts-acknowledged")

    # The other tab: the banner goes at the next poll, without a reload.
    expect(banner(elsewhere)).to_have_count(0, timeout=10_000)
    expect(elsewhere.page.locator("#visitor-alerts")).to_have_attribute("hx-get", f"{LIVE}?shown=0")
    assert len(elsewhere.navigations) == elsewhere_pages, "no reload"
    elsewhere.check()
    finish(elsewhere)

    # The person of concern, one click away for the supervisor.
    boss.click_through(f"main a[href='/safety/concerns/{concern.pk}/']")
    assert page.inner_text("main h1") == CONCERN_NAME
    assert CONCERN_DESCRIPTION in page.inner_text("main")
    shot(boss, "08-concern")

    # --- The audit trail: raised for the supervisor alone, and dealt with. ----
    raised = AuditEvent.objects.get(action=Action.VISITOR_ALERT_RAISED)
    assert raised.actor == intake
    assert raised.detail["recipients"] == [supervisor.pk]
    assert AuditEvent.objects.get(action=Action.VISITOR_ALERT_ACKNOWLEDGED).actor == supervisor
    call_command("verify_integrity")


def test_a_lockdown_shuts_the_agency_out_and_only_its_administrator_ends_it(
    new_browsing, advocate, admin_user, team
):
    case = record_intake(actor=advocate, team=team, preferred_name=PERSON, language="ukr")
    case_url = f"/cases/{case.pk}/"
    services.safety_settings_save(
        actor=admin_user,
        alert_user_ids=[],
        lockdown_user_ids=[admin_user.pk],
        two_to_end_lockdown=False,
    )
    agency_name = admin_user.agency.name
    advocate_app = AuthenticatorApp(advocate.totp_secret)
    admin_app = AuthenticatorApp(admin_user.totp_secret)

    def neutral(tab: Browsing) -> None:
        """Nothing on the page says why, or whose agency, or what was open."""
        content = tab.page.content()
        assert "lockdown" not in content.lower(), tab.page.url
        assert agency_name not in content, tab.page.url
        assert PERSON not in content, tab.page.url
        assert LOCKDOWN_REASON not in content, tab.page.url

    # --- The advocate, at work on a case. -------------------------------------
    tab = new_browsing()
    page = tab.page
    sign_in(tab, advocate, advocate_app)
    tab.visit(case_url)
    assert PERSON in page.inner_text("main")
    assert page.locator("header a[href='/safety/']").count() == 1
    shot(tab, "10-advocate-case")

    # The same advocate on a second device, whose session the lockdown's
    # ending will miss: its entry in the list of sessions is gone.
    tablet = new_browsing()
    sign_in(tablet, advocate, advocate_app)
    tablet.visit("/cases/")
    tablet_session = next(
        c["value"]
        for c in tablet.page.context.cookies()
        if c["name"] == settings.SESSION_COOKIE_NAME
    )

    # --- The lockdown administrator starts a lockdown for a day. --------------
    boss = new_browsing()
    them = boss.page
    sign_in(boss, admin_user, admin_app)
    boss.click_through("header a[href='/safety/']")
    boss.click_through("main a[href='/safety/lockdown/']")
    assert boss.path == "/safety/lockdown/"
    assert them.inner_text("main h2") == "Start a lockdown"
    shot(boss, "11-lockdown-start")
    them.fill("#id_reason", LOCKDOWN_REASON)
    them.select_option("#id_duration", "1")
    assert UserSession.objects.filter(session_key=tablet_session).delete()[0] == 1
    them.fill("#id_second_factor", admin_app.code())
    shot(boss, "12-lockdown-filled")
    response = boss.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert boss.path == "/safety/lockdown/"
    assert them.inner_text("main .messages") == (
        "The lockdown has started. Everyone else is signed out."
    )
    assert them.locator("main h2").first.inner_text() == "The agency is locked down"
    assert fact(boss, "Reason") == LOCKDOWN_REASON
    lockdown = Lockdown.objects.get(agency=admin_user.agency)
    assert lockdown.started_by == admin_user
    assert lockdown.ends_at is not None
    assert lockdown.ends_at - lockdown.started_at == timedelta(days=1)
    assert lockdown.ended_at is None
    shot(boss, "13-lockdown-running")

    # --- The advocate reloads: the session is over. ---------------------------
    with tab.navigation() as reloaded:
        page.reload()
    response = reloaded()
    assert response is not None
    assert response.status == 200
    assert tab.path.startswith("/accounts/login/"), page.url
    assert page.locator("header form[action='/accounts/logout/']").count() == 0
    neutral(tab)
    shot(tab, "14-advocate-reloaded")

    # The session the ending missed gets the neutral page, and ends there.
    with tablet.navigation() as answered:
        tablet.page.reload()
    response = answered()
    assert response is not None
    assert response.status == 503
    assert tablet.path == "/cases/"
    assert tablet.page.inner_text("h1") == "Not available right now"
    assert tablet.page.locator("header, nav").count() == 0
    neutral(tablet)
    shot(tablet, "15-tablet-unavailable")
    tablet.visit("/cases/")
    assert tablet.path.startswith("/accounts/login/"), "signed out by the neutral page"
    neutral(tablet)

    # Signing in again: refused, whatever the password, and saying nothing of why.
    for password in (TEST_PASSWORD, "not the password at all"):
        tab.visit("/accounts/login/")
        response = tab.submit({"#id_login": advocate.username, "#id_password": password})
        assert response is not None
        assert tab.path.startswith("/accounts/login/"), page.url
        assert SIGN_IN_REFUSED in page.inner_text("main form")
        neutral(tab)
    shot(tab, "16-advocate-refused")

    # --- The administrator's own session goes on. -----------------------------
    boss.visit("/")
    assert boss.path == "/"
    boss.visit("/safety/lockdown/")
    assert them.locator("main h2").first.inner_text() == "The agency is locked down"

    # A wrong code (an hour ahead of the clock) does not end it.
    them.fill("#id_second_factor", totp_now(admin_user.totp_secret, offset=120))
    response = boss.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert "That code is not right. Try a new one." in them.inner_text("[data-error-summary]")
    lockdown.refresh_from_db()
    assert lockdown.ended_at is None

    # The right one does.
    them.fill("#id_second_factor", admin_app.code())
    response = boss.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert boss.path == "/safety/lockdown/"
    assert them.inner_text("main .messages") == "The lockdown has ended. Staff can sign in again."
    assert them.inner_text("main h2") == "Start a lockdown"
    lockdown.refresh_from_db()
    assert lockdown.ended_at is not None
    assert lockdown.ended_by == admin_user
    shot(boss, "17-lockdown-ended")

    # --- The advocate signs in again and goes back to the case. ---------------
    sign_in(tab, advocate, advocate_app)
    tab.visit(case_url)
    assert PERSON in page.inner_text("main")
    shot(tab, "18-advocate-back")

    # --- The audit trail. -----------------------------------------------------
    def events(action: Action) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=action).order_by("at"))

    [started] = events(Action.LOCKDOWN_STARTED)
    assert started.actor == admin_user
    # The advocate's office session; the tablet's was missed, the admin's kept.
    assert started.detail["sessions_ended"] == 1
    assert [e.object_id for e in events(Action.LOCKDOWN_SESSION_ENDED)] == [str(advocate.pk)]
    refused = events(Action.LOCKDOWN_SIGN_IN_REFUSED)
    assert [e.object_id for e in refused] == [str(advocate.pk)] * 2
    assert [e.actor for e in events(Action.MFA_FAILED)] == [admin_user], "the wrong code"
    [ended] = events(Action.LOCKDOWN_ENDED)
    assert ended.actor == admin_user
    assert ended.detail["by"] == "administrator"
    call_command("verify_integrity")
