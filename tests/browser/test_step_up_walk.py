"""Issue 21 walked in the browser: a fresh second factor before the changes a
stolen session must not make, and two supervisors for a destruction.

The administrator. Signed in six minutes ago, they look at a staff member's
page and at the two-person rule (both ask for a code), then open the safety
settings: saving without a code is refused with a message that says what is
missing, and nothing changes; with the code from their app it is saved.
Back on the staff member's page, fresh now, the code fields are gone and the
roles are changed without being asked again.

Two supervisors. The first, signed in a while ago, opens a case's destroy
page, ticks the confirmation, types a code and asks a second supervisor; the
page shows the request waiting, and its own request tells them another
supervisor must answer it. The second supervisor opens Approvals from the
menu, opens the request and approves it with their own code: the record is
destroyed, and the case list no longer has it.

The advocate. Makes an API token on their account's page with a code, sees
it once, opens the page again (it is not shown again) and revokes it.

"Signed in a while ago" is the real sign-in, with the session's record of
when its factors were proved moved back past the five minutes, as
tests/accounts/test_step_up.py does: the live server reads the same session
table, and nothing else about the session changes.

Every page is checked with axe (tests/browser/conftest.py) and looked at
390 px wide: none scrolls sideways. All data is synthetic. Set HAVEN_SHOTS
to a folder (for example /tmp/haven-shots) to keep a full-page screenshot of
each page at 1280 and 390 px, under step-up/.
"""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.core.management import call_command

from conftest import totp_now
from haven.accounts import stepup
from haven.accounts.models import ApiToken, Approval, Membership, Role
from haven.audit.models import Action, AuditEvent
from haven.people.models import Case, Person
from haven.safety.models import Designation
from tests.browser.conftest import Browsing
from tests.factories import make_staff, record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

PERSON = "Oksana Prykladenko"  # synthetic

# Words of haven/accounts/stepup.py and the pages that use it.
CODE_LABEL = "Code from your authenticator app"
CODE_NEEDED = (
    "This change needs a fresh second factor: type the code your authenticator app shows now."
)

# What reaches past the window's right edge: the culprits of sideways scrolling.
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-5)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.getBoundingClientRect().right}`)"""


# Tables that scroll inside their frame on a phone: their last columns (a
# token's Revoke button, when an approval was answered) out of sight.
SCROLLING_TABLES = """() => [...document.querySelectorAll(".table-wrap")]
  .filter((e) => e.scrollWidth > e.clientWidth)
  .map((e) => e.getAttribute("aria-label") || e.className)"""


def look(tab: Browsing, name: str) -> None:
    """The page as it is, on a phone too: at 390 px neither it nor a table in
    it scrolls sideways. With HAVEN_SHOTS, a full-page screenshot at both widths."""
    page = tab.page
    folder = Path(SHOTS) / "step-up" if SHOTS else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    try:
        if folder is not None:
            page.screenshot(path=str(folder / f"{name}-390.png"), full_page=True)
        wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= window, (
            f"{tab.page.url} is {wide}px wide in a {window}px window: {page.evaluate(OVERFLOWING)}"
        )
        assert page.evaluate(SCROLLING_TABLES) == [], tab.page.url
    finally:
        page.set_viewport_size(DESK)


def signed_in_long_ago(tab: Browsing) -> None:
    """Move this tab's session's record of its sign-in (password and second
    factor) back past the step-up window, as if it were signed in a while ago."""
    cookie = next(
        c["value"] for c in tab.page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie)
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    assert "mfa" in [r["method"] for r in records]
    back = stepup.window_seconds() + 60
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{**r, "at": r["at"] - back} for r in records]
    session.save()


def fresh_code(user) -> str:
    """A code of the app's next step: never the one typed at sign-in, whose
    step is now or past, and a code works once."""
    return totp_now(user.totp_secret, offset=1)


def beside_its_box(tab: Browsing, box: str) -> bool:
    """Whether the label of the tick box ``box`` starts on the box's own line."""
    page = tab.page
    tick = page.locator(box).bounding_box()
    label = page.locator(f"label[for='{box.removeprefix('#')}']").bounding_box()
    assert tick is not None
    assert label is not None
    return label["x"] > tick["x"] and label["y"] < tick["y"] + tick["height"]


def code_fields(tab: Browsing):
    return tab.page.locator("main input[name$='second_factor']")


def text_of(tab: Browsing, selector: str = "main") -> str:
    return str(tab.page.locator(selector).inner_text())


def roles_of(user) -> set[str]:
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def test_an_administrator_signed_in_a_while_ago_types_a_code_once_then_is_not_asked_again(
    tab, admin_user, advocate, supervisor, team
):
    page = tab.page
    page.set_viewport_size(DESK)
    tab.sign_in(admin_user.username, admin_user.totp_secret)
    signed_in_long_ago(tab)

    # --- Looking around: the staff page and the two-person rule ask for a code.
    tab.click_through("header a[href='/staff/']")
    tab.click_through(f"main a[href='/staff/{advocate.pk}/']")
    assert tab.path == f"/staff/{advocate.pk}/"
    # One code field for the roles, one for the deactivate button.
    assert code_fields(tab).count() == 2
    assert page.locator("main label[for='id_second_factor']").inner_text().startswith(CODE_LABEL)
    assert page.locator("main label[for='id_account-second_factor']").count() == 1
    look(tab, "01-staff-detail-codes")
    tab.click_through("main a[href='/staff/']")
    tab.click_through("main a[href='/approvals/rule/']")
    assert text_of(tab, "main h1") == "Two-person rule"
    assert code_fields(tab).count() == 1
    # One supervisor: the default rule holds once there are two.
    assert page.locator("main input[name=rule][value=default]").is_checked()
    assert "Your agency has 1 active supervisor." in text_of(tab)
    assert "Not in force now: one supervisor decides alone." in text_of(tab)
    look(tab, "02-two-person-rule")

    # --- The safety settings: refused without a code, nothing changed. -------
    tab.click_through("header a[href='/safety/']")
    tab.click_through("main a[href='/safety/settings/']")
    assert tab.path == "/safety/settings/"
    assert code_fields(tab).count() == 1
    page.check(f"main input[name=lockdown][value='{admin_user.pk}']")
    before = AuditEvent.objects.count()
    response = tab.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert CODE_NEEDED in text_of(tab, "[data-error-summary]")
    # The summary takes the focus, so a screen reader says what is wrong first.
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    assert CODE_NEEDED in text_of(tab, "main form")
    assert page.locator("#id_second_factor").get_attribute("aria-invalid") == "true"
    assert page.locator(f"main input[name=lockdown][value='{admin_user.pk}']").is_checked()
    assert not Designation.objects.filter(duty=Designation.Duty.LOCKDOWN).exists()
    assert AuditEvent.objects.count() == before
    look(tab, "03-safety-settings-code-error")
    # On a phone the long label of the lone tick box wraps beside it.
    page.set_viewport_size(PHONE)
    assert beside_its_box(tab, "#id_two_to_end_lockdown")
    page.set_viewport_size(DESK)

    # --- With the code from the app: saved. -----------------------------------
    page.fill("#id_second_factor", fresh_code(admin_user))
    response = tab.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert tab.path == "/safety/settings/"
    assert text_of(tab, "main .messages") == "Saved."
    assert code_fields(tab).count() == 0, "fresh now: no code asked"
    assert list(
        Designation.objects.filter(duty=Designation.Duty.LOCKDOWN).values_list("user", flat=True)
    ) == [admin_user.pk]
    assert AuditEvent.objects.filter(action=Action.STEP_UP, actor=admin_user).count() == 1
    look(tab, "04-safety-settings-saved")

    # --- Roles: not asked again. ----------------------------------------------
    tab.click_through("header a[href='/staff/']")
    tab.click_through(f"main a[href='/staff/{advocate.pk}/']")
    assert code_fields(tab).count() == 0
    page.check(f"main input[name=roles][value='{Role.INTAKE}']")
    response = tab.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert text_of(tab, "main .messages") == "Roles saved."
    assert roles_of(advocate) == {Role.ADVOCATE, Role.INTAKE}
    assert AuditEvent.objects.filter(action=Action.STEP_UP, actor=admin_user).count() == 1
    look(tab, "05-staff-detail-fresh")
    call_command("verify_integrity")


def test_a_destruction_waits_for_a_second_supervisor_who_approves_it_with_their_code(
    new_browsing, supervisor, team, agency
):
    other = make_staff(agency=agency, role=Role.SUPERVISOR, team=team, username="t-supervisor-2")
    case = record_intake(actor=supervisor, team=team, preferred_name=PERSON, language="ukr")
    person_id = case.person_id

    # --- The first supervisor asks. -------------------------------------------
    asking = new_browsing()
    page = asking.page
    page.set_viewport_size(DESK)
    asking.sign_in(supervisor.username, supervisor.totp_secret)
    signed_in_long_ago(asking)
    asking.visit(f"/cases/{case.pk}/")
    asking.click_through(f"main a[href='/cases/{case.pk}/destroy/']")
    assert "asks a second supervisor to approve a destruction" in text_of(asking)
    assert code_fields(asking).count() == 1
    page.check("#id_confirm")
    page.fill("#id_second_factor", fresh_code(supervisor))
    look(asking, "06-destroy-asking")
    response = asking.click_through("main button:has-text('Ask a second supervisor')")
    assert response is not None
    assert response.status == 200
    assert asking.path == f"/cases/{case.pk}/destroy/"
    assert text_of(asking, "main .messages").startswith("Asked. Another supervisor must approve")
    approval = Approval.objects.get()
    assert approval.requested_by == supervisor
    assert approval.state == Approval.State.WAITING
    waiting = text_of(asking, "main .card .message--info")
    assert f"{supervisor} asked on " in waiting
    assert page.locator("main form[method=post]").count() == 0, "nothing more to send"
    assert Person.objects.filter(pk=person_id).exists()
    look(asking, "07-destroy-waiting")

    # Their own request: another supervisor must answer it.
    asking.click_through(f"main a[href='/approvals/{approval.pk}/']")
    assert "another supervisor of the agency must answer it" in text_of(asking)
    assert page.locator("main input[name=answer]").count() == 0
    assert code_fields(asking).count() == 0
    look(asking, "08-approval-requester")
    asking.click_through("main a[href='/approvals/']")
    assert "your request" in text_of(asking, "main ul")
    look(asking, "09-approvals-waiting")

    # --- The second supervisor approves. --------------------------------------
    approving = new_browsing()
    them = approving.page
    them.set_viewport_size(DESK)
    approving.sign_in(other.username, other.totp_secret)
    signed_in_long_ago(approving)
    approving.click_through("header a[href='/approvals/']")
    assert approving.path == "/approvals/"
    approving.click_through(f"main a[href='/approvals/{approval.pk}/']")
    assert text_of(approving, "main h1") == "Destroy a person's record at their request"
    assert them.locator(f"main a[href='/cases/{case.pk}/destroy/']").count() == 1
    assert code_fields(approving).count() == 1
    look(approving, "10-approval-approver")
    them.check("main input[name=answer][value=approve]")
    them.fill("#id_second_factor", fresh_code(other))
    response = approving.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert approving.path == "/approvals/"
    assert text_of(approving, "main .messages") == "Approved, and carried out."
    assert not Person.objects.filter(pk=person_id).exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    approval.refresh_from_db()
    assert approval.state == Approval.State.APPROVED
    assert approval.decided_by == other
    look(approving, "11-approvals-answered")

    # --- The case is gone, for both. ------------------------------------------
    approving.click_through("header a[href='/cases/']")
    assert PERSON not in text_of(approving)
    asking.click_through("header a[href='/cases/']")
    assert PERSON not in text_of(asking)
    assert page.locator(f"a[href='/cases/{case.pk}/']").count() == 0
    response = asking.visit(f"/cases/{case.pk}/destroy/")
    assert response is not None
    assert response.status == 404

    assert [e.actor for e in AuditEvent.objects.filter(action=Action.APPROVAL_REQUESTED)] == [
        supervisor
    ]
    assert [e.actor for e in AuditEvent.objects.filter(action=Action.APPROVAL_GRANTED)] == [other]
    assert AuditEvent.objects.filter(action=Action.PERSON_DESTROYED).count() == 1
    call_command("verify_integrity")


def test_an_advocate_makes_an_api_token_with_a_code_sees_it_once_and_revokes_it(tab, advocate):
    page = tab.page
    page.set_viewport_size(DESK)
    tab.sign_in(advocate.username, advocate.totp_secret)
    signed_in_long_ago(tab)
    tab.click_through("header a[href='/me/preferences/']")
    tab.click_through("main a[href='/me/api-tokens/']")
    assert text_of(tab, "main h1") == "API tokens"
    assert code_fields(tab).count() == 1
    assert "You have none." in text_of(tab)
    page.select_option("#id_days", "7")
    page.fill("#id_second_factor", fresh_code(advocate))
    response = tab.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    shown = text_of(tab, "main code.token").strip()
    [token] = ApiToken.objects.filter(user=advocate)
    assert shown.startswith(token.prefix)
    assert code_fields(tab).count() == 0, "fresh now: no code asked"
    look(tab, "12-api-token-made")

    # Opened again: the token is never shown again, only how it starts.
    tab.visit("/me/api-tokens/")
    assert shown not in page.content()
    assert page.locator("main code.token").count() == 0
    assert f"{token.prefix}…" in text_of(tab, "main table")
    look(tab, "13-api-tokens-again")

    tab.click_through(f"main form[action='/me/api-tokens/{token.pk}/revoke/'] button")
    assert tab.path == "/me/api-tokens/"
    assert text_of(tab, "main .messages") == (
        "The token is revoked; programs using it are refused now."
    )
    assert "Revoked" in text_of(tab, "main table")
    token.refresh_from_db()
    assert token.revoked_at is not None
    look(tab, "14-api-token-revoked")
    call_command("verify_integrity")
