"""People's identifying data: sealed in place, found by exact match only."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from haven.core import crypto
from haven.core.errors import NotFound
from haven.people.models import Alias, Person
from haven.people.selectors import people_matching
from haven.people.services import case_open
from tests.factories import record_person
from tests.installs import install_copy

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def recorded(actor, team, **fields):
    """A person and their case, as intake records them."""
    person = record_person(actor=actor, **fields)
    case_open(actor=actor, person=person, team=team)
    return person


@pytest.fixture
def person(intake, team):
    return recorded(
        intake,
        team,
        legal_name="Zofia Quell-Marsh",
        preferred_name="Zo",
        date_of_birth=date(1999, 4, 2),
        phone="(608) 555-0143",
        aliases=["Zosia Q"],
    )


def test_values_read_back_and_are_sealed_in_the_row(person):
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.legal_name == "Zofia Quell-Marsh"
    assert fresh.date_of_birth == "1999-04-02"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_name FROM people_person WHERE id = %s",
            [person.pk.hex if connection.vendor == "sqlite" else person.pk],
        )
        raw = bytes(cursor.fetchone()[0])
    assert b"Zofia" not in raw
    assert len(raw) > len("Zofia Quell-Marsh")


def test_a_value_copied_to_another_field_or_row_does_not_open(person, intake):
    other = record_person(actor=intake, legal_name="Another Synthetic")
    sealed = Person.objects.filter(pk=person.pk).values_list("legal_name", flat=True).get()
    Person.objects.filter(pk=person.pk).update(preferred_name=sealed)
    Person.objects.filter(pk=other.pk).update(legal_name=sealed)
    with pytest.raises(crypto.DecryptionError):
        _ = Person.objects.get(pk=person.pk).preferred_name
    with pytest.raises(crypto.DecryptionError):
        _ = Person.objects.get(pk=other.pk).legal_name


@pytest.mark.parametrize("query", ["zofia quell-marsh", "  ZOFIA   Quell-Marsh ", "Zo", "zosia q"])
def test_name_search_finds_normalised_spellings(person, intake, query):
    assert people_matching(user=intake, name=query) == [person]


def test_accents_and_other_scripts_meet(intake, team):
    jose = recorded(intake, team, legal_name="José Ñandú")
    assert people_matching(user=intake, name="JOSE NANDU") == [jose]
    olena = recorded(intake, team, legal_name="Олена Коваль")
    assert people_matching(user=intake, name="Olena Koval") == [olena]


def test_date_of_birth_and_phone_search(person, intake):
    assert people_matching(user=intake, date_of_birth=date(1999, 4, 2)) == [person]
    assert people_matching(user=intake, phone="+1 608 555 0143") == [person]
    assert people_matching(user=intake, name="Nobody Here") == []


def test_another_agency_finds_nothing(person, outsider):
    assert people_matching(user=outsider, name="Zofia Quell-Marsh") == []


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_administrators_and_auditors_cannot_search(person, all_personas, persona):
    with pytest.raises(NotFound):
        people_matching(user=all_personas[persona], name="Zofia Quell-Marsh")


def test_aliases_are_sealed_too(person):
    alias = Alias.objects.get(person=person)
    assert alias.name == "Zosia Q"
    raw = Alias.objects.filter(pk=alias.pk).values_list("name", flat=True).get()
    assert b"Zosia" not in bytes(raw)


GREP_SCRIPT = """
from datetime import date
from haven.accounts.models import Membership, Role, User
from haven.core.models import Agency
from haven.people.services import person_create
from tests.factories import record_intake, record_person
agency = Agency.objects.create(name="Grep Agency")
user = User.objects.create(agency=agency, username="grep-intake")
Membership.objects.create(user=user, role=Role.INTAKE)
for name, dob, phone in PEOPLE:
    record_person(actor=user, legal_name=name, date_of_birth=dob, phone=phone,
                  aliases=[name.split()[0] + " Alias"])
"""
PEOPLE = [
    ("Wilhelmina Oyelaran-Fisk", date(1987, 11, 23), "414-555-0177"),
    ("Thaddeus Kowalczykowa", date(2009, 2, 14), "920-555-0199"),
    ("Mẫn Nguyễn Thị Quyên", date(1975, 6, 30), "608-555-0112"),
]


def test_no_name_date_of_birth_or_phone_in_the_sqlite_files(tmp_path, migrated_install):
    env = install_copy(migrated_install, tmp_path)  # a freshly migrated local install
    run = [sys.executable, "manage.py"]
    script = f"PEOPLE = {PEOPLE!r}\n" + GREP_SCRIPT
    subprocess.run(
        [*run, "shell", "-c", "import datetime\n" + script],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    files = [p for p in tmp_path.glob("haven.sqlite3*") if p.is_file()]
    assert files, "the database file was not written"
    raw = b"".join(p.read_bytes() for p in files)
    for name, dob, phone in PEOPLE:
        needles = [*name.split(), dob.isoformat(), phone, phone.replace("-", "")]
        for needle in needles:
            for encoding in ("utf-8", "utf-16-le"):
                assert needle.encode(encoding) not in raw, needle
