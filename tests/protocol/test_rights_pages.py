"""The rights pages: the library by topic and language, a handout read and
printed in its language (naming no one), what was explained, and the
agency's own handouts as new versions."""

from __future__ import annotations

import re
import zlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.protocol import library
from haven.protocol.materials_service import material_add
from haven.protocol.models import Material, RightsExplained
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

NAME = "Noor Zanzibarsample"


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a WeasyPrint PDF. No PDF text library is installed
    (pypdf, pdfminer, pdftotext), so this reads the glyphs of the content
    streams through the fonts' ToUnicode maps: enough for words, not layout."""
    streams = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            streams.append(zlib.decompress(pdf[match.end() : end]))
        except zlib.error:
            continue
    glyphs: dict[str, str] = {}
    for data in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for code, uni in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                glyphs.setdefault(
                    code.decode().lower(), bytes.fromhex(uni.decode()).decode("utf-16-be")
                )
    text = []
    for data in streams:
        if b"BT" not in data:
            continue
        for array, single in re.findall(rb"\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", data, re.S):
            for hexes in re.findall(rb"<([0-9a-fA-F]*)>", array) if array else [single]:
                h = hexes.decode().lower()
                text.append("".join(glyphs.get(h[i : i + 4], "") for i in range(0, len(h), 4)))
            text.append(" ")
    return " ".join("".join(text).split())


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, preferred_name=NAME, language="spa")


def url(name: str, case, **kwargs) -> str:
    return reverse(f"protocol:{name}", kwargs={"case_id": case.pk, **kwargs})


def explain(client, case, **overrides):
    data = {
        "topic": "t_visa",
        "language": "spa",
        "explained_on": timezone.localdate().isoformat(),
        "interpreter": "Phone line interpreter 4411",
        "questions": "How long does it take?",
        **overrides,
    }
    return client.post(url("rights_explained", case), data)


def test_the_library_lists_topics_with_the_persons_language_first(client_for, advocate, case):
    response = client_for(advocate).get(url("rights", case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "do not promise" in page.lower()
    spa = url("handout", case, topic="t_visa", language="spa")
    eng = url("handout", case, topic="t_visa", language="eng")
    assert spa in page
    assert eng in page
    assert page.index(spa) < page.index(eng)
    # The topic's title is shown in the person's language.
    assert library.shipped()[("t_visa", "spa")].title in page


def test_everyone_else_gets_404_and_leaves_no_trace(
    client_for, intake, shelter, admin_user, auditor, outsider, case
):
    pages = [
        url("rights", case),
        url("handout", case, topic="t_visa", language="spa"),
        url("handout_pdf", case, topic="t_visa", language="spa"),
    ]
    for user in (intake, shelter, admin_user, auditor, outsider):
        client = client_for(user)
        before = AuditEvent.objects.count()
        for page in pages:
            assert client.get(page).status_code == 404, (user, page)
        assert explain(client, case).status_code == 404
        assert AuditEvent.objects.count() == before
    assert RightsExplained.objects.count() == 0


def test_a_handout_reads_in_its_language(client_for, shelter, advocate, case):
    client = client_for(advocate)
    response = client.get(url("handout", case, topic="u_visa", language="spa"))
    assert response.status_code == 200
    handout = library.shipped()[("u_visa", "spa")]
    page = response.content.decode()
    assert 'lang="es"' in page
    assert handout.title in page
    # A handout that does not exist is missing, and no read is recorded.
    before = AuditEvent.objects.count()
    for topic, language in (("u_visa", "som"), ("no_such_topic", "eng")):
        missing = client.get(url("handout", case, topic=topic, language=language))
        assert missing.status_code == 404
    assert AuditEvent.objects.count() == before


def test_a_spanish_handout_prints_in_spanish_naming_no_one(client_for, advocate, case):
    response = client_for(advocate).get(url("handout_pdf", case, topic="t_visa", language="spa"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="handout-t_visa-spa.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    handout = library.shipped()[("t_visa", "spa")]
    assert handout.title in text
    words = set(re.findall(r"\w+", text.lower()))
    assert {"usted", "puede", "para", "necesita"} <= words
    assert library.shipped()[("t_visa", "eng")].title not in text
    for part in NAME.split():
        assert part not in text
    printed = AuditEvent.objects.get(action=Action.DOCUMENT_PRINTED)
    assert printed.object_type == "case"
    assert printed.object_id == str(case.pk)
    assert printed.detail == {
        "document": "handout",
        "topic": "t_visa",
        "language": "spa",
        "version": handout.version,
    }


def test_what_was_explained_is_recorded_with_the_version(client_for, advocate, case):
    client = client_for(advocate)
    response = explain(client, case)
    assert response.status_code == 303
    row = RightsExplained.objects.get(case=case)
    assert (row.topic, row.language) == ("t_visa", "spa")
    assert row.version == library.shipped()[("t_visa", "spa")].version
    assert row.agency_material is False
    assert row.interpreter == "Phone line interpreter 4411"
    assert row.questions == "How long does it take?"
    assert AuditEvent.objects.filter(action=Action.RIGHTS_EXPLAINED).count() == 1
    page = client.get(url("rights", case)).content.decode()
    assert "How long does it take?" in page
    assert "Phone line interpreter 4411" in page
    assert advocate.display_name in page


def test_bad_explanations_are_refused_and_change_nothing(client_for, advocate, case):
    client = client_for(advocate)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    before = AuditEvent.objects.filter(action=Action.RIGHTS_EXPLAINED).count()
    for overrides in (
        {"topic": "no_such_topic"},
        {"language": "som"},
        {"explained_on": tomorrow},
        {"explained_on": ""},
        {"questions": "x" * 2001},
        {"interpreter": "bad\u202etext"},
    ):
        response = explain(client, case, **overrides)
        assert response.status_code == 400, overrides
        assert b"error-summary" in response.content
    assert RightsExplained.objects.count() == 0
    assert AuditEvent.objects.filter(action=Action.RIGHTS_EXPLAINED).count() == before


def test_agency_material_is_a_new_version_and_takes_the_place_of_ours(
    client_for, admin_user, supervisor, advocate, outsider, case
):
    settings_url = reverse("protocol:materials")
    assert client_for(advocate).get(settings_url).status_code == 404
    client = client_for(admin_user)
    assert client.get(settings_url).status_code == 200
    data = {
        "topic": "t_visa",
        "language": "spa",
        "title": "Visa T: nuestra hoja",
        "body": "Texto sencillo.\n\n## Dudas\n\n- Pregunte a su abogado.",
    }
    assert client.post(settings_url, data).status_code == 303
    response = client_for(supervisor).post(settings_url, {**data, "title": "Visa T: segunda"})
    assert response.status_code == 303
    versions = list(
        Material.objects.filter(topic="t_visa", language="spa").values_list("version", flat=True)
    )
    assert sorted(versions) == [1, 2]
    # Bad material is refused with a message and saves nothing.
    for bad in (
        {"topic": "T Visa!"},
        {"language": "und"},
        {"body": "# One hash is not a heading here"},
        {"title": ""},
    ):
        assert client.post(settings_url, {**data, **bad}).status_code == 400, bad
    assert Material.objects.count() == 2
    # Staff see the newest version, and what was explained records it.
    page = client_for(advocate).get(url("handout", case, topic="t_visa", language="spa"))
    assert "Visa T: segunda" in page.content.decode()
    assert explain(client_for(advocate), case).status_code == 303
    row = RightsExplained.objects.get(case=case)
    assert (row.version, row.agency_material) == (2, True)
    # Another agency's library is untouched.
    assert ("t_visa", "spa") in library.handouts_for(outsider.agency_id)
    assert library.handouts_for(outsider.agency_id)[("t_visa", "spa")].agency_material is False


def test_material_add_is_for_administrators_and_supervisors(advocate):
    from haven.core.errors import NotFound

    with pytest.raises(NotFound):
        material_add(actor=advocate, topic="x", language="eng", title="T", body="Body.")
