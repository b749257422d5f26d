"""How visitor screening reads a name (docs/adr/0016-staff-safety.md).

A person of concern's names and a visitor's name are read the same way, then
digested (haven.safety.screening); nothing here is stored or shown. Screening
reads more loosely than people search, on purpose: someone who does not want
to be found spells their name to dodge it.

* **Words.** Letters, marks and digits make words; everything else between
  them (spaces, "/", ",", ".", "_", "·", any hyphen or bracket) separates
  them, so "Petrenko/Viktor" is two words. Apostrophes are dropped instead,
  so "O'Brien" and "OBrien" are one word alike.
* **Look-alike letters.** In a word that has a Latin letter, a Cyrillic or
  Greek letter that looks like a Latin one is read as that Latin letter:
  "Volkov" typed with a Cyrillic "o" (U+043E), or "Petrenko" with a
  Cyrillic "P" (U+0420), is the Latin name it looks like. A word all in Cyrillic or Greek is read
  by its sound, as before ("Виктор" is "Viktor").
* **Sound keys.** People search's sound key (haven.people.normalize), with a
  few transliteration pairs of its own in front (SCREENING_PAIRS).

Changing any of this changes the digests: run ``manage.py screening_reindex``.
"""

from __future__ import annotations

import unicodedata

from haven.people.normalize import SOUND_RULES, name_forms, sound_key

# Dropped inside a word: "O'Brien" meets "OBrien", whichever apostrophe is typed.
_APOSTROPHES = frozenset("'\u2019\u2018\u02bc\u02bb`\u00b4")

# Cyrillic and Greek letters that look like a Latin letter, capitals by
# their capital and small letters by their small one (a small Cyrillic "ve"
# looks like no Latin letter, its capital like a "B").
_LOOKALIKES = str.maketrans(
    # Cyrillic capitals: A B E K M H O P C T Y X I J S Q W H.
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425"
    "\u0406\u0408\u0405\u051a\u051c\u04ba"
    # Cyrillic small letters: a e o p c y x i j s h d q w.
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04bb\u0501"
    "\u051b\u051d"
    # Greek capitals: A B E Z H I K M N O P T Y X.
    "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4"
    "\u03a5\u03a7"
    # Greek small letters: a e i k v o p u x.
    "\u03b1\u03b5\u03b9\u03ba\u03bd\u03bf\u03c1\u03c5\u03c7",
    # The Latin letters they look like, in the same order.
    "ABEKMHOPCTYXIJSQWHaeopcyxijshdqwABEZHIKMNOPTYXaeikvopux",
)

# Transliteration pairs common in the names of the people US agencies meet,
# applied to one word's Latin letters before people search's rules. Each
# merges spellings of one sound only, where a word starts or ends or in a
# cluster of letters no other spelling uses, so that a common first name
# does not start meeting others (the ADR has the figures).
SCREENING_PAIRS: tuple[tuple[str, str], ...] = (
    # An English "Y", a German "J" and a French "I" starting a name: "Yuri",
    # "Juri" and "Iouri"; "Yakov", "Jakow" and "Iakov"; "Yelena" and "Jelena".
    (r"^y(?=[aeiou])", "j"),
    (r"^i(?=[aou])", "j"),
    # An English "-y", a German "-j" and a French "-i" ending one: "Sergey",
    # "Sergej" and "Sergei"; "Dmitriy", "Dmitrij" and "Dmitri".
    (r"(?<=[aeiouy])j$", "i"),
    # "Oumar" and "Umar", "Ousmane" and "Usman" (inside a word vowels are dropped anyway).
    (r"^ou", "u"),
    # "Dzhamal", "Djamal" and "Jamal".
    (r"dzh|dj", "j"),
    # A German "j" after a consonant is an English "y": "Poljakow" and
    # "Polyakov", "Ljubomir" and "Lyubomir". Not after a vowel, where a
    # Spanish "j" is its own sound ("Mejia", "Rojas").
    (r"(?<=[bcdfgklmnprstvwz])j(?=[aeiou])", "y"),
    # German spellings of Russian names: "Tschernow" and "Chernov", "Schubin" and "Shubin".
    (r"tsch|tch", "ch"),
    (r"sch", "sh"),
    # "Volkoff", "Volkov" and "Wolkow"; "Medvedeff" and "Medvedev" (w is v already).
    (r"(?<=[aeiouy])ff$", "v"),
)
_RULES = (*SCREENING_PAIRS, *SOUND_RULES)
# "Ch" is an English "ch" ("Chernov"), a German "kh" ("Charitonow") and a
# French "sh" ("Choubin", "Chevtchenko"): a name with a "ch" is also read the
# French way, as a second reading of its own (name_readings).
_FRENCH_RULES = (*SCREENING_PAIRS, (r"ch", "sh"), *SOUND_RULES)
# How many readings a name may have: a name's slots in the index are counted by it.
READINGS = 2


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN")


def _read(word: str) -> str:
    """One word, its look-alike letters read as Latin when it has Latin ones."""
    if any(_is_latin_letter(char) for char in word):
        word = word.translate(_LOOKALIKES)
    return word.casefold()


def name_words(name: str) -> list[str]:
    """The words of a name as screening reads them, folded, in order."""
    words: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFKC", name):
        category = unicodedata.category(char)
        if char in _APOSTROPHES or category == "Cf":
            # Dropped, the word goes on: "O'Brien"; a joiner typed inside a word.
            continue
        if category[0] in "LMN":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    # A word of marks alone (a stray accent) names nobody.
    return [_read(word) for word in words if any(c.isalnum() for c in word)]


def name_keys(name: str) -> set[str]:
    """The exact forms of a name: people search's normal forms of its words
    (case, accents, Latin spelling), each also without its spaces: "李伟" is
    written "LiWei" in Latin letters and "Li Wei" by whoever types it."""
    words = name_words(name)
    if not words:
        return set()
    forms = name_forms(" ".join(words))
    return forms | {form.replace(" ", "") for form in forms}


def word_sound(word: str) -> str:
    """The sound key of one word, with the screening's transliteration pairs."""
    return sound_key(word, _RULES)


def _sounds(words: list[str], rules: tuple[tuple[str, str], ...]) -> list[str]:
    keys = [sound_key(word, rules) for word in words]
    return list(dict.fromkeys(key for key in keys if key))


def name_sounds(name: str) -> list[str]:
    """The sound keys of a name's words, in order, each word once."""
    return _sounds(name_words(name), _RULES)


def name_readings(name: str) -> list[list[str]]:
    """The sound keys of a name's words in each of its readings (at most
    READINGS): as name_sounds, then, when it has a "ch", the French way.
    Each reading keeps one key per word, so that two words of a reading that
    sound alike are two words of the name, never one word read twice."""
    words = name_words(name)
    first, french = _sounds(words, _RULES), _sounds(words, _FRENCH_RULES)
    return [reading for reading in (first, french if french != first else []) if reading]
