"""Languages in their own names and scripts, for a person to point at.

At first contact staff may share no language with the person in front of
them. Each entry gives the language's own name (its endonym) and the
sentence "I speak <language>." written in it, so that someone who reads the
language recognises it whatever script it uses.

``needs_review`` is True for every sentence not checked by someone who reads
the language well: such a sentence is shown (the endonym alone is already
useful) but should be confirmed by a speaker or a professional translator
before the card is relied on. Marking a sentence reviewed is a decision to
record in the change that does it.

Codes are ISO 639-3, the ones ``haven.core.languages`` records on a person;
``lang`` is the BCP-47 tag for the HTML ``lang`` attribute (which also picks
the right font, for example Simplified or Traditional Chinese glyphs), and
``script`` the ISO 15924 code of the script the text is written in.
"""

from __future__ import annotations

from dataclasses import dataclass

# Scripts written right to left (only Arabic among the languages below).
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm"})


@dataclass(frozen=True)
class Endonym:
    code: str
    endonym: str
    sentence: str
    lang: str
    script: str
    needs_review: bool

    @property
    def direction(self) -> str:
        """The value of the HTML ``dir`` attribute for this text."""
        return "rtl" if self.script in RTL_SCRIPTS else "ltr"


def _e(code: str, endonym: str, sentence: str, lang: str, script: str, *, review: bool) -> Endonym:
    return Endonym(code, endonym, sentence, lang, script, needs_review=review)


# The order is the order of the tiles: the languages most often met in the
# US first (the order of haven.core.languages), then the others.
ENDONYMS: tuple[Endonym, ...] = (
    _e("eng", "English", "I speak English.", "en", "Latn", review=False),
    _e("spa", "Español", "Hablo español.", "es", "Latn", review=False),
    _e("hmn", "Hmoob", "Kuv hais lus Hmoob.", "hmn", "Latn", review=True),
    _e("som", "Af-Soomaali", "Waxaan ku hadlaa af-Soomaali.", "so", "Latn", review=True),
    _e("arb", "العربية", "أتكلم العربية.", "ar", "Arab", review=False),
    _e("mya", "မြန်မာဘာသာ", "မြန်မာလို ပြောတတ်ပါတယ်။", "my", "Mymr", review=True),
    _e("ksw", "ကညီကျိာ်", "ယကတိၤကညီကျိာ်လီၤ.", "ksw", "Mymr", review=True),
    _e("npi", "नेपाली", "म नेपाली बोल्छु।", "ne", "Deva", review=False),
    _e("prs", "دری", "من دری صحبت می‌کنم.", "fa-AF", "Arab", review=True),
    _e("pus", "پښتو", "زه پښتو خبرې کوم.", "ps", "Arab", review=True),
    _e("ukr", "Українська", "Я розмовляю українською.", "uk", "Cyrl", review=False),
    _e("rus", "Русский", "Я говорю по-русски.", "ru", "Cyrl", review=False),
    _e("hat", "Kreyòl ayisyen", "Mwen pale kreyòl.", "ht", "Latn", review=False),
    _e("vie", "Tiếng Việt", "Tôi nói tiếng Việt.", "vi", "Latn", review=False),
    # Full-width parentheses and the Urdu full stop are those scripts' own.
    _e("cmn", "中文（普通话）", "我说普通话。", "zh-Hans", "Hans", review=False),  # noqa: RUF001
    _e("yue", "廣東話", "我講廣東話。", "yue-Hant", "Hant", review=False),
    _e("tgl", "Tagalog", "Nagsasalita ako ng Tagalog.", "tl", "Latn", review=False),
    _e("por", "Português", "Eu falo português.", "pt", "Latn", review=False),
    _e("fra", "Français", "Je parle français.", "fr", "Latn", review=False),
    _e("swh", "Kiswahili", "Ninazungumza Kiswahili.", "sw", "Latn", review=False),
    _e("amh", "አማርኛ", "አማርኛ እናገራለሁ።", "am", "Ethi", review=True),
    _e("tir", "ትግርኛ", "ትግርኛ እዛረብ እየ።", "ti", "Ethi", review=True),
    _e("quc", "K'iche'", "Kinch'aw pa K'iche'.", "quc", "Latn", review=True),
    _e("mam", "Mam", "Nchin yolin toj qyol Mam.", "mam", "Latn", review=True),
    _e("pan", "ਪੰਜਾਬੀ", "ਮੈਨੂੰ ਪੰਜਾਬੀ ਆਉਂਦੀ ਹੈ।", "pa-Guru", "Guru", review=True),
    _e("hin", "हिन्दी", "मुझे हिन्दी आती है।", "hi", "Deva", review=False),
    _e("kor", "한국어", "저는 한국어를 합니다.", "ko", "Kore", review=False),
    _e("tha", "ภาษาไทย", "ฉันพูดภาษาไทยได้", "th", "Thai", review=True),
    _e("jpn", "日本語", "日本語を話します。", "ja", "Jpan", review=False),
    _e("khm", "ភាសាខ្មែរ", "ខ្ញុំនិយាយភាសាខ្មែរ។", "km", "Khmr", review=True),
    _e("lao", "ພາສາລາວ", "ຂ້ອຍເວົ້າພາສາລາວ", "lo", "Laoo", review=True),
    _e("ben", "বাংলা", "আমি বাংলা বলি।", "bn", "Beng", review=False),
    _e("urd", "اردو", "مجھے اردو آتی ہے۔", "ur", "Arab", review=False),  # noqa: RUF001
    _e("pes", "فارسی", "من فارسی صحبت می‌کنم.", "fa", "Arab", review=False),
    _e("tur", "Türkçe", "Türkçe konuşuyorum.", "tr", "Latn", review=False),
    _e("pol", "Polski", "Mówię po polsku.", "pl", "Latn", review=False),
    _e("ron", "Română", "Vorbesc românește.", "ro", "Latn", review=False),
    _e("sqi", "Shqip", "Unë flas shqip.", "sq", "Latn", review=False),
    _e("bos", "Bosanski", "Govorim bosanski.", "bs", "Latn", review=False),
    _e("hrv", "Hrvatski", "Govorim hrvatski.", "hr", "Latn", review=False),
    _e("srp", "Српски", "Говорим српски.", "sr-Cyrl", "Cyrl", review=False),
    _e("kin", "Ikinyarwanda", "Mvuga Ikinyarwanda.", "rw", "Latn", review=True),
    _e("orm", "Afaan Oromoo", "Afaan Oromoo nan dubbadha.", "om", "Latn", review=True),
    _e("tam", "தமிழ்", "நான் தமிழ் பேசுவேன்.", "ta", "Taml", review=True),
    _e("guj", "ગુજરાતી", "હું ગુજરાતી બોલું છું.", "gu", "Gujr", review=True),
    _e("ind", "Bahasa Indonesia", "Saya berbicara bahasa Indonesia.", "id", "Latn", review=False),
    _e("mah", "Kajin M̧ajeļ", "Ij kōnono kajin M̧ajeļ.", "mh", "Latn", review=True),
    _e("chk", "Kapasen Chuuk", "Ua tongeni kapas Chuuk.", "chk", "Latn", review=True),
    _e("kjb", "Q'anjob'al", "Chin lolon yin Q'anjob'al.", "kjb", "Latn", review=True),
)

BY_CODE: dict[str, Endonym] = {entry.code: entry for entry in ENDONYMS}
