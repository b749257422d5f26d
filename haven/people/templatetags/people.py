"""What the pages of people and cases print for a person or a case.

Written in Python rather than as included templates: a list prints these
for fifty rows, and a template include or a ``{% url %}`` costs about a
tenth of a millisecond a row.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import template

from haven.core.addresses import case_address
from haven.people.caselist import CaseFilters
from haven.people.display import shown_name
from haven.people.marks import case_marks
from haven.people.models import Case, Person

register = template.Library()

_STATUS_LABELS = dict(Case.Status.choices)


@register.simple_tag(takes_context=True)
def person_name(context: template.Context, person: Person) -> str:
    """The person's name under the agency's and the role's rules
    (``hidden_names`` in the page's context); escaped like any output."""
    return shown_name(person, context.get("hidden_names") or {})


@register.filter
def case_url(case_id: uuid.UUID) -> str:
    """The address of a case's page, as ``{% url 'desk:case_detail' id %}``."""
    return case_address("desk:case_detail", case_id)


@register.filter
def case_status(status: Any) -> str:
    """A case status's label, in the active language."""
    return str(_STATUS_LABELS.get(status, status))


@register.filter
def get_marks(marks: dict[uuid.UUID, list[str]], case_id: uuid.UUID) -> list[str]:
    """The codes of the marks a case carries, from CasePage.marks."""
    return marks.get(case_id, [])


@register.filter
def mark_label(code: str) -> str:
    """A case mark's label, in the active language."""
    mark = case_marks.get(code)
    return str(mark.label) if mark else code


@register.filter
def query_page(filters: CaseFilters, number: int) -> str:
    """The case list's query string for page ``number`` of the same question."""
    return filters.query(page=number)
