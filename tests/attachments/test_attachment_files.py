"""Nothing of an attachment can be read from the database files without the
key, and a destroyed person's attachments leave not even their ciphertext.

As the people tests do, a subprocess runs a real install under a temporary
folder: it seeds the demo (once per run, copied: see tests/installs.py),
keeps a synthetic document for one person, and the test then searches the
raw bytes of the SQLite files for the document's words, name, description
and hash; then it destroys the person and searches for the sealed bytes
themselves.
"""

from __future__ import annotations

import json

from tests.installs import install_copy, manage
from tests.people.test_no_plaintext import ENCODINGS

MARK = "ATTACHMENT:"
WORDS = "Synthetic tenancy agreement for flat nine"
NAME = "tenancy-flat-nine.pdf"
DESCRIPTION = "Tenancy agreement kept for the hearing"
KEEP = f"""
import hashlib, json
from django.db import connection
from haven.accounts.models import Membership, Role
from haven.attachments.models import AttachmentContent
from haven.attachments.services import attachment_store
from haven.people.models import Case
from tests import files
member = Membership.objects.filter(role=Role.ADVOCATE).select_related("user").first()
case = Case.objects.filter(agency_id=member.user.agency_id).select_related("person").first()
data = files.pdf({WORDS!r})
kept = attachment_store(
    actor=member.user, case=case, upload=files.accepted(data, {NAME!r}),
    description={DESCRIPTION!r},
)
print({MARK!r} + json.dumps({{
    "person": str(case.person_id),
    "attachment": str(kept.pk),
    "sha256": hashlib.sha256(data).hexdigest(),
    "sealed": bytes(AttachmentContent.objects.get(attachment=kept).sealed).hex(),
}}))
"""
DESTROY = """
import uuid
from haven.people.models import Person
from haven.people.services import person_destroy
person_destroy(actor=None, person=Person.objects.get(pk=uuid.UUID({person!r})), basis="request")
"""


def _raw(tmp_path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("haven.sqlite3*") if p.is_file())


def test_an_attachment_is_unreadable_in_the_files_and_gone_after_destruction(
    tmp_path, seeded_install
):
    env = install_copy(seeded_install[0], tmp_path)  # migrated and seeded
    out = manage("shell", "-v0", "-c", KEEP, env=env)
    kept = json.loads(next(x for x in out.splitlines() if x.startswith(MARK))[len(MARK) :])

    raw = _raw(tmp_path)
    needles = [WORDS, "flat nine", NAME, "tenancy", DESCRIPTION, kept["sha256"], "%PDF-1.4"]
    found = [(n, e) for n in needles for e in ENCODINGS if n.encode(e) in raw]
    assert not found, f"attachment data in the clear: {found}"
    sealed = bytes.fromhex(kept["sealed"])
    assert sealed[16:80] in raw, "the sealed bytes are there to be destroyed"

    manage("shell", "-v0", "-c", DESTROY.format(person=kept["person"]), env=env)
    assert sealed[16:80] not in _raw(tmp_path)
