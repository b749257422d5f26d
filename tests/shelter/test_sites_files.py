"""Nothing of a site's sealed details can be read from the database files,
the audit trail or the log, even after it was recorded and its address
opened.

As tests/safety/test_safety_files.py does, a subprocess runs a real install
under a temporary folder: it sets up a site, records its name, address,
phone and rules through the services, and opens the address, with every log
record of the run captured. The test then searches the raw bytes of the
SQLite files for each value and each distinctive word of them (UTF-8 and
UTF-16-LE). The alias is public by design and is not searched for.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.installs import install_copy, manage
from tests.people.test_no_plaintext import ENCODINGS

MARK = "SITES:"
SEALED = {
    "name": "Casa Quillfeather Retreat",
    "address": "4471 Marrowbine Lane\nPellingford",
    "phone": "608-555-0193",
    "rules": "Curfew at the blue lantern hour; no visitors in the orchard",
}

SCRIPT = f"""
import io, json, logging, time
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from haven.accounts.models import Role
from haven.audit.models import AuditEvent
from haven.shelter import sites as services
from tests.factories import AgencyFactory, TeamFactory, make_staff

captured = io.StringIO()
handler = logging.StreamHandler(captured)
handler.setLevel(logging.DEBUG)
logging.getLogger().addHandler(handler)
logging.getLogger().setLevel(logging.DEBUG)

agency = AgencyFactory(name="Grep Agency")
team = TeamFactory(agency=agency, name="Grep Team")
admin = make_staff(agency=agency, role=Role.ADMIN, username="grep-admin")
shelter = make_staff(agency=agency, role=Role.SHELTER, team=team, username="grep-shelter")
values = services.SiteValues(alias="Site A", team_id=team.pk)
site = services.site_create(actor=admin, values=values)
services.bed_add(actor=admin, site_id=site.pk, room="Room 1", label="A")
# Two codes at once, each used once: the next step's to seal, this one's to open.
step = int(time.time()) // 30
services.site_sealed_set(
    actor=shelter,
    site_id=site.pk,
    values=services.SealedValues(**{SEALED!r}),
    second_factor=format_hotp_value(hotp_value(shelter.totp_secret, step + 1)),
)
code = format_hotp_value(hotp_value(shelter.totp_secret, step))
opened = services.site_address_open(
    actor=shelter, site_id=site.pk, reason="transport", second_factor=code
)
assert opened.address == {SEALED["address"]!r}
print({MARK!r} + json.dumps({{
    "log": captured.getvalue(),
    "audit": [[e.action, e.object_type, e.object_id, e.detail] for e in AuditEvent.objects.all()],
}}))
"""


def _raw(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob("haven.sqlite3*")) if p.is_file())


def _needles() -> list[str]:
    values = list(SEALED.values())
    found = {*values, *(v.casefold() for v in values), "6085550193"}
    for value in values:
        found.update(word for word in value.replace("-", " ").split() if len(word) >= 6)
    assert {"Quillfeather", "Marrowbine", "Pellingford", "orchard"} <= found
    return sorted(found)


@pytest.fixture
def install(tmp_path_factory, migrated_install, tmp_path) -> tuple[Path, dict]:
    env = install_copy(migrated_install, tmp_path)
    # Second-factor codes are remembered in the cache, which lives in the database.
    manage("createcachetable", "-v0", env=env)
    out = manage("shell", "-v0", "-c", SCRIPT, env=env)
    line = next(x for x in out.splitlines() if x.startswith(MARK))
    return tmp_path, json.loads(line[len(MARK) :])


def test_a_sites_sealed_details_are_nowhere_in_the_clear(install, migrated_install):
    folder, seen = install
    needles = _needles()
    assert not [n for n in needles for e in ENCODINGS if n.encode(e) in _raw(migrated_install)]
    raw = _raw(folder)
    # The search would find plain text: the agency's name and the alias are in the clear.
    assert b"Grep Agency" in raw
    assert b"Site A" in raw
    found = [(n, e) for n in needles for e in ENCODINGS if n.encode(e) in raw]
    assert not found, f"a site's sealed details in the clear: {found}"
    audit = json.dumps(seen["audit"])
    assert "shelter.address_opened" in audit
    assert not [n for n in needles if n in audit or n.casefold() in audit.casefold()]
    assert seen["log"], "nothing was logged: the log search would prove nothing"
    assert not [n for n in needles if n.casefold() in seen["log"].casefold()]
    shutil.rmtree(folder, ignore_errors=True)
