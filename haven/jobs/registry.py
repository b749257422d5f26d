"""The kinds of background job, and what a kind's ``run`` is given and returns.

A kind registers itself where it is defined::

    @job_kind("exports.record", label=_("Export of a case record"), steps=STEPS)
    def run(job: Job, progress: Progress) -> JobOutput: ...

Kinds live in a module named ``jobs`` of their app (``haven/exports/jobs.py``):
``JobsConfig.ready`` imports every such module, and a lookup of a kind not
yet seen imports them again, so a kind is found whatever was imported first.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.core.models import DataKey
from haven.jobs.holds import held
from haven.jobs.models import Job, State

NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
STEP = re.compile(r"^[a-z][a-z_]{0,31}$")
SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# At most this many progress writes a second (plus one whenever the step changes).
PROGRESS_INTERVAL = 0.25


class JobRefused(Exception):
    """The rules refused the job when it ran (a consent withdrawn, access
    lost, the agency locked down): it fails with Failure.REFUSED, not as a
    crash."""


class JobSuperseded(Exception):
    """This attempt is no longer the job's own (its worker was taken for
    dead and the job given to another, or it finished meanwhile): stop, and
    keep nothing."""


@dataclass(frozen=True)
class JobOutput:
    """A finished job's file. ``data_key``: the person's key when the content
    holds their identifying data; None for a result of no one in particular
    (the job then gets a key of its own). ``filename`` says what the file
    is, never whom it is about (letters, digits, dot, dash, underscore)."""

    content: bytes
    content_type: str
    filename: str
    data_key: DataKey | None = None

    def __post_init__(self) -> None:
        if not SAFE_FILENAME.match(self.filename) or ".." in self.filename:
            raise ValueError("a job's file name is letters, digits, '.', '-' and '_' only")
        if not re.match(r"^[a-z]+/[a-z0-9.+-]+$", self.content_type):
            raise ValueError("a job's content type is a plain media type")


Runner = Callable[["Job", "Progress"], JobOutput]
# Whether ``user`` (the job's creator) may still open the finished job's
# result: access to what it is about may have been lost since it ran.
Opener = Callable[["Job", "User"], bool]


@dataclass(frozen=True)
class Kind:
    name: str
    run: Runner
    label: str | Promise
    # The steps a job of this kind reports, and their words for staff.
    steps: Mapping[str, str | Promise] = field(default_factory=dict)
    # Checked again at every download; None: the creator always may.
    may_open: Opener | None = None


_KINDS: dict[str, Kind] = {}
DEFAULT_LABEL = _("Background job")


def job_kind(
    name: str,
    *,
    label: str | Promise = DEFAULT_LABEL,
    steps: Mapping[str, str | Promise] | None = None,
    may_open: Opener | None = None,
) -> Callable[[Runner], Runner]:
    if not NAME.match(name):
        raise ValueError(f"a job kind is named app.what: {name!r}")
    for step in steps or {}:
        if not STEP.match(step):
            raise ValueError(f"a step of {name} is a short lowercase key: {step!r}")

    def register(run: Runner) -> Runner:
        known = _KINDS.get(name)
        if known is not None and known.run.__qualname__ != run.__qualname__:
            raise ValueError(f"two job kinds are named {name}")
        _KINDS[name] = Kind(
            name=name, run=run, label=label, steps=dict(steps or {}), may_open=may_open
        )
        return run

    return register


def discover() -> None:
    autodiscover_modules("jobs")


def kind_of(name: str) -> Kind | None:
    if name not in _KINDS:
        discover()
    return _KINDS.get(name)


def kind_label(name: str) -> str:
    kind = kind_of(name)
    return str(kind.label) if kind else str(DEFAULT_LABEL)


def step_label(name: str, step: str) -> str:
    kind = kind_of(name)
    return str(kind.steps.get(step, "")) if kind and step else ""


class Progress:
    """``progress(done, total, label)``: how far a job has come, written to
    its row at most a few times a second (and at once when the step
    changes). Every write is also a heartbeat, and a step: a hold on the
    agency (a lockdown) refuses the job there, and an attempt that is no
    longer the job's own stops there."""

    def __init__(
        self,
        job: Job,
        *,
        interval: float = PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job = job
        self.kind = kind_of(job.kind)
        self.interval = interval
        self.clock = clock
        self.done = job.done
        self.total = job.total
        self.label = job.label
        self._written: float | None = None
        self._pending = False
        self.writes = 0

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if label and (self.kind is None or label not in self.kind.steps):
            raise ValueError(f"{label!r} is not a step of {self.job.kind}")
        total = max(0, int(total))
        done = min(max(0, int(done)), total)
        changed_step = label != self.label
        self.done, self.total, self.label = done, total, label
        now = self.clock()
        if changed_step or self._written is None or now - self._written >= self.interval:
            self._write(now)
        else:
            self._pending = True

    def flush(self) -> None:
        if self._pending:
            self._write(self.clock())

    def _write(self, now: float) -> None:
        if held(self.job.agency_id):
            raise JobRefused
        updated = Job.objects.filter(
            pk=self.job.pk, state=State.RUNNING, attempt=self.job.attempt
        ).update(done=self.done, total=self.total, label=self.label, heartbeat_at=timezone.now())
        if not updated:
            raise JobSuperseded
        self._written = now
        self._pending = False
        self.writes += 1
