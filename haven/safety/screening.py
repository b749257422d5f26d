"""Screening a visitor against the agency's persons of concern, by blind index.

Nothing is decrypted to screen: the names and plates of persons of concern
are kept as keyed digests (``ConcernIndex``), and a visitor's name and plate
are digested the same way and looked up. Three ways to match:

* exactly: one of the normal forms of a name (case, accents, script, and
  the punctuation between its words) or a plate;
* in any order: the set of a name's sound keys ("Petrenko Viktor");
* closely: two words of one name sounding alike ("Victor Petrenco" for
  "Viktor Petrenko").

A single word sounding alike is not enough on its own: a first name shared
by thousands would alert the staff all day (docs/adr/0016-staff-safety.md).
How a name is read (its words, look-alike letters, sound keys) is
haven.safety.names's.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys
from haven.core.models import Agency
from haven.people.normalize import plate_form
from haven.safety.models import ConcernIndex, PersonOfConcern
from haven.safety.names import READINGS, name_keys, name_readings

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


def _slot(name: int, reading: int) -> int:
    """Where a name's reading sits in the index: a close match counts the
    words of one reading of one name (haven.safety.names.name_readings)."""
    return name * READINGS + reading


def concern_index_refresh(concern: PersonOfConcern) -> None:
    """Rebuild the digests of ``concern``'s names and plates from its values."""
    agency_id = concern.agency_id
    digest = _digester(agency_id)
    rows: set[tuple[str, int, str]] = set()
    names = [concern.name or "", *lines(concern.aliases or "")]
    for number, name in enumerate(names):
        for form in name_keys(name):
            rows.add((Kind.NAME, _slot(number, 0), digest(Kind.NAME, form)))
        for reading, sounds in enumerate(name_readings(name)):
            slot = _slot(number, reading)
            rows.add((Kind.SOUNDS, slot, digest(Kind.SOUNDS, _sounds_value(sounds))))
            rows |= {(Kind.SOUND, slot, digest(Kind.SOUND, sound)) for sound in sounds}
    for plate in lines(concern.plates or ""):
        form = plate_form(plate)
        if form:
            rows.add((Kind.PLATE, 0, digest(Kind.PLATE, form)))
    # Only what changed is written: rebuilding an index that is up to date
    # (screening_reindex, run again) writes nothing.
    kept = {
        (kind, slot, value): pk
        for pk, kind, slot, value in ConcernIndex.objects.filter(concern=concern).values_list(
            "pk", "kind", "slot", "digest"
        )
    }
    stale = [pk for row, pk in kept.items() if row not in rows]
    if stale:
        ConcernIndex.objects.filter(pk__in=stale).delete()
    ConcernIndex.objects.bulk_create(
        ConcernIndex(agency_id=agency_id, concern=concern, kind=kind, slot=slot, digest=value)
        for kind, slot, value in sorted(rows - set(kept))
    )


def _hits(agency_id: int, kind: str, digests: set[str]) -> list[tuple[uuid.UUID, int, str]]:
    if not digests:
        return []
    return list(
        ConcernIndex.objects.filter(agency_id=agency_id, kind=kind, digest__in=digests).values_list(
            "concern_id", "slot", "digest"
        )
    )


def _close(agency_id: int, digest: Callable[[str, str], str], name: str) -> set[uuid.UUID]:
    """The persons of concern one of whose names sounds like ``name``: all its
    words in any order, or two of its words."""
    readings = name_readings(name)
    if not readings:
        return set()
    together = {digest(Kind.SOUNDS, _sounds_value(sounds)) for sounds in readings}
    close = {concern for concern, _slot, _d in _hits(agency_id, Kind.SOUNDS, together)}
    each = [{digest(Kind.SOUND, sound) for sound in sounds} for sounds in readings]
    words: dict[tuple[uuid.UUID, int], set[str]] = defaultdict(set)
    for concern, slot, found in _hits(agency_id, Kind.SOUND, set().union(*each)):
        words[(concern, slot)].add(found)
    # Two words of one reading of ``name`` in one reading of one of their names.
    return close | {
        concern
        for (concern, _slot), found in words.items()
        if any(len(found & ours) >= CLOSE_WORDS for ours in each)
    }


def screen(agency_id: int, *, name: str, plate: str = "") -> Screening:
    """The persons of concern of the agency that ``name`` or ``plate`` match."""
    digest = _digester(agency_id)
    names = {digest(Kind.NAME, form) for form in name_keys(name)}
    exact = {concern for concern, _slot, _d in _hits(agency_id, Kind.NAME, names)}
    form = plate_form(plate) if plate else ""
    if form:
        plates = {digest(Kind.PLATE, form)}
        exact |= {concern for concern, _slot, _d in _hits(agency_id, Kind.PLATE, plates)}
    close = _close(agency_id, digest, name)
    return Screening(concern_ids=frozenset(exact | close), exact=bool(exact))


@dataclass(frozen=True)
class Reindexed:
    """What rebuilding an agency's screening index did: counts only."""

    concerns: int
    digests: int


def screening_reindex(*, agency: Agency) -> Reindexed:
    """Rebuild the screening digests of every person of concern of ``agency``
    from their sealed names and plates. After an upgrade that changes how
    screening reads a name (haven.safety.names) the digests kept are of the
    old reading, and a visitor is screened with the new one: nothing would
    match until each record was saved again. The same values give the same
    digests, so running it again changes nothing. For the operator
    (``manage.py screening_reindex``); audited with counts only."""
    with transaction.atomic():
        # Locked, so that a record saved meanwhile is not indexed from its old values.
        concerns = list(
            PersonOfConcern.objects.select_for_update(of=("self",))
            .filter(agency_id=agency.pk)
            .select_related("data_key")
            .order_by("pk")
        )
        for concern in concerns:
            concern_index_refresh(concern)
        done = Reindexed(
            concerns=len(concerns), digests=ConcernIndex.objects.filter(agency_id=agency.pk).count()
        )
        audit_record(
            action=Action.SCREENING_REINDEXED,
            agency=agency,
            object_type="agency",
            object_id=agency.pk,
            detail={"concerns": done.concerns, "digests": done.digests},
        )
    return done
