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


def verify(path: str) -> str:
    """The bundle's root hash, or BundleInvalid naming the first problem."""
    try:
        return _verify(path)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise BundleInvalid(f"the manifest or the record is malformed: {error!r}") from error


def _verify(path: str) -> str:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BundleInvalid(f"not a readable zip file: {error}") from error
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            raise BundleInvalid("manifest.json is missing")
        manifest_bytes = archive.read(MANIFEST)
        try:
            manifest = json.loads(manifest_bytes)
        except ValueError as error:
            raise BundleInvalid("manifest.json is not valid JSON") from error
        if manifest.get("format") != FORMAT:
            raise BundleInvalid("manifest.json is not a Haven export manifest")
        listed = {item["path"]: item for item in manifest.get("files", [])}
        for name in sorted(names - {MANIFEST}):
            if name not in listed:
                raise BundleInvalid(f"{name} is in the bundle but not in the manifest")
        for name, item in sorted(listed.items()):
            if name not in names:
                raise BundleInvalid(f"{name} is in the manifest but not in the bundle")
            data = archive.read(name)
            if len(data) != item["size"] or hashlib.sha256(data).hexdigest() != item["sha256"]:
                raise BundleInvalid(f"{name} does not match its hash in the manifest")
        if RECORD not in listed:
            raise BundleInvalid("record.json is missing")
        try:
            record = json.loads(archive.read(RECORD))
        except ValueError as error:
            raise BundleInvalid("record.json is not valid JSON") from error
        _verify_chain(record, manifest, listed)
    return root_of(manifest_bytes)


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
