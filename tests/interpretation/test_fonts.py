"""The printed language card never shows boxes: each script it writes has a
font on this server, and a missing one is reported, not discovered on paper.

The test machine has Debian's fonts-noto-core and fonts-noto-cjk, as the
README asks of every server.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from haven.core.languages import CODES
from haven.interpretation import fonts
from haven.interpretation.endonyms import BY_CODE, ENDONYMS, Endonym
from haven.interpretation.fonts import SCRIPT_FONTS, ScriptFont, card_text, covers, missing_fonts

CARD = Path(settings.BASE_DIR) / "templates" / "interpretation" / "pdf" / "card.html"


def test_every_language_haven_records_is_on_the_card():
    assert sorted(CODES - {"und"}) == sorted(BY_CODE)


def test_every_script_of_the_card_names_a_font_its_stylesheet_asks_for():
    stylesheet = CARD.read_text()
    for script in {entry.script for entry in ENDONYMS}:
        assert script in SCRIPT_FONTS, script
        assert f'"{SCRIPT_FONTS[script].family}"' in stylesheet, script


@pytest.mark.parametrize("entry", ENDONYMS, ids=lambda e: e.code)
def test_a_font_on_this_server_draws_every_letter_the_card_writes(entry: Endonym):
    font = SCRIPT_FONTS[entry.script]
    assert covers(font.family, card_text(entry)), (
        f"{entry.code}: no {font.family} font covers {card_text(entry)!r}"
    )


def test_nothing_is_missing_on_a_server_with_the_readme_packages():
    assert missing_fonts() == []


def test_a_font_without_the_script_is_not_taken_for_one():
    assert not covers("Noto Sans Thai", "中文")
    assert not covers("No Such Family Anywhere", "Hablo español.")


def test_check_fonts_warns_with_the_package_to_install_and_does_not_fail(monkeypatch):
    monkeypatch.setitem(SCRIPT_FONTS, "Thai", ScriptFont("No Such Family Anywhere", "fonts-x"))
    err = io.StringIO()
    call_command("check_fonts", stderr=err)  # no exception: make run goes on
    said = err.getvalue()
    assert "Thai (No Such Family Anywhere): Thai" in said
    assert "sudo apt-get install fonts-x" in said
    assert [font.script for font in fonts.missing_fonts()] == ["Thai"]


def test_check_fonts_is_quiet_when_nothing_is_missing():
    out, err = io.StringIO(), io.StringIO()
    call_command("check_fonts", stdout=out, stderr=err)
    assert (out.getvalue(), err.getvalue()) == ("", "")
