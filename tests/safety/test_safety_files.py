"""Nothing of staff safety can be read from the database files without the
key, and a removed person of concern leaves not even their ciphertext.

As the people and attachment tests do (tests/people/test_no_plaintext.py,
tests/attachments/test_attachment_files.py), a subprocess runs a real
install under a temporary folder: it records a person of concern with a
photo, a threat with evidence, a screened visit, a checklist and a
lockdown, all through the services; the test then searches the raw bytes of
the SQLite files for every value (UTF-8 and UTF-16-LE). Then it removes the
person of concern and searches for their sealed bytes, digests and keys.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.installs import install_copy, manage, subprocess_env
from tests.people.test_no_plaintext import ENCODINGS

MARK = "SAFETY:"
CONCERN = {
    "name": "Zebulon Quarrington",
    "aliases": "Quarrington the Ferryman\nZeb Qarrington",
    "description": "Tattoo of a heron on the left wrist",
    "vehicles": "Teal hatchback with a kayak rack",
    "plates": "QX-7731-ZB",
    "associates": "Marguerite Oyelaran",
}
PHOTO_WORDS = "Synthetic portrait beside the Quillmarsh ferry"
PHOTO_NAME = "heron-wrist-portrait.jpg"
THREAT = "Caller promised to visit the Lakeshore office at dawn"
REPORT_NUMBER = "RPT-55821-SYN"
EVIDENCE_WORDS = "Voicemail transcript marigold umbrella"
EVIDENCE_NAME = "marigold-voicemail.pdf"
VISIT = {
    "name_given": "Ottoline Brackenbury",
    "asking_for": "Persephone Achterberg",
    "purpose": "Returning a borrowed thermos",
    "plate": "VB-3391-QT",
}
CHECKLIST = {
    "alternative_stay_notes": "Cousin in Pellingford by the blue ferry",
    "emergency_contacts": "Aunt Philippa Greyhame",
    "notes": "Parks behind the Tuesday bakery",
}
REASON = "Drill: suspicious parcel near the loading dock"

KEEP = f"""
import hashlib, json, struct, time
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from haven.accounts.models import Role
from haven.attachments.models import Attachment, AttachmentContent
from haven.core.models import DataKey
from haven.safety import lockdown, services
from haven.safety.models import ConcernIndex, PersonOfConcern
from tests import files
from tests.factories import AgencyFactory, TeamFactory, make_staff

agency = AgencyFactory(name="Grep Agency")
team = TeamFactory(agency=agency, name="Grep Team")
advocate = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="grep-advocate")
intake = make_staff(agency=agency, role=Role.INTAKE, username="grep-intake")
admin = make_staff(agency=agency, role=Role.ADMIN, username="grep-admin")

words = {PHOTO_WORDS!r}.encode()
photo = b"\\xff\\xd8\\xff\\xfe" + struct.pack(">H", len(words) + 2) + words + b"\\xff\\xd9"
concern = services.concern_save(
    actor=advocate,
    values=services.ConcernValues(
        **{CONCERN!r}, photos=[files.accepted(photo, {PHOTO_NAME!r})]
    ),
)
evidence = files.pdf({EVIDENCE_WORDS!r})
threat = services.threat_record(
    actor=advocate,
    values=services.ThreatValues(
        occurred_at=timezone.now(),
        channel="voicemail",
        what_happened={THREAT!r},
        targeted_staff_ids=[advocate.pk],
        concern_ids=[concern.pk],
        reported_to_police=True,
        reported_on=timezone.localdate(),
        report_number={REPORT_NUMBER!r},
        evidence=[files.accepted(evidence, {EVIDENCE_NAME!r})],
    ),
)
visit = services.visit_check_in(actor=intake, values=services.VisitValues(**{VISIT!r}))
assert not visit.flagged
flagged = services.visit_check_in(
    actor=intake, values=services.VisitValues(name_given={CONCERN["name"]!r})
)
assert flagged.flagged
services.checklist_save(actor=advocate, values=services.ChecklistValues(**{CHECKLIST!r}))
services.safety_settings_save(
    actor=admin, alert_user_ids=[], lockdown_user_ids=[admin.pk], two_to_end_lockdown=False
)
code = format_hotp_value(hotp_value(admin.totp_secret, int(time.time()) // 30))
lockdown.lockdown_start(actor=admin, reason={REASON!r}, days=1, second_factor=code)

photo_row = concern.photos.get()
# The sealed bytes as stored, read past the fields that open them.
stored = PersonOfConcern.objects.filter(pk=concern.pk)
sealed = {{}}
for field in ["name", "aliases", "description", "vehicles", "plates", "associates"]:
    sealed["concern." + field] = bytes(stored.values_list(field, flat=True).get()).hex()
sealed["photo.name"] = bytes(
    Attachment.objects.filter(pk=photo_row.pk).values_list("name", flat=True).get()
).hex()
sealed["photo.content"] = bytes(
    AttachmentContent.objects.get(attachment=photo_row).sealed
).hex()
for key in DataKey.objects.filter(pk__in=[concern.data_key_id, photo_row.data_key_id]):
    sealed["key." + str(key.pk)] = bytes(key.wrapped).hex()
print({MARK!r} + json.dumps({{
    "concern": str(concern.pk),
    "sealed": sealed,
    "digests": list(ConcernIndex.objects.filter(concern=concern).values_list("digest", flat=True)),
    "sha256": [hashlib.sha256(evidence).hexdigest(), hashlib.sha256(photo).hexdigest()],
}}))
"""
REMOVE = """
import glob, json, uuid
from haven.accounts.models import User
from haven.safety import services
services.concern_remove(
    actor=User.objects.get(username="grep-advocate"), concern_id=uuid.UUID({concern!r})
)
# While the server still runs: what a copy of its disk would hold now.
raw = b"".join(open(p, "rb").read() for p in sorted(glob.glob({folder!r} + "/haven.sqlite3*")))
print("LEFT:" + json.dumps([name for name, needle in {needles!r} if bytes.fromhex(needle) in raw]))
"""


class StillOnDisk(Exception):
    """The files still hold something of a removed person of concern."""


def _raw(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob("haven.sqlite3*")) if p.is_file())


def _found(raw: bytes, needles: list[str]) -> list[tuple[str, str]]:
    return [(n, e) for n in needles for e in ENCODINGS if n.encode(e) in raw]


def needles(fresh: bytes) -> list[str]:
    """Every value, the forms screening digests (folded names, plates as
    letters and digits), and each word of 5 letters or more that a freshly
    migrated install does not already hold (its schema has "visit")."""
    values = [
        *CONCERN.values(),
        *CONCERN["aliases"].splitlines(),
        PHOTO_WORDS,
        PHOTO_NAME,
        THREAT,
        REPORT_NUMBER,
        EVIDENCE_WORDS,
        EVIDENCE_NAME,
        *VISIT.values(),
        *CHECKLIST.values(),
        REASON,
    ]
    found = {*values, *(v.casefold() for v in values), "QX7731ZB", "VB3391QT", "%PDF-1.4"}
    assert not _found(fresh, sorted(found)), "a needle is in an empty install"
    for value in values:
        for word in value.replace("-", " ").split():
            if len(word) >= 5 and not _found(fresh, [word]):
                found.add(word)
    assert {"Quarrington", "Brackenbury", "Greyhame", "Lakeshore", "marigold"} <= found
    return sorted(found)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, migrated_install) -> Path:
    """A migrated install, copied for each test: migrating once is enough."""
    folder = tmp_path_factory.mktemp("safety-install")
    env = install_copy(migrated_install, folder)
    # Second-factor codes are remembered in the cache, which lives in the database.
    manage("createcachetable", "-v0", env=env)
    return folder


@pytest.fixture
def kept(migrated, tmp_path) -> tuple[Path, dict, dict, list[str]]:
    shutil.copytree(migrated, tmp_path, dirs_exist_ok=True)
    env = subprocess_env(tmp_path)
    out = manage("shell", "-v0", "-c", KEEP, env=env)
    line = next(x for x in out.splitlines() if x.startswith(MARK))
    return tmp_path, env, json.loads(line[len(MARK) :]), needles(_raw(migrated))


def _remove(folder: Path, env: dict, kept: dict) -> list[str]:
    """Remove the person of concern; the names of their sealed values the
    files still held right after, while the process ran."""
    pieces = [(name, value[32:160]) for name, value in kept["sealed"].items()]
    pieces += [(f"digest.{n}", d.encode().hex()) for n, d in enumerate(kept["digests"])]
    script = REMOVE.format(concern=kept["concern"], folder=str(folder), needles=pieces)
    out = manage("shell", "-v0", "-c", script, env=env)
    return json.loads(next(x for x in out.splitlines() if x.startswith("LEFT:"))[5:])


def test_safety_data_is_unreadable_in_the_files_and_a_removed_concern_leaves_nothing(kept):
    folder, env, data, words = kept
    raw = _raw(folder)
    # The search would find plain text: the agency's name is stored in the clear.
    assert b"Grep Agency" in raw
    found = _found(raw, [*words, *data["sha256"]])
    assert not found, f"safety data in the clear: {found}"
    # The sealed values are there, to be destroyed.
    for name, value in data["sealed"].items():
        assert bytes.fromhex(value)[16:64] in raw, name
    for digest in data["digests"]:
        assert digest.encode() in raw

    _remove(folder, env, data)

    raw = _raw(folder)
    left = [name for name, value in data["sealed"].items() if bytes.fromhex(value)[16:64] in raw]
    assert not left, f"ciphertext of a removed concern remains: {left}"
    assert not [d for d in data["digests"] if d.encode() in raw]
    # The rest stays sealed.
    assert not _found(raw, words)


def test_a_removed_concern_is_gone_from_the_files_at_once(kept):
    folder, env, data, _ = kept
    left = _remove(folder, env, data)
    if left:
        raise StillOnDisk(left)
