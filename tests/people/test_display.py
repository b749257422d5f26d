"""How pages print a person's name and a case's address and status."""

from __future__ import annotations

import uuid

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from haven.people.display import shown_name
from haven.people.models import Case, Person

NONE_HIDDEN: dict[str, bool] = {}


@pytest.mark.parametrize(
    ("preferred", "legal", "hidden", "expected"),
    [
        ("Ana", "Ana Sample", NONE_HIDDEN, "Ana (Ana Sample)"),
        ("Ana Sample", "Ana Sample", NONE_HIDDEN, "Ana Sample"),
        ("Ana", "Ana Sample", {"legal": True}, "Ana"),
        ("Ana", "Ana Sample", {"preferred": True}, "Ana Sample"),
        ("", "Ana Sample", NONE_HIDDEN, "Ana Sample"),
        ("", "", NONE_HIDDEN, "Name not given"),
        ("Ana", "Ana Sample", {"legal": True, "preferred": True, "role": True}, ""),
    ],
)
def test_the_shown_name_follows_the_agency_and_the_role(preferred, legal, hidden, expected):
    person = Person(preferred_name=preferred or None, legal_name=legal or None)
    if hidden.get("role"):
        expected = "Name not shown to your role"
    assert shown_name(person, hidden) == expected


def test_a_name_is_escaped_on_the_page():
    person = Person(preferred_name="<b>Synthetic</b>", legal_name=None)
    page = Template("{% load people %}{% person_name person %}").render(
        Context({"person": person, "hidden_names": {}})
    )
    assert page == "&lt;b&gt;Synthetic&lt;/b&gt;"


def test_the_case_address_is_the_one_django_reverses():
    for case_id in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        page = Template("{% load people %}{{ id|case_url }}").render(Context({"id": case_id}))
        assert page == reverse("desk:case_detail", args=[case_id])


def test_the_status_label_is_in_the_active_language():
    template = Template("{% load people %}{{ status|case_status }}")
    assert template.render(Context({"status": Case.Status.CLOSED})) == "Closed"
    with translation.override("es"):
        spanish = template.render(Context({"status": Case.Status.CLOSED}))
        assert spanish == str(Case.Status.CLOSED.label)
    assert spanish != "Closed"
