"""Fuzz the standalone export verifier (``haven/exports/verifier.py``), which
whoever receives a bundle runs on it: the zip, the manifest, the record, the
chain of communications and the files they cite.

``verify`` is given the bundle as an open file rather than a path: it hands
its argument to ``zipfile.ZipFile``, which reads both alike, and a million
inputs need not be written to disk. The seeds of ``corpus/export_verifier``
are a bundle made by Haven's own export (synthetic person, two
communications, a voice message) and smaller bundles built with the
verifier's own hashing.

Refusal: ``BundleInvalid``. Anything else is a crash. The verifier needs no
Django, so neither does this harness.

    python -m fuzz.export_verifier [libFuzzer flags] [corpus folders]
"""

from __future__ import annotations

import contextlib
import io
import sys

from fuzz import common

sys.path.insert(0, str(common.ROOT))

from haven.exports import verifier


def TestOneInput(data: bytes) -> None:
    with contextlib.suppress(verifier.BundleInvalid):
        verifier.verify(io.BytesIO(data))  # type: ignore[arg-type]


def main() -> None:
    common.instrument("haven.exports.verifier", "zipfile", "json")
    common.fuzz(TestOneInput)


if __name__ == "__main__":
    main()
