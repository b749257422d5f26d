"""How far an export has come, in steps a job can show: one per
communication and document collected, one per PDF page laid out
(estimated beforehand, corrected as WeasyPrint goes), then packing and
recording.

WeasyPrint reports each page it lays out on its ``weasyprint.progress``
logger ("Step 5 - Creating layout - Page 12"): a handler on that logger
hands the page number to the export running in the same thread. The
messages hold step names and page numbers, never document text, and are
passed on to no other handler.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from haven.attachments.models import Attachment, Use
from haven.communications.models import Communication
from haven.exports.content import Scope
from haven.people.models import Case

# A communication with a paragraph of details took a third of a page in a
# synthetic record of 40; longer ones take more. Overestimating leaves the
# bar a small jump at the end rather than a full bar that still waits.
PAGES_PER_ITEM = 0.5

_listening = threading.local()
_install_lock = threading.Lock()


class Report(Protocol):
    def __call__(self, done: int, total: int, label: str = "") -> None: ...


class _PageHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        on_page: Callable[[int], None] | None = getattr(_listening, "on_page", None)
        if on_page is None or "Page" not in str(record.msg) or not record.args:
            return
        page = record.args[0] if isinstance(record.args, tuple) else None
        if isinstance(page, int):
            on_page(page)


_handler = _PageHandler()


_active = 0


@contextmanager
def pages_reported(on_page: Callable[[int], None]) -> Iterator[None]:
    """Call ``on_page(n)`` for each page WeasyPrint lays out in this thread.

    The logger speaks (level INFO) only while some export listens, and to
    this handler only; set up again each time, since a logging
    configuration run since may have reset it."""
    global _active
    progress = logging.getLogger("weasyprint.progress")
    with _install_lock:
        _active += 1
        if _handler not in progress.handlers:
            progress.addHandler(_handler)
        progress.propagate = False
        progress.setLevel(logging.INFO)
    _listening.on_page = on_page
    try:
        yield
    finally:
        _listening.on_page = None
        with _install_lock:
            _active -= 1
            if _active == 0:
                progress.setLevel(logging.NOTSET)


class Steps:
    """The steps of one export, reported through ``report`` (a job's
    Progress), or nothing when there is none."""

    def __init__(self, report: Report | None, case: Case, scope: Scope) -> None:
        self.report = report
        self.items = 0
        self.done = 0
        if report is not None:
            self.items = Communication.objects.filter(case=case).count()
            if scope.documents:
                self.items += Attachment.objects.filter(case=case, use=Use.DOCUMENT).count()
        self.pages = max(1, math.ceil(self.items * PAGES_PER_ITEM))
        self._tell("collecting")

    @property
    def total(self) -> int:
        return self.items + self.pages + 2

    def item(self) -> None:
        self.done = min(self.done + 1, self.items)
        self._tell("collecting")

    def rendering(self) -> None:
        self.done = self.items
        self._tell("rendering")

    def page(self, number: int) -> None:
        if number >= self.pages:
            # Longer than estimated: a little more room, so the bar never fills early.
            self.pages = number + max(1, self.pages // 10)
        self.done = self.items + number
        self._tell("rendering")

    def packing(self) -> None:
        self.done = self.items + self.pages
        self._tell("packing")

    def recording(self) -> None:
        self.done = self.items + self.pages + 1
        self._tell("recording")

    def _tell(self, label: str) -> None:
        if self.report is not None:
            self.report(self.done, self.total, label)
