"""Fuzz name normalisation: every public function of ``haven.people.normalize``
(the forms people search and the blind indexes are built from: folded,
without accents, in Latin letters, word by word, by sound; phones and
plates), then visitor screening's entry point, ``haven.safety.screening.screen``,
against an agency holding persons of concern.

An input is text: a name, and after its first line break, a licence plate.
Bytes that are not UTF-8 become lone surrogates (as ``surrogateescape``
reads them), which the JSON API can also deliver. ``screen`` is called as the
visitor check-in calls it: with the name and plate trimmed, only once they
passed the one text check every service runs (no control characters, no lone
surrogates, at most a line long), since check-in refuses the rest before
screening.

Refusals: none, these functions take any text. Any exception is a crash, and
so is an answer of the wrong shape (a form that is not text, a plate or
sound key with characters those forms never hold).

    python -m fuzz.name_forms [libFuzzer flags] [corpus folders]
"""

from __future__ import annotations

import re

from fuzz import common

common.django_setup()

from haven.accounts.models import Membership, Role, User  # noqa: E402
from haven.core import limits  # noqa: E402
from haven.core.keys import keys_remembered  # noqa: E402
from haven.core.models import Agency  # noqa: E402
from haven.core.text import text_problem  # noqa: E402
from haven.people import normalize  # noqa: E402
from haven.safety import names, screening  # noqa: E402
from haven.safety.services import ConcernValues, concern_save  # noqa: E402

# Synthetic persons of concern the screening meets (no real person).
CONCERNS = (
    ("Viktor Petrenko", "Vitya\nПетренко Віктор", "ABC-1234"),
    ("李伟", "Li Wei", ""),
    ("Σοφία Παπαδοπούλου", "Sofia Papadopoulou", "ΑΒΕ 1234"),
    ("Muhammad al-Rashid", "محمد الرشيد\nMohammed Rashid", ""),
    ("Quell-Marsh O'Brien", "", "XYZ 987"),
)
_PLATE = re.compile(r"[0-9A-Z]*")
_SOUND = re.compile(r"[a-z]*")
_agency_id: int | None = None


def prepare() -> None:
    """An agency and its persons of concern (once per process, or per test)."""
    global _agency_id
    agency, _created = Agency.objects.get_or_create(name="Fuzz Agency")
    keeper, created = User.objects.get_or_create(
        username="fuzz-keeper", defaults={"agency": agency}
    )
    if created:
        Membership.objects.create(user=keeper, role=Role.ADMIN)
    if not screening.ConcernIndex.objects.filter(agency_id=agency.pk).exists():
        for name, aliases, plates in CONCERNS:
            concern_save(
                actor=keeper, values=ConcernValues(name=name, aliases=aliases, plates=plates)
            )
    _agency_id = agency.pk


def _texts(value: object) -> bool:
    return isinstance(value, set | list) and all(isinstance(v, str) and v for v in value)


def _normal_forms(text: str) -> None:
    assert _texts(normalize.name_forms(text))
    assert _texts(normalize.name_words(text))
    # Screening's own reading of a name (punctuation, look-alike letters,
    # transliterations): haven.safety.names.
    assert _texts(names.name_words(text))
    assert _texts(names.name_keys(text))
    assert _texts(names.name_sounds(text))
    assert _texts(normalize.name_word_sounds(text))
    for word in text.split()[:8]:
        assert _texts(normalize.word_forms(word))
        assert _SOUND.fullmatch(normalize.sound_key(word))
    assert isinstance(normalize.phone_form(text), str)
    assert len(normalize.last_four(text)) in (0, 4)
    assert _PLATE.fullmatch(normalize.plate_form(text))


def TestOneInput(data: bytes) -> None:
    assert _agency_id is not None, "prepare() first"
    text = data.decode("utf-8", "surrogateescape")
    name, _newline, plate = text.partition("\n")
    _normal_forms(text)
    _normal_forms(name)
    # As visit_check_in trims and checks them before it screens.
    name, plate = " ".join(name.split()), plate.strip()
    if name and not text_problem(name, limits.LINE) and not text_problem(plate, limits.LINE):
        found = screening.screen(_agency_id, name=name, plate=plate)
        assert all(c for c in found.concern_ids)


def main() -> None:
    common.database()
    prepare()
    common.instrument(
        "haven.people.normalize",
        "haven.safety.names",
        "haven.safety.screening",
        "haven.core.crypto",
    )
    # As within one request: the agency key is opened once, not at every screening.
    with keys_remembered():
        common.fuzz(TestOneInput)


if __name__ == "__main__":
    main()
