"""Reading the communications log and the roster."""

from __future__ import annotations

import uuid

from django.core.paginator import Page, Paginator

from haven.accounts.models import User
from haven.attachments.models import Attachment
from haven.communications.models import Communication, Interpreter
from haven.people.models import Case
from haven.people.selectors import case_workers

PAGE_SIZE = 25


def log_page(case: Case, number: str | None) -> Page[Communication]:
    """One page of the case's log, newest written first. Only what the list
    shows is read: the summary opens, the details stay sealed."""
    entries = (
        Communication.objects.filter(case=case)
        .select_related("interpreter", "recorded_by", "data_key")
        .defer("details", "partners", "others", "place", "ad_hoc_reason", "addendum_reason")
        .order_by("-seq")
    )
    return Paginator(entries, PAGE_SIZE).get_page(number)


def entry_get(case: Case, entry_id: uuid.UUID) -> Communication | None:
    return (
        Communication.objects.filter(case=case, pk=entry_id)
        .select_related("interpreter", "recorded_by", "data_key", "addendum_to")
        .first()
    )


def addenda_of(entry: Communication) -> list[Communication]:
    # Addenda are entries of the same case: asking by case too lets the
    # database start from the case's entries. By ``addendum_to`` alone,
    # SQLite's statistics (almost every row has none) made it read the
    # whole table, 300 ms at a million entries.
    return list(
        Communication.objects.filter(case_id=entry.case_id, addendum_to=entry)
        .select_related("recorded_by", "data_key")
        .order_by("seq")
    )


def files_of(entry: Communication) -> list[Attachment]:
    return list(
        Attachment.objects.filter(pk__in=entry.attachment_ids, case_id=entry.case_id)
        .select_related("data_key")
        .order_by("uploaded_at")
    )


def staff_choices(user: User) -> list[tuple[int, str]]:
    """Active staff of the user's agency who work cases: who may have taken part."""
    return [(m.pk, m.display_name or m.username) for m in case_workers(user=user)]


def staff_names(ids: list[int]) -> list[str]:
    return [
        u.display_name or u.username
        for u in User.objects.filter(pk__in=ids).order_by("display_name", "username")
    ]


def roster(user: User, *, active_only: bool = False) -> list[Interpreter]:
    rows = Interpreter.objects.filter(agency_id=user.agency_id).order_by("-active", "name")
    if active_only:
        rows = rows.filter(active=True)
    return list(rows)


def interpreter_get(user: User, interpreter_id: uuid.UUID) -> Interpreter | None:
    return Interpreter.objects.filter(pk=interpreter_id, agency_id=user.agency_id).first()
