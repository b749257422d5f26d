#!/usr/bin/env python3
"""Check an exported Haven record without Haven: python3 verifier.py BUNDLE.zip

Standard library only, so whoever receives a bundle (a prosecutor's office,
an immigration attorney, the person themself) can run it anywhere. It checks
that

* every file in the bundle is listed in manifest.json with its SHA-256 and
  size, and nothing is missing or added;
* the communications in record.json form an unbroken hash chain whose last
  link is the one the manifest names;
* each file a communication cites is the file in the bundle.

It prints the bundle's root hash (the SHA-256 of manifest.json). Haven
records that hash in its audit trail when it makes the export, so the agency
can confirm that this bundle is the one it produced. Exit status 0 when the
bundle verifies, 1 when it does not.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
import zlib
from typing import Any

FORMAT = "haven-export/1"
MANIFEST = "manifest.json"
RECORD = "record.json"
GENESIS = "0" * 64


class BundleInvalid(Exception):
    """The bundle does not verify; the message says where."""


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def link(previous: str, entry: dict[str, Any]) -> str:
    """The chain hash of an exported communication: its content without its
    own chain hash, after the previous link."""
    body = {k: v for k, v in entry.items() if k != "chain_hash"}
    return hashlib.sha256(previous.encode("ascii") + canonical(body)).hexdigest()


def root_of(manifest_bytes: bytes) -> str:
    return hashlib.sha256(manifest_bytes).hexdigest()


# What a genuine bundle never exceeds: the manifest and the record are read
# whole, the other members are hashed as they stream.
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_MEMBER_BYTES = 1024 * 1024 * 1024
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)


def verify(path: str) -> str:
    """The bundle's root hash, or BundleInvalid naming the first problem."""
    try:
        return _verify(path)
    except BundleInvalid:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as error:
        raise BundleInvalid(f"the manifest or the record is malformed: {error!r}") from error
    except MemoryError as error:
        raise BundleInvalid("a member is too large to check") from error


def _verify(path: str) -> str:
    try:
        archive = zipfile.ZipFile(path)
    except _READ_ERRORS as error:  # a zip of a format version Python cannot read, too
        raise BundleInvalid(f"not a readable zip file: {error}") from error
    with archive:
        names = _member_names(archive)
        if MANIFEST not in names:
            raise BundleInvalid("manifest.json is missing")
        manifest_bytes = _read_whole(archive, MANIFEST)
        manifest = _json(manifest_bytes, MANIFEST)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleInvalid("manifest.json is not a Haven export manifest")
        listed = {item["path"]: item for item in manifest.get("files", [])}
        for name in sorted(names - {MANIFEST}):
            if name not in listed:
                raise BundleInvalid(f"{name} is in the bundle but not in the manifest")
        for name, item in sorted(listed.items()):
            if name not in names:
                raise BundleInvalid(f"{name} is in the manifest but not in the bundle")
            size, digest = _hash_member(archive, name)
            if size != item["size"] or digest != item["sha256"]:
                raise BundleInvalid(f"{name} does not match its hash in the manifest")
        if RECORD not in listed:
            raise BundleInvalid("record.json is missing")
        record = _json(_read_whole(archive, RECORD), RECORD)
        if not isinstance(record, dict):
            raise BundleInvalid("record.json is not a Haven record")
        _verify_chain(record, manifest, listed)
    return root_of(manifest_bytes)


def _member_names(archive: zipfile.ZipFile) -> set[str]:
    """The members' names, refusing what a genuine bundle never holds: a
    name twice (a reader could show either copy), a name that would land
    outside the folder it is unpacked into, encryption, unusual compression."""
    seen: set[str] = set()
    for info in archive.infolist():
        name = info.filename
        if name in seen:
            raise BundleInvalid(f"{name} is in the bundle twice")
        parts = name.split("/")
        if (
            not name
            or name.startswith("/")
            or "\\" in name
            or ":" in parts[0]
            or any(part in ("", ".", "..") for part in parts)
        ):
            raise BundleInvalid(f"{name!r} is not a safe name for a member of a bundle")
        if info.flag_bits & 0x1:
            raise BundleInvalid(f"{name} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleInvalid(f"{name} is compressed in a way Haven never uses")
        if info.file_size > MAX_MEMBER_BYTES:
            raise BundleInvalid(f"{name} is larger than any bundle member can be")
        seen.add(name)
    return seen


def _read_whole(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as member:
            data = member.read(MAX_JSON_BYTES + 1)
    except _READ_ERRORS as error:
        raise BundleInvalid(f"{name} cannot be read: {error}") from error
    if len(data) > MAX_JSON_BYTES:
        raise BundleInvalid(f"{name} is larger than any bundle's can be")
    return data


def _hash_member(archive: zipfile.ZipFile, name: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(name) as member:
            while chunk := member.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_MEMBER_BYTES:
                    raise BundleInvalid(f"{name} is larger than any bundle member can be")
                digest.update(chunk)
    except _READ_ERRORS as error:
        raise BundleInvalid(f"{name} cannot be read: {error}") from error
    return size, digest.hexdigest()


def _json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise BundleInvalid(f"{name} is not valid JSON") from error


def _verify_chain(
    record: dict[str, Any], manifest: dict[str, Any], listed: dict[str, dict[str, Any]]
) -> None:
    previous = GENESIS
    for entry in record.get("communications", []):
        where = f"communication no. {entry.get('seq')}"
        if link(previous, entry) != entry.get("chain_hash"):
            raise BundleInvalid(f"{where} does not match its chain hash")
        for cited in entry.get("files", []):
            item = listed.get(cited.get("path", ""))
            if item is None or item["sha256"] != cited.get("sha256"):
                raise BundleInvalid(f"{where} cites a file that is not in the bundle as it was")
        previous = entry["chain_hash"]
    if previous != manifest.get("chain_head"):
        raise BundleInvalid("the chain of communications does not end where the manifest says")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: verifier.py BUNDLE.zip", file=sys.stderr)
        return 2
    try:
        root = verify(argv[1])
    except BundleInvalid as problem:
        print(f"FAILED: {problem}")
        return 1
    print(f"OK: the bundle verifies. Root hash: {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
