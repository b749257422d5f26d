"""Write the seed corpora of fuzz/corpus/ again: `python -m fuzz.make_corpus`.

Every seed is synthetic. The HSDS files and the export bundle are made by
Haven's own code (the directory export, the record export) from invented
records in a throwaway in-memory database, with the test suite's builders of
synthetic records and files; the names are invented or common words in
several scripts. Run it when a format changes, and commit what it writes.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile

from fuzz import common

common.django_setup()

from haven.exports import verifier  # noqa: E402

CORPUS = common.CORPUS


def _write(parser: str, files: dict[str, bytes]) -> None:
    folder = CORPUS / parser
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def _members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(members.items()):
            archive.writestr(name, content)
    return buffer.getvalue()


def hsds_seeds() -> dict[str, bytes]:
    """The directory export of an invented directory, as zips, as JSON files
    and as sections (the harness packs those into a zip), and a smaller
    directory in another agency (its ids are not ours to change)."""
    from haven.partners.hsds import files
    from haven.partners.hsds.export import Snapshot
    from tests.factories import AgencyFactory, TeamFactory, make_staff
    from tests.partners.conftest import SHERIFF, build_directory

    ours = AgencyFactory(name="Corpus Agency")
    editor = make_staff(agency=ours, role="supervisor", team=TeamFactory(agency=ours), mfa=False)
    build_directory(editor)
    snapshot = Snapshot(ours.pk)
    as_json = files.json_zip(snapshot)
    organizations = _members(as_json)["organizations.json"]
    seeds = {
        "directory-json.zip": as_json,
        "known.json": organizations,
        "api-page.json": json.dumps(
            {"total_items": 1, "contents": json.loads(organizations)[:1]}, indent=1
        ).encode(),
    }
    for name, content in _members(as_json).items():
        if name.endswith(".json") and name != "organizations.json":
            # Haven's shipped taxonomy is long: a few of its terms show the form.
            seeds[name] = json.dumps(json.loads(content)[:3], indent=2).encode()
    tables = {
        name: b"".join(content.splitlines(keepends=True)[:4])
        for name, content in _members(files.tabular_zip(snapshot)).items()
        if name.endswith(".csv") and content.count(b"\n") > 1
    }
    seeds["directory-tabular.zip"] = _zipped(tables)
    seeds["tabular-sections.txt"] = b"".join(
        f"==> {name} <==\n".encode() + content for name, content in sorted(tables.items())
    )
    theirs = AgencyFactory(name="Corpus Elsewhere")
    other = make_staff(agency=theirs, role="supervisor", team=TeamFactory(agency=theirs), mfa=False)
    from haven.partners import services

    services.organization_save(actor=other, values=SHERIFF)
    seeds["elsewhere.json"] = _members(files.json_zip(Snapshot(theirs.pk)))["organizations.json"]
    return seeds


def attachment_seeds() -> dict[str, bytes]:
    from fuzz.attachment_types import layout
    from tests import files

    return {
        "scan.pdf": layout("scan.pdf", files.pdf(), scan=True),
        "photo.png": layout("photo.png", files.png()),
        "photo.jpg": layout("IMG_0001.JPG", files.jpeg(), scan=True),
        "voicemail.wav": layout("voicemail.wav", files.wav()),
        "message.eml": layout("message.eml", files.eml()),
        "letter.docx": layout("letter.docx", files.docx()),
        "page.html": layout("page.pdf", files.html_named_pdf()),
        "drawing.svg": layout("drawing.svg", files.svg_with_script()),
        "animation.gif": layout("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        "voice.amr": layout("voice.amr", b"#!AMR\n" + bytes(32)),
        "clip.m4a": layout("clip.m4a", b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00" + bytes(16)),
        "program.exe": layout("setup.exe", b"MZ" + bytes(62)),
    }


def _small_bundle(communications: int) -> bytes:
    """A bundle built with the verifier's own hashing: a manifest, a record
    whose communications form a chain, and one cited file."""
    voice = b"RIFF synthetic voice message"
    previous, entries = verifier.GENESIS, []
    for seq in range(1, communications + 1):
        entry = {
            "seq": seq,
            "summary": f"Synthetic call {seq}",
            "files": [{"path": "files/voice.wav", "sha256": hashlib.sha256(voice).hexdigest()}],
        }
        entry["chain_hash"] = previous = verifier.link(previous, entry)
        entries.append(entry)
    record = json.dumps({"case": {"id": "synthetic"}, "communications": entries}).encode()
    members = {verifier.RECORD: record, "files/voice.wav": voice}
    manifest = {
        "format": verifier.FORMAT,
        "chain_head": previous,
        "files": [
            {"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in sorted(members.items())
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(verifier.MANIFEST, json.dumps(manifest, sort_keys=True))
        for path, data in sorted(members.items()):
            archive.writestr(path, data)
    return buffer.getvalue()


def verifier_seeds() -> dict[str, bytes]:
    """A bundle of Haven's own record export (an invented person, a call with
    a voice message, its addendum), and small bundles of the same format."""
    from haven.communications.services import addendum_record
    from haven.exports.services import ExportRequest, export_record
    from tests import files
    from tests.communications.helpers import log
    from tests.factories import AgencyFactory, TeamFactory, make_staff, record_intake

    agency = AgencyFactory(name="Corpus Export Agency")
    team = TeamFactory(agency=agency)
    advocate = make_staff(agency=agency, role="advocate", team=team, mfa=False)
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Export Person")
    first = log(
        advocate,
        case,
        summary="Synthetic first meeting",
        files=[files.accepted(files.wav(), "voicemail.wav")],
    )
    addendum_record(
        actor=advocate,
        case=case,
        entry_id=first.pk,
        reason="Synthetic correction of the time",
        summary="Synthetic correction",
    )
    exported = export_record(actor=advocate, case=case, request=ExportRequest(audience="person"))
    return {
        "haven-export.zip": exported.zip_bytes,
        "empty-chain.zip": _small_bundle(0),
        "one-link.zip": _small_bundle(1),
        "three-links.zip": _small_bundle(3),
    }


# Invented names and common words, in several scripts, some with a plate.
NAMES = {
    "latin.txt": "Viktor Petrenko\nABC-1234",
    "slash.txt": "Petrenko/Viktor",
    "transliterated.txt": "Volkoff Sergei",
    "accents.txt": "Sofía Ramírez-López",
    "apostrophe.txt": "Quell-Marsh O\u2019Brien",
    "cyrillic.txt": "Петренко Віктор\nАВС 1234",
    "mixed-script.txt": "Vikt\u043er Petrenk\u043e",
    "greek.txt": "Σοφία Παπαδοπούλου",
    "han.txt": "李伟",
    "arabic.txt": "محمد الرشيد",
    "vietnamese.txt": "Nguyễn Thị Hương",
    "devanagari.txt": "अनीता शर्मा",
    "thai.txt": "สมชาย ใจดี",
    "emoji.txt": "Ana 🌻 Flores",
    "phone.txt": "+1 (608) 555-0142\n53703",
    "marks-only.txt": "\u0335",
}


def main() -> None:
    common.database()
    _write("hsds_import", hsds_seeds())
    _write("attachment_types", attachment_seeds())
    _write("export_verifier", verifier_seeds())
    _write("name_forms", {name: text.encode() for name, text in NAMES.items()})
    for folder in sorted(CORPUS.iterdir()):
        sizes = [p.stat().st_size for p in folder.iterdir()]
        print(f"{folder.name}: {len(sizes)} seeds, {sum(sizes)} bytes")


if __name__ == "__main__":
    main()
