"""Playwright fixtures for the browser suite: real headless Chromium against the live server.

Every page a test reaches is checked twice, whatever way it was reached:

* for Content Security Policy violations, which an init script reports to
  Python the moment the browser raises them (and keeps in
  ``window.__cspViolations``), together with the console's own CSP errors;
* with axe-core, by ``Browsing.check()``. ``Browsing.visit()``,
  ``Browsing.submit()`` and ``Browsing.click_through()`` call it for every
  navigation they cause; a navigation that no check covered fails the test at
  teardown, so no page can slip through unchecked.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    sync_playwright,
)

from conftest import totp_now
from tests.factories import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs before any page script, in every document of the context.
CSP_RECORDER = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    const entry = {
      page: document.location.href,
      directive: event.effectiveDirective || event.violatedDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
    };
    window.__cspViolations.push(entry);
    if (typeof window.__havenReportCsp === "function") {
      window.__havenReportCsp(entry);
    }
  });
})();
"""

AXE = Axe()

# The page as axe sees it: its markup, with the per-request CSRF tokens blanked,
# and the viewport. Markup axe has passed once is not analysed again (the same
# markup under the same stylesheet gives the same result), so the ten identical
# sign-in pages of the lockout test cost one analysis, not ten.
PAGE_FINGERPRINT = r"""() => {
  const html = document.documentElement.outerHTML
    .replace(/(name="csrfmiddlewaretoken" value=")[^"]*/g, "$1")
    .replace(/(X-CSRFToken&quot;: &quot;)[^&]*/g, "$1");
  return `${window.innerWidth}x${window.innerHeight} ${html}`;
}"""
_AXE_PASSED: set[str] = set()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _axe_report(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = ", ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node.get('html', '')[:200]}")
            summary = node.get("failureSummary", "").strip().replace("\n", "\n        ")
            lines.append(f"        {summary}")
    return "\n".join(lines)


@dataclass
class Browsing:
    """One test's browser tab, with the checks every page must pass."""

    page: Page
    base_url: str
    csp_violations: list[dict[str, Any]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    _checked_upto: int = 0

    def __post_init__(self) -> None:
        self.page.on("framenavigated", self._on_navigated)
        self.page.on("console", self._on_console)
        self.page.on(
            "pageerror", lambda error: self.page_errors.append(f"{self.page.url}: {error}")
        )

    # --- bookkeeping ----------------------------------------------------------

    def _on_navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.navigations.append(frame.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{self.page.url}: {message.text}")
            if "Content Security Policy" in message.text:
                self.csp_violations.append({"page": self.page.url, "console": message.text})

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url.rstrip("/"))

    def served_at(self) -> float:
        """When (on the time.monotonic() clock) the current document's response ended.

        The server handled the request before this moment and the page's scripts
        ran after it, whatever the checks since have cost.
        """
        since = self.page.evaluate(
            "performance.now() - performance.getEntriesByType('navigation')[0].responseEnd"
        )
        return time.monotonic() - since / 1000

    # --- the checks -----------------------------------------------------------

    def check(self) -> None:
        """Axe and CSP on the page as it is now; marks the current navigation checked."""
        self.page.wait_for_load_state("load")
        self.assert_no_csp_violations()
        fingerprint = hashlib.sha256(self.page.evaluate(PAGE_FINGERPRINT).encode()).hexdigest()
        if fingerprint not in _AXE_PASSED:
            results = AXE.run(self.page)
            violations = results.response["violations"]
            assert results.violations_count == 0, _axe_report(self.page.url, violations)
            _AXE_PASSED.add(fingerprint)
        self.checked.append(self.page.url)
        self._checked_upto = len(self.navigations)

    def assert_no_csp_violations(self) -> None:
        in_page = self.page.evaluate("window.__cspViolations || []")
        assert not in_page, f"CSP violations on {self.page.url}: {in_page}"
        assert not self.csp_violations, f"CSP violations: {self.csp_violations}"

    def assert_all_pages_checked(self) -> None:
        unchecked = self.navigations[self._checked_upto :]
        assert not unchecked, f"pages reached but never checked with axe: {unchecked}"

    # --- moving around --------------------------------------------------------

    def visit(self, path: str) -> Response | None:
        """Open ``path`` (relative to the live server) and check the page."""
        response = self.page.goto(self.url(path))
        self.check()
        return response

    @contextmanager
    def navigation(self) -> Iterator[Callable[[], Response | None]]:
        """Wrap an action that loads a new document; checks it and gives its response."""
        with self.page.expect_navigation() as info:
            yield lambda: info.value
        self.check()

    def click_through(self, selector: str) -> Response | None:
        with self.navigation() as response:
            self.page.click(selector)
        return response()

    def submit(
        self, fields: dict[str, str], button: str = "main button[type=submit]"
    ) -> Response | None:
        """Fill ``fields`` (selector → value), press ``button``, check the page reached."""
        for selector, value in fields.items():
            self.page.fill(selector, value)
        return self.click_through(button)

    # --- signing in -----------------------------------------------------------

    def sign_in(
        self, username: str, secret: str, *, password: str = TEST_PASSWORD, offset: int = 0
    ) -> None:
        """The real sign-in page, then the authenticator code."""
        self.visit("/accounts/login/")
        self.submit({"#id_login": username, "#id_password": password})
        assert self.path == "/accounts/2fa/authenticate/", self.page.url
        self.submit({"#id_code": totp_now(secret, offset=offset)})
        assert self.path == "/", self.page.url

    def sign_out(self) -> None:
        self.click_through("header form[action='/accounts/logout/'] button")
        assert self.path.startswith("/accounts/login/"), self.page.url


@pytest.fixture
def new_browsing(browser: Browser, live_server: Any) -> Iterator[Callable[..., Browsing]]:
    """Make a fresh browser context (no cookies, nothing shared) with its checked tab."""
    opened: list[tuple[BrowserContext, Browsing]] = []

    def make(**context_options: Any) -> Browsing:
        options = {"locale": "en-US", "timezone_id": "America/Chicago", **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_RECORDER)
        browsing_holder: list[Browsing] = []

        def report(_source: Any, entry: dict[str, Any]) -> None:
            browsing_holder[0].csp_violations.append(entry)

        context.expose_binding("__havenReportCsp", report)
        browsing = Browsing(page=context.new_page(), base_url=live_server.url)
        browsing_holder.append(browsing)
        opened.append((context, browsing))
        return browsing

    yield make
    try:
        for _context, browsing in opened:
            assert not browsing.csp_violations, f"CSP violations: {browsing.csp_violations}"
            assert not browsing.page_errors, f"uncaught script errors: {browsing.page_errors}"
            browsing.assert_all_pages_checked()
    finally:
        for context, _browsing in opened:
            context.close()


@pytest.fixture
def tab(new_browsing: Callable[..., Browsing]) -> Browsing:
    """The usual case: one fresh context and its tab."""
    return new_browsing()


@pytest.fixture(autouse=True)
def _links_point_at_live_server(settings: Any, live_server: Any) -> None:
    settings.HAVEN_BASE_URL = live_server.url


def wait_until(moment: float) -> None:
    """Sleep until time.monotonic() reaches ``moment``."""
    remaining = moment - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


@pytest.fixture(autouse=True)
def _shipped_reference_data(transactional_db: None) -> None:
    """The counties and need categories a data migration ships. The live
    server's transactional tests flush every table after each test, so a
    test that runs after another would find them gone."""
    from django.apps import apps

    migration = importlib.import_module("haven.protocol.migrations.0002_shipped_data")
    migration.load(apps, None)
