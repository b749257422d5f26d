"""The "point to your language" card in a real browser: every language drawn
in its own script (no empty boxes where a font is missing), large touch
targets, printable, and a choice on a case recorded on the person.

How "no tofu" is checked: Chromium reports, through the DevTools protocol,
which installed fonts drew each element's text. When no font has a
character, Chromium draws the first font's empty box instead and still
reports that font, so the test asks each reported font's own character map
(read with fontTools) whether it has every character of the text. A width
comparison against as many "missing glyph" boxes is too weak here: some
real sentences (Nepali, Khmer) come within a pixel of it.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep full-page screenshots under point/ for review.
"""

from __future__ import annotations

import functools
import itertools
import os
import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from haven.core.languages import language_name
from haven.interpretation.endonyms import ENDONYMS, Endonym
from haven.people.models import Person
from tests.factories import record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")
MIN_TARGET = 48  # CSS pixels, WCAG 2.5.5 (AAA) and the platform guidelines
MIN_GAP = 8

# The font made for each script the card uses (Debian's fonts-noto-core and
# fonts-noto-cjk), which point.css names; Latin and Cyrillic may use any font.
SCRIPT_FONTS = {
    "Mymr": ("Noto Sans Myanmar",),
    "Ethi": ("Noto Sans Ethiopic",),
    "Deva": ("Noto Sans Devanagari",),
    "Guru": ("Noto Sans Gurmukhi",),
    "Beng": ("Noto Sans Bengali",),
    "Gujr": ("Noto Sans Gujarati",),
    "Taml": ("Noto Sans Tamil",),
    "Thai": ("Noto Sans Thai",),
    "Laoo": ("Noto Sans Lao",),
    "Khmr": ("Noto Sans Khmer",),
    "Arab": ("Noto Naskh Arabic", "Noto Nastaliq Urdu"),
    "Hans": ("Noto Sans CJK SC",),
    "Hant": ("Noto Sans CJK HK", "Noto Sans CJK TC"),
    "Jpan": ("Noto Sans CJK JP",),
    "Kore": ("Noto Sans CJK KR",),
}


def shot(tab, name: str, *, print_media: bool = False) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        folder = Path(SHOTS) / "point"
        folder.mkdir(parents=True, exist_ok=True)
        if print_media:
            tab.page.emulate_media(media="print")
        tab.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        tab.page.emulate_media(media="screen")


@functools.cache
def characters_of(postscript_name: str) -> frozenset[int]:
    """The code points an installed font has glyphs for, from its cmap."""
    found = subprocess.run(
        ["fc-list", f":postscriptname={postscript_name}", "-f", "%{file}\t%{index}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")[0]
    assert found, f"fontconfig does not know {postscript_name}"
    path, index = found.split("\t")
    font = TTFont(path, fontNumber=int(index or 0), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def drawn_with(tab, selector: str) -> list[tuple[str, list[dict]]]:
    """For each element matching ``selector``: its text, and the platform
    fonts Chromium drew it with."""
    session = tab.page.context.new_cdp_session(tab.page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        ids = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        texts = tab.page.locator(selector).all_text_contents()
        fonts = [
            session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            for node in ids["nodeIds"]
        ]
    finally:
        session.detach()
    return list(zip(texts, fonts, strict=True))


def assert_drawn_in_its_script(tab) -> None:
    """Every endonym and sentence on the page is drawn by fonts that have all
    of its characters, the non-Latin ones by the font made for the script."""
    for part in ("endonym", "sentence"):
        drawn = drawn_with(tab, f".point-tile__{part}")
        assert len(drawn) == len(ENDONYMS)
        for entry, (text, fonts) in zip(ENDONYMS, drawn, strict=True):
            assert text == getattr(entry, part)
            families = {font["familyName"] for font in fonts}
            assert all(font["glyphCount"] > 0 for font in fonts), (entry.code, fonts)
            wanted = SCRIPT_FONTS.get(entry.script)
            if wanted:
                assert families & set(wanted), f"{entry.code} {part} drawn with {families}"
            covered = frozenset().union(*(characters_of(f["postScriptName"]) for f in fonts))
            missing = [
                f"U+{ord(c):04X} {unicodedata.name(c, '?')}"
                for c in text
                if unicodedata.category(c) not in ("Zs", "Cf") and ord(c) not in covered
            ]
            assert missing == [], f"{entry.code} {part}: empty boxes for {missing} ({families})"


def assert_lang_and_dir(tab) -> None:
    attributes = tab.page.eval_on_selector_all(
        ".point-tile__endonym, .point-tile__sentence",
        "(els) => els.map((el) => [el.getAttribute('lang'), el.getAttribute('dir')])",
    )
    expected = [(entry.lang, entry.direction) for entry in ENDONYMS for _part in (0, 1)]
    assert sorted(map(tuple, attributes)) == sorted(expected)


def assert_large_well_spaced_targets(tab, selector: str) -> None:
    boxes = [tile.bounding_box() for tile in tab.page.locator(selector).all()]
    assert len(boxes) == len(ENDONYMS)
    small = [
        (entry.code, box)
        for entry, box in zip(ENDONYMS, boxes, strict=True)
        if box is None or box["width"] < MIN_TARGET or box["height"] < MIN_TARGET
    ]
    assert small == [], f"tiles under {MIN_TARGET}x{MIN_TARGET} px: {small}"
    for box, after in itertools.pairwise(boxes):
        assert box is not None
        assert after is not None
        if abs(after["y"] - box["y"]) < 1:  # the next tile on the same row
            assert after["x"] - (box["x"] + box["width"]) >= MIN_GAP
        else:  # the first tile of the next row
            assert after["y"] - (box["y"] + box["height"]) >= MIN_GAP


def test_the_card_draws_every_language_in_its_script_with_large_targets(tab, advocate):
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit("/languages/")
    page = tab.page
    assert page.inner_text("h1") == "Point to your language. Señale su idioma."
    assert page.get_attribute("h1 span:nth-child(2)", "lang") == "es"
    assert_lang_and_dir(tab)
    assert_drawn_in_its_script(tab)
    assert_large_well_spaced_targets(tab, ".point-tile")
    names = page.locator(".point-tile__name").all_text_contents()
    assert names == [language_name(entry.code) for entry in ENDONYMS]
    shot(tab, "languages")
    shot(tab, "languages-print", print_media=True)

    # On paper: no staff notes, four tiles a row.
    page.emulate_media(media="print")
    assert not page.is_visible(".point__staff")
    assert not page.is_visible(".site-header")
    tops = [box["y"] for box in (t.bounding_box() for t in page.locator(".point-tile").all())]
    assert len(set(tops[:4])) == 1
    assert tops[4] > tops[3]
    page.emulate_media(media="screen")

    # The printed card is offered from the page.
    assert page.get_attribute("text=Print the card (PDF)", "href") == "/languages/card.pdf"


def test_on_a_case_the_tile_pointed_to_becomes_the_persons_language(tab, advocate, team):
    case = record_intake(actor=advocate, team=team, preferred_name="Rin Sample", language="und")
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit(f"/cases/{case.pk}/")
    tab.click_through("main >> text=Point to your language")
    assert tab.path == f"/cases/{case.pk}/language/"
    assert "Rin Sample" not in tab.page.inner_text("main"), "the screen faces the person"
    assert_lang_and_dir(tab)
    assert_drawn_in_its_script(tab)
    assert_large_well_spaced_targets(tab, "button.point-tile")
    shot(tab, "case-card")

    somali: Endonym = next(entry for entry in ENDONYMS if entry.code == "som")
    tab.click_through(f"button.point-tile[value={somali.code}]")
    assert tab.path == f"/cases/{case.pk}/"
    assert tab.page.is_visible("text=Language recorded: Somali.")
    assert Person.objects.get(pk=case.person_id).language == "som"
    shot(tab, "case-after")


def test_the_case_card_works_with_the_keyboard(tab, advocate, team):
    case = record_intake(actor=advocate, team=team, preferred_name="Kai Sample", language="und")
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit(f"/cases/{case.pk}/language/")
    tile = tab.page.locator("button.point-tile[value=amh]")
    tile.focus()
    outline = tile.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused tile is visibly marked"
    with tab.navigation():
        tab.page.keyboard.press("Enter")
    assert tab.path == f"/cases/{case.pk}/"
    assert Person.objects.get(pk=case.person_id).language == "amh"


def test_the_card_fits_a_phone_screen(new_browsing, advocate):
    tab = new_browsing(viewport={"width": 360, "height": 740})
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit("/languages/")
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "no sideways scrolling"
    assert_large_well_spaced_targets(tab, ".point-tile")
    assert_drawn_in_its_script(tab)
