"""Backup folder names and the retention rule. Pure functions, no files touched.

One backup is one folder ``haven-<UTC time>``; the time is in the name so
that the rule can be applied without opening anything. The rule keeps the
newest backup of each of the newest ``daily`` days, of the newest ``weekly``
ISO weeks and of the newest ``monthly`` months, and always the newest of all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable
from datetime import UTC, datetime

PREFIX = "haven-"
_NAME = re.compile(r"haven-(\d{8}T\d{6}\.\d{6})Z")
_FORMAT = "%Y%m%dT%H%M%S.%f"


def folder_name(at: datetime) -> str:
    """The name of the folder of a backup taken at ``at`` (to the microsecond)."""
    return f"{PREFIX}{at.astimezone(UTC).strftime(_FORMAT)}Z"


def taken_at(name: str) -> datetime | None:
    """When the backup in a folder of this name was taken; None for any other name."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), _FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _newest_per(
    stamps: list[datetime], period: Callable[[datetime], Hashable], count: int
) -> set[datetime]:
    """The newest stamp of each of the ``count`` newest periods."""
    kept: set[datetime] = set()
    seen: set[Hashable] = set()
    for stamp in stamps:  # newest first
        key = period(stamp)
        if key in seen:
            continue
        if len(seen) >= count:
            break
        seen.add(key)
        kept.add(stamp)
    return kept


def to_keep(
    stamps: Collection[datetime], *, daily: int = 7, weekly: int = 4, monthly: int = 12
) -> set[datetime]:
    """The backups the rule keeps (periods are counted in UTC)."""
    ordered = sorted(stamps, reverse=True)
    if not ordered:
        return set()
    utc = [s.astimezone(UTC) for s in ordered]
    back = dict(zip(utc, ordered, strict=True))
    kept = {utc[0]}
    kept |= _newest_per(utc, lambda s: s.date(), daily)
    kept |= _newest_per(utc, lambda s: s.isocalendar()[:2], weekly)
    kept |= _newest_per(utc, lambda s: (s.year, s.month), monthly)
    return {back[s] for s in kept}


def to_prune(
    stamps: Collection[datetime], *, daily: int = 7, weekly: int = 4, monthly: int = 12
) -> set[datetime]:
    """The backups the rule lets go: every one it does not keep."""
    return set(stamps) - to_keep(stamps, daily=daily, weekly=weekly, monthly=monthly)
