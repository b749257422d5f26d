"""No shelter site's name, address, phone or rules, and no stay's safety
notes or location, in the clear: not in the database files, not in an
export of the case (even with the shelter consented), not in the audit
trail. A site's alias is public by design and is looked for only to show
that the search would find plain text.

The database test runs in a copy of the seeded demo install (whose two
sites and resident carry sealed synthetic values, ``haven.desk.demo``), adds
a site and stays with distinctive values through the models' sealed fields
in a subprocess, and searches the raw bytes of the SQLite files in UTF-8 and
UTF-16-LE, as tests/people/test_no_plaintext.py does for people.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from haven.audit.models import AuditEvent
from haven.desk.demo import RESIDENT_SAFETY_NOTES, SITES
from haven.exports.services import ExportRequest, export_record
from tests.factories import give_consent, record_intake
from tests.installs import install_copy, manage
from tests.people.test_no_plaintext import plaintext_in
from tests.shelter.places import site_of, stay_at

ALIAS = "Site Quillon"
SITE = {
    "name": "Zephyrine Lodge",
    "address": "4417 Marrowgate Close, Verulam",
    "phone": "(608) 555-0419",
    "rules": "No visitors; Vandermolt curfew",
}
SAFETY_NOTES = "Avoid Kestrelmoor relatives"
LOCATION = "Brindlewick partner house"


# The invented words in them, each found alone too.
WORDS = {"Zephyrine", "Marrowgate", "Verulam", "Vandermolt", "Kestrelmoor", "Brindlewick"}


def needles(values) -> set[str]:
    """Each value, each invented word in it, and phones as digits."""
    found: set[str] = set()
    for value in values:
        found.add(value)
        found.update(word for word in WORDS if word in value)
        if re.fullmatch(r"[\d() -]+", value):
            found.add(re.sub(r"\D", "", value))
    return found


SITE_NEEDLES = needles([*SITE.values(), SAFETY_NOTES])
DEMO_NEEDLES = {v for _a, _t, _b, sealed in SITES for v in sealed.values()} | {
    RESIDENT_SAFETY_NOTES
}

ADD_SITE = f"""
from haven.accounts.models import User
from haven.core.keys import data_key_create
from haven.people.models import Case
from haven.shelter.models import ShelterSite, Stay
actor = User.objects.get(username="demo-advocate")
team = actor.memberships.exclude(team=None).first().team
site = ShelterSite(agency=actor.agency, team=team, alias={ALIAS!r})
site.data_key = data_key_create(actor.agency)[0]
for field, value in {SITE!r}.items():
    setattr(site, field, value)
site.save()
case = Case.objects.filter(agency=actor.agency, restricted=False).order_by("pk").first()
for where, extra in ((site, {{"safety_notes": {SAFETY_NOTES!r}}}),
                     (None, {{"location": {LOCATION!r}}})):
    stay = Stay(case=case, site=where, data_key_id=case.person.data_key_id,
                starts_on="2026-01-0" + ("1" if where else "9"),
                ends_on="2026-01-09" if where else None, created_by=actor)
    for field, value in extra.items():
        setattr(stay, field, value)
    stay.save()
print("SITE-ADDED")
"""


def test_no_site_or_stay_value_in_the_sqlite_files(tmp_path, seeded_install):
    seeded, summary = seeded_install
    env = install_copy(seeded, tmp_path)
    assert "SITE-ADDED" in manage("shell", "-v0", "-c", ADD_SITE, env=env)
    wanted = SITE_NEEDLES | DEMO_NEEDLES | needles([LOCATION])
    assert not [n for n in DEMO_NEEDLES if n in summary], "seed_demo printed a site's value"
    database = tmp_path / "haven.sqlite3"
    # The search would find plain text: aliases are stored in the clear.
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("haven.sqlite3*") if p.is_file())
    assert ALIAS.encode() in raw
    assert b"Site A" in raw
    assert database.exists()
    for path in sorted(p for p in tmp_path.glob("haven.sqlite3*") if p.is_file()):
        found = plaintext_in(path.read_bytes(), wanted)
        assert not found, f"{len(found)} plaintext values in {path.name}, e.g. {found[:5]}"


@pytest.mark.django_db
def test_no_site_value_in_an_export_with_the_shelter_consented_or_in_the_audit_trail(
    advocate, team
):
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Exported")
    site = site_of(team, ALIAS, **SITE)
    stay_at(case, site, actor=advocate, safety_notes=SAFETY_NOTES)
    give_consent(
        actor=advocate,
        case=case,
        purpose="legal",
        kinds=["identity", "notes", "shelter"],
        category="local",
    )
    exported = export_record(
        actor=advocate,
        case=case,
        request=ExportRequest(
            audience="third_party",
            recipient_name="Sample Legal Aid (synthetic)",
            recipient_category="local",
            purpose="legal",
            kinds=["identity", "notes", "shelter"],
        ),
    )
    with zipfile.ZipFile(io.BytesIO(exported.zip_bytes)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    record = json.loads(members["record.json"])
    assert record["shelter"][0]["where"] == ALIAS  # the shelter did go out, by alias
    for name, data in [*members.items(), ("the zip file", exported.zip_bytes)]:
        found = plaintext_in(data, SITE_NEEDLES)
        assert not found, f"{found[:5]} in {name}"
    trail = json.dumps(
        list(AuditEvent.objects.values("action", "object_type", "object_id", "detail")),
        default=str,
        ensure_ascii=False,
    ).encode()
    assert AuditEvent.objects.exists()
    found = plaintext_in(trail, SITE_NEEDLES | {ALIAS})
    assert not found, f"{found[:5]} in the audit trail"
