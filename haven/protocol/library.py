"""The rights library: the shipped materials (files under materials/, one per
topic and language) and the ones an agency adds (``Material`` rows).

Shipped files are read once per process; they change only with a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from haven.protocol.models import Material

ROOT = Path(__file__).resolve().parent / "materials"


@dataclass(frozen=True)
class Handout:
    topic: str
    language: str
    version: int
    title: str
    body: str
    agency_material: bool = False


def _parse(path: Path) -> Handout:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    meta = dict(line.split(": ", 1) for line in head.strip().splitlines())
    return Handout(
        topic=meta["topic"],
        language=path.parent.name,
        version=int(meta["version"]),
        title=meta["title"],
        body=body.strip(),
    )


@cache
def shipped() -> dict[tuple[str, str], Handout]:
    """{(topic, language): handout} for every shipped file."""
    found = (_parse(path) for path in sorted(ROOT.glob("*/*.md")))
    return {(h.topic, h.language): h for h in found}


def handouts_for(agency_id: int) -> dict[tuple[str, str], Handout]:
    """The library an agency sees: shipped materials, and its own, whose
    newest version of a topic and language takes the place of ours."""
    library = dict(shipped())
    own = Material.objects.filter(agency_id=agency_id).order_by("topic", "language", "version")
    for row in own:
        library[(row.topic, row.language)] = Handout(
            topic=row.topic,
            language=row.language,
            version=row.version,
            title=row.title,
            body=row.body,
            agency_material=True,
        )
    return library


def topics(agency_id: int) -> list[str]:
    return sorted({topic for topic, _language in handouts_for(agency_id)})


def blocks(body: str) -> list[tuple[str, list[str] | str]]:
    """The body as ("h", text), ("p", text) and ("ul", [items]) blocks, for
    the page and the PDF (the Markdown is limited to these on purpose)."""
    result: list[tuple[str, list[str] | str]] = []
    for chunk in body.split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## "):
            result.append(("h", lines[0][3:]))
            lines = lines[1:]
        if lines and all(line.startswith("- ") for line in lines):
            result.append(("ul", [line[2:] for line in lines]))
        elif lines:
            result.append(("p", " ".join(lines)))
    return result
