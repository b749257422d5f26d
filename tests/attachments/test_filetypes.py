"""A file is judged by its bytes: every accepted kind is recognised whatever
its name, and what a browser could run, archives, programs, bombs and
interrupted uploads are refused with a message that says why."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.attachments import filetypes
from tests import files


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (files.pdf(), filetypes.PDF),
        (files.png(), filetypes.PNG),
        (files.jpeg(), filetypes.JPEG),
        (files.wav(), filetypes.WAV),
        (files.eml(), filetypes.EML),
        (files.docx(), filetypes.DOCX),
        (b"GIF89a" + b"\x00" * 20, filetypes.GIF),
        (b"OggS" + b"\x00" * 20, filetypes.OGG),
        (b"#!AMR\n" + b"\x00" * 20, filetypes.AMR),
        (b"ID3\x04" + b"\x00" * 20, filetypes.MP3),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00", filetypes.M4A),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", filetypes.HEIC),
    ],
)
def test_accepted_kinds_are_recognised_by_their_bytes(data, expected):
    assert filetypes.identify(data) == expected


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        filetypes.identify(data)
    assert caught.value.messages[0], "a refusal always says why"
    return str(caught.value.code)


def test_a_web_page_renamed_pdf_is_refused():
    assert refusal(files.html_named_pdf()) == "markup"


def test_an_svg_with_a_script_is_refused():
    assert refusal(files.svg_with_script()) == "markup"


def test_a_zip_bomb_is_refused_as_an_archive_and_disguised_as_a_word_document():
    assert refusal(files.zip_bomb()) == "archive"
    assert refusal(files.zip_bomb(as_docx=True)) == "zip_bomb"


def test_programs_and_scripts_are_refused():
    assert refusal(b"MZ\x90\x00" + b"\x00" * 60) == "program"
    assert refusal(b"\x7fELF\x02\x01\x01" + b"\x00" * 60) == "program"
    assert refusal(b"#!/bin/sh\nrm -rf /\n") == "program"


@pytest.mark.parametrize("whole", [files.pdf(), files.png(), files.jpeg()])
def test_a_file_cut_short_is_refused_as_interrupted(whole):
    assert refusal(whole[: len(whole) // 2]) == "incomplete"


def test_an_empty_file_and_an_unknown_kind_are_refused():
    assert refusal(b"") == "empty"
    assert refusal(b"just some words, not a document") == "unknown"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_any_bytes_are_either_a_known_kind_or_a_clear_refusal(data):
    messages: list[str] = []
    try:
        kind = filetypes.identify(data)
    except ValidationError as refused:
        messages = refused.messages
        kind = None
    assert kind in filetypes.ACCEPTED or messages
