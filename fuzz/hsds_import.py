"""Fuzz the HSDS directory import: the whole import, as an administrator's
upload reaches it (``haven.partners.exchange.directory_import``): reading
the zip, CSV or JSON, checking every value and reference against the
agency's directory, planning and writing. Reading and writing are separate
steps, but a file that reads cleanly is only interesting once it meets the
checks and the writes, so the whole import runs, inside a transaction that is
rolled back after each input: every input meets the same directory.

Each input is imported as it is: a zip when it starts as one, else JSON. An
input written as sections (``==> organizations.csv <==`` lines, as ``head``
prints several files) is also packed into a zip of those files and imported,
so mutations reach the CSV reader without first breaking a zip's checksums.

The agency already holds the directory of ``corpus/hsds_import/known.json``
(the file's rows become updates) and another agency the rows of
``corpus/hsds_import/elsewhere.json`` (ids the import must refuse).

Refusal: ``ImportRefused``. Anything else is a crash.

    python -m fuzz.hsds_import [libFuzzer flags] [corpus folders]
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile

from fuzz import common

common.django_setup()

from django.db import transaction  # noqa: E402

from haven.accounts.models import Membership, Role, User  # noqa: E402
from haven.core.models import Agency  # noqa: E402
from haven.partners.exchange import directory_import  # noqa: E402
from haven.partners.hsds.reader import ImportRefused  # noqa: E402

SEEDS = common.CORPUS / "hsds_import"
_SECTION = re.compile(rb"^==> ([A-Za-z0-9_.-]{1,64}) <==\r?\n", re.MULTILINE)
_admin: User | None = None


def _administrator(agency_name: str, username: str) -> User:
    agency, _created = Agency.objects.get_or_create(name=agency_name)
    user, created = User.objects.get_or_create(username=username, defaults={"agency": agency})
    if created:
        Membership.objects.create(user=user, role=Role.ADMIN)
    return user


def prepare() -> None:
    """The two agencies and their directories (once per process, or per test)."""
    global _admin
    _admin = _administrator("Fuzz Agency", "fuzz-admin")
    other = _administrator("Fuzz Elsewhere", "fuzz-elsewhere-admin")
    for user, seed in ((_admin, "known.json"), (other, "elsewhere.json")):
        directory_import(actor=user, filename=seed, data=(SEEDS / seed).read_bytes())


def sections(data: bytes) -> dict[str, bytes] | None:
    """The files of an input written as ``==> name <==`` sections, or None."""
    found = list(_SECTION.finditer(data))
    if not found or found[0].start() != 0:
        return None
    ends = [m.start() for m in found[1:]] + [len(data)]
    return {
        m.group(1).decode("ascii"): data[m.end() : end] for m, end in zip(found, ends, strict=True)
    }


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _import(filename: str, data: bytes) -> None:
    assert _admin is not None, "prepare() first"
    with transaction.atomic():
        with contextlib.suppress(ImportRefused):
            directory_import(actor=_admin, filename=filename, data=data)
        transaction.set_rollback(True)


def TestOneInput(data: bytes) -> None:
    _import("directory.zip" if data[:2] == b"PK" else "directory.json", data)
    members = sections(data)
    if members:
        _import("directory.zip", _zipped(members))


def main() -> None:
    common.database()
    prepare()
    common.instrument("haven.partners", "haven.core.text", "csv", "zipfile", "json")
    common.fuzz(TestOneInput)


if __name__ == "__main__":
    main()
