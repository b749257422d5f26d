"""Printed documents read back as text: the right language, the right person,
and nobody else's data (the text is extracted from the PDF itself)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from haven.audit.models import Action, AuditEvent
from haven.protocol.library import shipped
from haven.protocol.safety import safety_plan_save
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def two_people(advocate, team):
    """A Spanish speaker and an English speaker, each with a safety plan."""
    maria = record_intake(
        actor=advocate, team=team, preferred_name="Marisol Quintanar", language="spa"
    )
    other = record_intake(
        actor=advocate, team=team, preferred_name="Thaddeus Oyelaran", language="eng"
    )
    safety_plan_save(
        actor=advocate,
        case=maria,
        values={"code_word": "Girasol", "backup_plan": "Llamar a la prima Benedicta"},
    )
    safety_plan_save(
        actor=advocate,
        case=other,
        values={"code_word": "Pelican", "backup_plan": "Walk to the Okonkwo bakery"},
    )
    return maria, other


def test_a_safety_plan_prints_in_the_persons_language_with_only_their_data(
    client_for, advocate, two_people
):
    maria, _other = two_people
    response = client_for(advocate).get(reverse("protocol:safety_plan_pdf", args=[maria.pk]))
    text = pdf_text(response)
    assert "Marisol Quintanar" in text
    assert "Girasol" in text
    assert "Llamar a la prima Benedicta" in text
    # Spanish headings, not the English ones.
    assert "Plan de seguridad" in text or "plan de seguridad" in text.lower()
    assert "Safety plan" not in text
    # Nothing of the other person.
    for theirs in ("Thaddeus", "Oyelaran", "Pelican", "Okonkwo"):
        assert theirs not in text
    printed = AuditEvent.objects.filter(action=Action.DOCUMENT_PRINTED).get()
    assert printed.detail["document"] == "safety_plan"
    assert "Marisol" not in str(printed.detail)


def test_an_english_speakers_plan_prints_in_english(client_for, advocate, two_people):
    _maria, other = two_people
    text = pdf_text(client_for(advocate).get(reverse("protocol:safety_plan_pdf", args=[other.pk])))
    assert "Thaddeus Oyelaran" in text
    assert "Okonkwo" in text
    assert "Marisol" not in text
    assert "Girasol" not in text


@pytest.mark.parametrize("language", ["spa", "eng"])
def test_a_handout_prints_in_its_language_and_names_nobody(
    client_for, advocate, two_people, language
):
    maria, _other = two_people
    handout = shipped()[("t_visa", language)]
    url = reverse("protocol:handout_pdf", args=[maria.pk, "t_visa", language])
    text = pdf_text(client_for(advocate).get(url))
    assert " ".join(handout.title.split()) in text
    other_language = "eng" if language == "spa" else "spa"
    assert " ".join(shipped()[("t_visa", other_language)].title.split()) not in text
    assert "Marisol" not in text
    assert "Thaddeus" not in text


def test_a_name_the_agency_does_not_record_is_not_printed(client_for, advocate, agency, team):
    from haven.people.models import FieldSetting

    case = record_intake(actor=advocate, team=team, legal_name="Severina Auclair")
    safety_plan_save(actor=advocate, case=case, values={"backup_plan": "Synthetic plan B"})
    FieldSetting.objects.create(agency=agency, field="legal_name", mode=FieldSetting.Mode.HIDDEN)
    client = client_for(advocate)
    page = client.get(reverse("protocol:safety", args=[case.pk])).content.decode()
    assert "Severina" not in page
    text = pdf_text(client.get(reverse("protocol:safety_plan_pdf", args=[case.pk])))
    assert "Severina" not in text
    assert "Synthetic plan B" in text
