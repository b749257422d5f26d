"""After a destruction, not even the person's ciphertexts remain in the file.

Their values were never there in clear (see test_no_plaintext.py); this test
checks that secure_delete and the checkpoint also wipe the sealed bytes, the
sealed data key and the search digests from the SQLite files.
"""

from __future__ import annotations

import json

from tests.installs import install_copy, manage

MARK = "DESTROYED:"
DESTROY = f"""
import json
from django.db import connection
from haven.people.models import Person, SearchEntry
from haven.people.services import person_destroy
person = Person.objects.exclude(legal_name=None).select_related("data_key").first()
with connection.cursor() as cursor:
    cursor.execute("SELECT legal_name FROM people_person WHERE id = %s", [person.pk.hex])
    sealed_name = bytes(cursor.fetchone()[0]).hex()
traces = {{
    "sealed_name": sealed_name,
    "wrapped_key": bytes(person.data_key.wrapped).hex(),
    # Only the whole digests no one else holds. A word of a name or its sound
    # shared with another person stays for them, and a year's or last four
    # digits' digest is a character or two, shared by many by design
    # (docs/adr/0022-search-indexes.md): neither is a trace of this person.
    "digests": [
        digest
        for digest in SearchEntry.objects.filter(person=person)
        .exclude(digest__in=SearchEntry.objects.exclude(person=person).values("digest"))
        .values_list("digest", flat=True)
        if len(digest) > 8
    ],
}}
person_destroy(actor=None, person=person, basis="request")
print({MARK!r} + json.dumps(traces))
"""  # noqa: S608 - a fixed script for manage.py shell; no input reaches it


def test_destroyed_person_leaves_no_trace_in_the_sqlite_files(tmp_path, seeded_install):
    env = install_copy(seeded_install[0], tmp_path)  # migrated and seeded
    out = manage("shell", "-v0", "-c", DESTROY, env=env)
    traces = json.loads(next(x for x in out.splitlines() if x.startswith(MARK))[len(MARK) :])
    assert traces["digests"], "the person had search entries to wipe"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("haven.sqlite3*") if p.is_file())
    assert bytes.fromhex(traces["sealed_name"]) not in raw
    assert bytes.fromhex(traces["wrapped_key"]) not in raw
    for digest in traces["digests"]:
        assert digest.encode() not in raw
