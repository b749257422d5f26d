"""Data made once and shared by many tests, as Django's ``setUpTestData`` does.

A module-scoped fixture makes the data inside a transaction of its own
(``shared_data``), which is rolled back after the module's last test. Each
test still runs in its own savepoint inside it (pytest-django's ``db``), so
whatever a test writes is undone before the next one, and it gets a deep copy
of the Python objects (``fresh``), so an object one test changed in memory
is never what the next one sees.

Use it only where every test of the module wants the same data: the rows
are there for each test of the module, whether it asks for them or not.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.test import TestCase

T = TypeVar("T")


def shared_data(django_db_blocker: Any, make: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture: ``yield from shared_data(django_db_blocker, make)``."""
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            data = make()
        except BaseException:
            TestCase._rollback_atomics(atomics)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            TestCase._rollback_atomics(atomics)


def fresh(data: T) -> T:
    """The shared objects, copied for one test."""
    return copy.deepcopy(data)
