"""Helpers for the backup tests: a backup key pair and the synthetic people
whose values must never show in a backup file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyrage

# Synthetic people; the grep looks for each value, each name word, and the
# phone as digits, in UTF-8 and UTF-16-LE (as tests/people/test_no_plaintext.py).
PEOPLE = [
    {
        "legal_name": "Guadalupe Ramírez Soto",
        "aliases": ["Lupita Ximénez"],
        "phone": "414-555-0187",
        "date_of_birth": date(1993, 4, 17),
    },
    {
        "legal_name": "Oksana Verbytska",
        "aliases": ["Оксана Вербицька"],
        "phone": "608-555-0142",
        "date_of_birth": date(2001, 11, 3),
    },
]
ENCODINGS = ("utf-8", "utf-16-le")


def needles(people: list[dict]) -> set[str]:
    found: set[str] = set()
    for person in people:
        for name in [person["legal_name"], *person.get("aliases", [])]:
            found.add(name)
            found.update(word for word in name.split() if len(word) >= 4)
        found.add(person["phone"])
        found.add("".join(c for c in person["phone"] if c.isdigit()))
        if person.get("date_of_birth"):
            found.add(person["date_of_birth"].isoformat())
    return found


def plaintext_in(raw: bytes, values: set[str]) -> list[tuple[str, str]]:
    return [(v, e) for v in sorted(values) for e in ENCODINGS if v.encode(e) in raw]


def make_identity(path: Path) -> str:
    """Write a new age identity to ``path``; its recipient."""
    identity = pyrage.x25519.Identity.generate()
    path.write_text(f"{identity}\n", encoding="ascii")
    return str(identity.to_public())
