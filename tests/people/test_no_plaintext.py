"""No name, alias, date of birth or phone of a person served, in the clear,
anywhere in the database: the SQLite files, or a PostgreSQL dump.

Each test seeds the demo (35 synthetic people in several scripts) with
``seed_demo`` in a subprocess against a fresh database, reads the values back
through the ORM in another subprocess, then searches the raw bytes for each
value and each name word of four characters or more, in UTF-8 and UTF-16-LE.
The test process itself never touches these databases. The SQLite install is
migrated and seeded once per run and copied for each test that needs it
(see tests/installs.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from psycopg.conninfo import conninfo_to_dict

from haven.desk.management.commands.seed_demo import DEMO_PEOPLE
from tests.installs import ROOT, install_copy, manage, subprocess_env

MARK = "PEOPLE-JSON:"
READ_BACK = f"""
import json
from haven.people.models import Person
people = []
for p in Person.objects.select_related("data_key").prefetch_related("aliases"):
    people.append({{
        "names": [p.legal_name, p.preferred_name, *(a.name for a in p.aliases.all())],
        "other": [p.self_term, p.contact_notes, p.gender],
        "date_of_birth": p.date_of_birth,
        "phone": p.phone,
    }})
print({MARK!r} + json.dumps(people))
"""
ENCODINGS = ("utf-8", "utf-16-le")


def read_back(env: dict[str, str]) -> list[dict]:
    """Every seeded person's values, read through the ORM."""
    out = manage("shell", "-v0", "-c", READ_BACK, env=env)
    line = next(line for line in out.splitlines() if line.startswith(MARK))
    people = json.loads(line.removeprefix(MARK))
    assert len(people) == sum(DEMO_PEOPLE.values())
    return people


def seed_and_read_back(env: dict[str, str]) -> tuple[str, list[dict]]:
    """Migrate, seed, and return the seed's output and every person's values."""
    manage("migrate", "-v0", env=env)
    summary = manage("seed_demo", env=env)
    return summary, read_back(env)


def _shipped_words() -> set[str]:
    """Words Haven ships as public reference data (Wisconsin's county names):
    a synthetic name may share one ("Douglas") without anything leaking."""
    counties = ROOT / "haven" / "protocol" / "data" / "wi_counties.csv"
    rows = counties.read_text(encoding="utf-8").splitlines()[1:]
    return {word for row in rows for word in row.split(",", 1)[1].split()}


def needles_of(people: list[dict]) -> set[str]:
    """Every value, each name word of 4+ characters (other than a word of the
    shipped reference data), and phones as digits."""
    needles: set[str] = set()
    shipped = _shipped_words()
    for person in people:
        for text in [*person["names"], *person["other"]]:
            if text:
                needles.add(text)
                needles.update(
                    word for word in text.split() if len(word) >= 4 and word not in shipped
                )
        if person["date_of_birth"]:
            needles.add(person["date_of_birth"])
        if person["phone"]:
            needles.update({person["phone"], re.sub(r"\D", "", person["phone"])})
    # Not vacuous: names in other scripts, dates of birth and phones are all there.
    assert any(not n.isascii() for n in needles)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", n) for n in needles)
    assert any(re.fullmatch(r"\d{10}", n) for n in needles)
    return needles


def plaintext_in(raw: bytes, needles: set[str]) -> list[tuple[str, str]]:
    return [
        (needle, encoding)
        for needle in sorted(needles)
        for encoding in ENCODINGS
        if needle.encode(encoding) in raw
    ]


def test_no_plaintext_in_the_sqlite_files_after_seeding(tmp_path, seeded_install):
    seeded, summary = seeded_install
    env = install_copy(seeded, tmp_path)
    people = read_back(env)
    needles = needles_of(people)
    assert not [n for n in needles if n in summary], "seed_demo printed a person's data"
    database = tmp_path / "haven.sqlite3"
    # The search would find plain text: the agency's name is stored in the clear.
    assert b"Demo Agency" in database.read_bytes()
    # The database, and its -wal and -shm files if they are still there.
    for path in sorted(p for p in tmp_path.glob("haven.sqlite3*") if p.is_file()):
        found = plaintext_in(path.read_bytes(), needles)
        assert not found, f"{len(found)} plaintext values in {path.name}, e.g. {found[:5]}"


# --- PostgreSQL ------------------------------------------------------------------


def _pg_dump() -> str:
    bindir = os.environ.get("HAVEN_PG_BINDIR", "")
    found = os.path.join(bindir, "pg_dump") if bindir else shutil.which("pg_dump")
    if not found or not os.access(found, os.X_OK):
        pytest.skip("no pg_dump: set HAVEN_PG_BINDIR (scripts/with-postgres does)")
    return found


def test_no_plaintext_in_a_postgres_dump_after_seeding(tmp_path, fresh_postgres):
    pg_dump = _pg_dump()
    env = subprocess_env(tmp_path, DATABASE_URL=fresh_postgres)
    summary, people = seed_and_read_back(env)
    needles = needles_of(people)
    assert not [n for n in needles if n in summary], "seed_demo printed a person's data"
    params = conninfo_to_dict(fresh_postgres)
    command = [pg_dump, "--no-password", "-d", str(params["dbname"])]
    for option, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            command += [option, str(params[key])]
    dump_env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if params.get("password"):
        dump_env["PGPASSWORD"] = str(params["password"])
    dump = subprocess.run(command, env=dump_env, capture_output=True, timeout=120, check=False)
    assert dump.returncode == 0, dump.stderr.decode(errors="replace")[-2000:]
    assert b"COPY public.people_person" in dump.stdout
    assert b"Demo Agency" in dump.stdout
    found = plaintext_in(dump.stdout, needles)
    assert not found, f"{len(found)} plaintext values in the dump, e.g. {found[:5]}"
