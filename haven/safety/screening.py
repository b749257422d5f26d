"""Screening a visitor against the agency's persons of concern, by blind index.

Nothing is decrypted to screen: the names and plates of persons of concern
are kept as keyed digests (``ConcernIndex``), and a visitor's name and plate
are digested the same way and looked up. Three ways to match:

* exactly: one of the normal forms of a name (case, accents, script) or a
  plate, as people search does;
* in any order: the set of a name's sound keys ("Petrenko Viktor");
* closely: two words of one name sounding alike ("Victor Petrenco" for
  "Viktor Petrenko").

A single word sounding alike is not enough on its own: a first name shared
by thousands would alert the staff all day (docs/adr/0016-staff-safety.md).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from haven.core import crypto, keys
from haven.people.normalize import name_forms, name_sounds, plate_form
from haven.safety.models import ConcernIndex, PersonOfConcern

Kind = ConcernIndex.Kind
# A close match needs this many sound-alike words of the same name.
CLOSE_WORDS = 2


@dataclass(frozen=True)
class Screening:
    """Who matched, and whether any match was exact."""

    concern_ids: frozenset[uuid.UUID]
    exact: bool

    def __bool__(self) -> bool:
        return bool(self.concern_ids)


def _digester(agency_id: int) -> Callable[[str, str], str]:
    """Digests under the agency's key for each kind of value, as for people
    (haven.core.keys.index_key); the keys are derived once per call site,
    not once per value."""
    key_of = {kind: keys.index_key(agency_id, f"concern-{kind}") for kind in Kind.values}
    return lambda kind, value: crypto.blind_index(key_of[kind], value)


def _sounds_value(sounds: Iterable[str]) -> str:
    return " ".join(sorted(set(sounds)))


def lines(text: str) -> list[str]:
    """The non-empty lines of a list typed one per line. Only real line
    breaks count: other separators are control characters, refused elsewhere."""
    return [line.strip() for line in re.split(r"\r\n|\r|\n", text or "") if line.strip()]


def _name_keys(name: str) -> set[str]:
    """A name's normal forms, each also without its spaces: "李伟" is written
    "LiWei" in Latin letters and "Li Wei" by whoever types it."""
    forms = name_forms(name)
    return forms | {form.replace(" ", "") for form in forms}


def concern_index_refresh(concern: PersonOfConcern) -> None:
    """Rebuild the digests of ``concern``'s names and plates from its values."""
    agency_id = concern.agency_id
    digest = _digester(agency_id)
    rows: set[tuple[str, int, str]] = set()
    names = [concern.name or "", *lines(concern.aliases or "")]
    for slot, name in enumerate(names):
        for form in _name_keys(name):
            rows.add((Kind.NAME, slot, digest(Kind.NAME, form)))
        sounds = name_sounds(name)
        if sounds:
            rows.add((Kind.SOUNDS, slot, digest(Kind.SOUNDS, _sounds_value(sounds))))
        for sound in sounds:
            rows.add((Kind.SOUND, slot, digest(Kind.SOUND, sound)))
    for plate in lines(concern.plates or ""):
        form = plate_form(plate)
        if form:
            rows.add((Kind.PLATE, 0, digest(Kind.PLATE, form)))
    ConcernIndex.objects.filter(concern=concern).delete()
    ConcernIndex.objects.bulk_create(
        ConcernIndex(agency_id=agency_id, concern=concern, kind=kind, slot=slot, digest=value)
        for kind, slot, value in sorted(rows)
    )


def _hits(agency_id: int, kind: str, digests: set[str]) -> list[tuple[uuid.UUID, int, str]]:
    if not digests:
        return []
    return list(
        ConcernIndex.objects.filter(agency_id=agency_id, kind=kind, digest__in=digests).values_list(
            "concern_id", "slot", "digest"
        )
    )


def screen(agency_id: int, *, name: str, plate: str = "") -> Screening:
    """The persons of concern of the agency that ``name`` or ``plate`` match."""
    digest = _digester(agency_id)
    exact: set[uuid.UUID] = set()
    close: set[uuid.UUID] = set()
    names = {digest(Kind.NAME, form) for form in _name_keys(name)}
    exact |= {concern for concern, _slot, _d in _hits(agency_id, Kind.NAME, names)}
    form = plate_form(plate) if plate else ""
    if form:
        plates = {digest(Kind.PLATE, form)}
        exact |= {concern for concern, _slot, _d in _hits(agency_id, Kind.PLATE, plates)}
    sounds = name_sounds(name)
    if sounds:
        together = {digest(Kind.SOUNDS, _sounds_value(sounds))}
        close |= {concern for concern, _slot, _d in _hits(agency_id, Kind.SOUNDS, together)}
        words: dict[tuple[uuid.UUID, int], set[str]] = defaultdict(set)
        each = {digest(Kind.SOUND, sound) for sound in sounds}
        for concern, slot, found_digest in _hits(agency_id, Kind.SOUND, each):
            words[(concern, slot)].add(found_digest)
        close |= {concern for (concern, _slot), found in words.items() if len(found) >= CLOSE_WORDS}
    return Screening(concern_ids=frozenset(exact | close), exact=bool(exact))
