"""Languages offered when recording a person: ISO 639-3 codes with their
English names. Common among people served in Wisconsin and the US; more can
be added here without a migration (the code is stored, not the name)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LANGUAGES: list[tuple[str, str | Promise]] = [
    ("eng", _("English")),
    ("spa", _("Spanish")),
    ("hmn", _("Hmong")),
    ("som", _("Somali")),
    ("arb", _("Arabic")),
    ("mya", _("Burmese")),
    ("ksw", _("Karen (S'gaw)")),
    ("npi", _("Nepali")),
    ("prs", _("Dari")),
    ("pus", _("Pashto")),
    ("ukr", _("Ukrainian")),
    ("rus", _("Russian")),
    ("hat", _("Haitian Creole")),
    ("vie", _("Vietnamese")),
    ("cmn", _("Chinese (Mandarin)")),
    ("yue", _("Chinese (Cantonese)")),
    ("tgl", _("Tagalog")),
    ("por", _("Portuguese")),
    ("fra", _("French")),
    ("swh", _("Swahili")),
    ("amh", _("Amharic")),
    ("tir", _("Tigrinya")),
    ("quc", _("K'iche'")),
    ("mam", _("Mam")),
    ("pan", _("Punjabi")),
    ("hin", _("Hindi")),
    ("kor", _("Korean")),
    ("tha", _("Thai")),
    ("jpn", _("Japanese")),
    ("khm", _("Khmer")),
    ("lao", _("Lao")),
    ("ben", _("Bengali")),
    ("urd", _("Urdu")),
    ("pes", _("Farsi (Persian)")),
    ("tur", _("Turkish")),
    ("pol", _("Polish")),
    ("ron", _("Romanian")),
    ("sqi", _("Albanian")),
    ("bos", _("Bosnian")),
    ("hrv", _("Croatian")),
    ("srp", _("Serbian")),
    ("kin", _("Kinyarwanda")),
    ("orm", _("Oromo")),
    ("tam", _("Tamil")),
    ("guj", _("Gujarati")),
    ("ind", _("Indonesian")),
    ("mah", _("Marshallese")),
    ("chk", _("Chuukese")),
    ("kjb", _("Q'anjob'al")),
    ("und", _("Not yet known")),
]
CODES = frozenset(code for code, _name in LANGUAGES)
_NAMES = dict(LANGUAGES)


def language_name(code: str) -> str:
    """The language's name in the interface language, or the code itself."""
    return str(_NAMES.get(code, code))
