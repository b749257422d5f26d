"""The "point to your language" card: its languages, the pages, choosing a
language on a case, and the printed card.

All data is synthetic.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from haven.audit.models import Action, AuditEvent
from haven.core.languages import CODES, LANGUAGES, language_name
from haven.interpretation.endonyms import BY_CODE, ENDONYMS, Endonym
from haven.people.models import FieldSetting, Person
from tests.factories import record_intake

# The words in Unicode character names that say which script a letter is in.
SCRIPT_NAMES = {
    "Latn": ("LATIN",),
    "Cyrl": ("CYRILLIC",),
    "Arab": ("ARABIC",),
    "Mymr": ("MYANMAR",),
    "Ethi": ("ETHIOPIC",),
    "Deva": ("DEVANAGARI",),
    "Guru": ("GURMUKHI",),
    "Beng": ("BENGALI",),
    "Gujr": ("GUJARATI",),
    "Taml": ("TAMIL",),
    "Thai": ("THAI",),
    "Laoo": ("LAO",),
    "Khmr": ("KHMER",),
    "Hans": ("CJK UNIFIED IDEOGRAPH",),
    "Hant": ("CJK UNIFIED IDEOGRAPH",),
    "Jpan": ("CJK UNIFIED IDEOGRAPH", "HIRAGANA", "KATAKANA"),
    "Kore": ("HANGUL",),
}
# Scripts whose text pypdf gives back as written: each endonym must be found
# in the PDF's text.
EXTRACTABLE = frozenset({"Latn", "Cyrl", "Hans", "Hant", "Jpan", "Kore", "Ethi"})
# Scripts that are shaped (reordered, joined, stacked), so the text pypdf
# extracts is unreliable: the PDF must instead embed a font made for the
# script, whose glyphs cover every letter of the endonym.
SCRIPT_FONTS = {
    "Mymr": ("NotoSansMyanmar",),
    "Deva": ("NotoSansDevanagari",),
    "Guru": ("NotoSansGurmukhi",),
    "Beng": ("NotoSansBengali",),
    "Gujr": ("NotoSansGujarati",),
    "Taml": ("NotoSansTamil",),
    "Thai": ("NotoSansThai",),
    "Laoo": ("NotoSansLao",),
    "Khmr": ("NotoSansKhmer",),
    "Arab": ("NotoNaskhArabic", "NotoNastaliqUrdu"),
    "Ethi": ("NotoSansEthiopic",),
    "Hans": ("NotoSansCJK",),
    "Hant": ("NotoSansCJK",),
    "Jpan": ("NotoSansCJK",),
    "Kore": ("NotoSansCJK",),
}
# The sentences the brief asked to mark unchecked; more may be marked.
NOT_CHECKED = ("hmn", "ksw", "mam", "quc", "tir", "pus", "prs")
MUST_COVER = (
    *("eng", "spa", "hmn", "som", "arb", "mya", "ksw", "npi", "prs", "pus", "ukr", "rus"),
    *("hat", "vie", "cmn", "yue", "tgl", "por", "fra", "swh", "amh", "tir", "quc", "mam"),
    *("pan", "hin", "kor", "tha"),
)
BCP47 = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?")


def letters(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c).startswith("L")]


# --- the languages ------------------------------------------------------------


def test_there_are_at_least_forty_languages_each_code_once():
    codes = [entry.code for entry in ENDONYMS]
    assert len(codes) >= 40
    assert len(set(codes)) == len(codes)
    assert set(BY_CODE) == set(codes)


def test_the_card_covers_the_languages_most_often_met():
    assert [code for code in MUST_COVER if code not in BY_CODE] == []


def test_every_code_can_be_recorded_on_a_person():
    assert [entry.code for entry in ENDONYMS if entry.code not in CODES] == []
    assert LANGUAGES[-1][0] == "und", "'not yet known' stays last in the list"
    assert "und" not in BY_CODE


@pytest.mark.parametrize("entry", ENDONYMS, ids=lambda e: e.code)
def test_every_entry_has_its_words_and_a_lang_tag(entry: Endonym):
    assert entry.endonym.strip() == entry.endonym != ""
    assert entry.sentence.strip() == entry.sentence != ""
    assert BCP47.fullmatch(entry.lang), entry.lang
    assert entry.script in SCRIPT_NAMES


@pytest.mark.parametrize("entry", ENDONYMS, ids=lambda e: e.code)
def test_the_endonym_and_sentence_are_written_in_the_script(entry: Endonym):
    wanted = SCRIPT_NAMES[entry.script]
    for text in (entry.endonym, entry.sentence):
        found = letters(text)
        assert found, text
        strays = [c for c in found if not any(w in unicodedata.name(c) for w in wanted)]
        assert strays == [], f"{entry.code}: {strays} in {text!r} are not {entry.script}"


def test_arabic_script_languages_are_right_to_left_and_no_others():
    rtl = {entry.code for entry in ENDONYMS if entry.direction == "rtl"}
    assert rtl == {"arb", "prs", "pus", "urd", "pes"}
    assert {entry.code for entry in ENDONYMS if entry.script == "Arab"} == rtl
    assert {entry.direction for entry in ENDONYMS if entry.code not in rtl} == {"ltr"}


def test_sentences_nobody_could_check_are_marked_for_review():
    assert [code for code in NOT_CHECKED if not BY_CODE[code].needs_review] == []
    assert not BY_CODE["eng"].needs_review


# --- the plain card -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["advocate", "intake", "shelter", "admin", "auditor"])
def test_any_staff_member_sees_every_language_in_its_script(client_for, all_personas, role):
    client = client_for(all_personas[role])
    before = AuditEvent.objects.count()
    response = client.get(reverse("interpretation:point"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span lang="en">Point to your language.</span>' in body
    assert '<span lang="es">Señale su idioma.</span>' in body
    for entry in ENDONYMS:
        attributes = f'lang="{entry.lang}" dir="{entry.direction}"'
        # Django escapes the apostrophes of K'iche' and Q'anjob'al.
        endonym, sentence = (escape(text) for text in (entry.endonym, entry.sentence))
        assert f'<span class="point-tile__endonym" {attributes}>{endonym}</span>' in body
        assert f'<span class="point-tile__sentence" {attributes}>{sentence}</span>' in body
    assert '<form method="post" action="/cases/' not in body
    assert AuditEvent.objects.count() == before, "no person data, nothing to audit"


@pytest.mark.django_db
def test_the_card_names_the_languages_in_spanish_for_spanish_speaking_staff(client_for, advocate):
    advocate.language = "es"
    advocate.save()
    body = client_for(advocate).get(reverse("interpretation:point")).content.decode()
    assert '<span class="point-tile__name">Japonés</span>' in body
    assert '<span class="point-tile__name">Somalí</span>' in body


def test_the_card_needs_a_signed_in_user(client, db):
    response = client.get(reverse("interpretation:point"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- choosing on a case -----------------------------------------------------------


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, legal_name="Pointa Synthetic", language="und")


def point_url(case) -> str:
    return reverse("interpretation:point_for_case", args=[case.pk])


def language_of(case) -> str:
    return Person.objects.get(pk=case.person_id).language


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


@pytest.mark.django_db
def test_the_case_card_offers_each_language_as_a_button_and_audits_the_read(
    client_for, advocate, case
):
    viewed = len(events(Action.PEOPLE_VIEWED))
    response = client_for(advocate).get(point_url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'action="{point_url(case)}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    for entry in ENDONYMS:
        assert f'name="language" value="{entry.code}"' in body
    assert "Pointa" not in body, "the screen is turned to the person: no name on it"
    [event] = events(Action.PEOPLE_VIEWED)[viewed:]
    assert (event.object_type, event.object_id) == ("case", str(case.pk))


@pytest.mark.django_db
def test_choosing_a_language_records_it_on_the_person(client_for, advocate, case):
    client = client_for(advocate)
    response = client.post(point_url(case), {"language": "mya"})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case_detail", args=[case.pk])
    assert language_of(case) == "mya"
    [event] = events(Action.PERSON_CHANGED)
    assert event.actor_id == advocate.pk
    assert (event.object_type, event.object_id) == ("person", str(case.person_id))
    assert event.detail == {"fields": ["language"], "case": str(case.pk)}
    page = client.get(response["Location"]).content.decode()
    assert "Language recorded: Burmese." in page


@pytest.mark.django_db
def test_choosing_the_recorded_language_again_changes_nothing(client_for, supervisor, case):
    client = client_for(supervisor)
    client.post(point_url(case), {"language": "tir"})
    response = client.post(point_url(case), {"language": "tir"}, follow=True)
    assert response.status_code == 200
    assert "Nothing changed: the language was already Tigrinya." in response.content.decode()
    assert language_of(case) == "tir"
    assert len(events(Action.PERSON_CHANGED)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["zzz", "", "und", "MYA", "mya ", "x" * 5000])
def test_a_code_not_on_the_card_is_refused_with_400_and_nothing_changes(
    client_for, advocate, case, code
):
    response = client_for(advocate).post(point_url(case), {"language": code})
    assert response.status_code == 400
    assert "Choose one of the languages shown. Nothing was recorded." in response.content.decode()
    assert language_of(case) == "und"
    assert events(Action.PERSON_CHANGED) == []


@pytest.mark.django_db
def test_an_agency_that_does_not_record_the_language_is_told_so(client_for, advocate, agency, case):
    FieldSetting.objects.create(agency=agency, field="language", mode=FieldSetting.Mode.HIDDEN)
    response = client_for(advocate).post(point_url(case), {"language": "som"})
    assert response.status_code == 400
    assert "Your agency does not record this field." in response.content.decode()
    assert language_of(case) == "und"
    assert events(Action.PERSON_CHANGED) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["intake", "shelter", "admin", "auditor", "outsider"])
def test_who_may_not_change_the_person_gets_404_and_nothing_is_recorded(
    client_for, all_personas, outsider, intake, team, role
):
    # Intake staff may open the cases they recorded, and only see them.
    case = record_intake(actor=intake, team=team, legal_name="Pointa Synthetic", language="und")
    user = outsider if role == "outsider" else all_personas[role]
    client = client_for(user)
    before = AuditEvent.objects.count()
    assert client.get(point_url(case)).status_code == 404
    assert client.post(point_url(case), {"language": "som"}).status_code == 404
    assert language_of(case) == "und"
    assert AuditEvent.objects.count() == before, "a refusal shows and records nothing"


@pytest.mark.django_db
def test_choosing_needs_the_csrf_token(advocate, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate, backend=settings.AUTHENTICATION_BACKENDS[-1])
    response = client.post(point_url(case), {"language": "som"})
    assert response.status_code == 403
    assert language_of(case) == "und"


@pytest.mark.django_db
def test_the_case_page_links_to_the_card_only_for_those_who_may_choose(
    client_for, advocate, intake, team
):
    case = record_intake(actor=intake, team=team, legal_name="Pointa Synthetic")
    link = f'href="{point_url(case)}"'
    assert (
        link
        in client_for(advocate).get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    )
    assert (
        link
        not in client_for(intake).get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    )


# --- the printed card ---------------------------------------------------------------


def _utf16(hexes: str) -> str:
    return bytes.fromhex(hexes).decode("utf-16-be", errors="replace") if hexes else ""


def unicode_map_text(cmap: str) -> str:
    """The text a ToUnicode CMap maps its glyphs to (bfchar and bfrange)."""
    text = ""
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        text += "".join(_utf16(dst) for _src, dst in re.findall(r"<(\w*)>\s*<(\w*)>", block))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, dst in re.findall(r"<(\w+)>\s*<(\w+)>\s*(<\w*>|\[[^\]]*\])", block):
            if dst.startswith("["):
                text += "".join(_utf16(h) for h in re.findall(r"<(\w*)>", dst))
            else:
                first = _utf16(dst[1:-1])
                for step in range(int(high, 16) - int(low, 16) + 1):
                    text += first[:-1] + chr(ord(first[-1]) + step)
    return text


def font_coverage(reader: PdfReader) -> dict[str, str]:
    """Each embedded font's name (subset tag and punctuation removed), with
    the text its glyphs stand for, from its ToUnicode map."""
    found: dict[str, str] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            name = re.sub(r"[^A-Za-z]", "", str(font["/BaseFont"]).split("+")[-1])
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            found[name] = found.get(name, "") + unicode_map_text(cmap)
    return found


@pytest.fixture(scope="module")
def card_pdf():
    """The printed card, made once for these tests (it needs no database)."""
    from haven.interpretation.language_views import _card_pdf

    return PdfReader(io.BytesIO(_card_pdf("en")))


@pytest.mark.django_db
def test_the_printed_card_is_a_pdf_for_any_staff_member(client_for, auditor):
    response = client_for(auditor).get(reverse("interpretation:point_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="languages.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1, "the card is one sheet"
    text = reader.pages[0].extract_text()
    assert "Point to your language." in text
    assert "Señale su idioma." in text


@pytest.mark.parametrize(
    "entry", [e for e in ENDONYMS if e.script in EXTRACTABLE], ids=lambda e: e.code
)
def test_the_printed_card_carries_each_endonym_as_text(card_pdf, entry: Endonym):
    # Lines break inside a tile, and a combining mark may come out spaced.
    text = re.sub(r"\s", "", "".join(page.extract_text() for page in card_pdf.pages))
    assert re.sub(r"\s", "", entry.endonym) in text
    assert re.sub(r"\s", "", language_name(entry.code)) in text


@pytest.mark.parametrize(
    "entry", [e for e in ENDONYMS if e.script in SCRIPT_FONTS], ids=lambda e: e.code
)
def test_the_printed_card_embeds_a_font_made_for_each_script(card_pdf, entry: Endonym):
    coverage = font_coverage(card_pdf)
    wanted = SCRIPT_FONTS[entry.script]
    fonts = {name: text for name, text in coverage.items() if name.startswith(wanted)}
    assert fonts, f"{entry.code}: no {wanted} font among {sorted(coverage)}"
    covered = "".join(fonts.values())
    missing = [c for c in entry.endonym + entry.sentence if c.isalpha() and c not in covered]
    assert missing == [], f"{entry.code}: {missing} not drawn with a {wanted} font"
