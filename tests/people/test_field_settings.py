"""The agency's settings for the person record: only administrators change
them, bad settings save nothing, every change is audited by field name, and
the labels and hidden fields follow staff onto every form and page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.people.details import CANNOT_REQUIRE, DETAIL_NAMES, PersonDetails
from haven.people.field_settings import (
    field_rules,
    field_settings_save,
)
from haven.people.models import FieldSetting, Person
from haven.people.services import person_details
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

URL = reverse("people:field_settings")


def settings_events():
    return AuditEvent.objects.filter(action=Action.FIELD_SETTINGS_CHANGED)


def form_post(**overrides) -> dict[str, str]:
    """The whole settings form as an administrator posts it: every field optional
    with no label, except for ``overrides`` ("mode_x" / "label_x" keys)."""
    data = {f"mode_{name}": "optional" for name in DETAIL_NAMES}
    data.update({f"label_{name}": "" for name in DETAIL_NAMES})
    data.update(overrides)
    return data


def snapshot():
    return sorted(FieldSetting.objects.values_list("agency_id", "field", "mode", "label"))


def set_field(agency, field, mode="optional", label=""):
    FieldSetting.objects.update_or_create(
        agency=agency, field=field, defaults={"mode": mode, "label": label}
    )


# --- Who may change them --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["advocate", "supervisor", "intake", "shelter", "auditor"])
def test_only_administrators_open_or_post_the_page(client_for, all_personas, persona):
    client = client_for(all_personas[persona])
    assert client.get(URL).status_code == 404
    response = client.post(URL, form_post(mode_gender="hidden"))
    assert response.status_code == 404
    assert snapshot() == []
    assert not settings_events().exists()


@pytest.mark.parametrize("persona", ["advocate", "supervisor", "intake", "shelter", "auditor"])
def test_only_administrators_may_save_through_the_service(all_personas, persona):
    with pytest.raises(NotFound):
        field_settings_save(
            actor=all_personas[persona], choices={"gender": ("hidden", "Private label")}
        )
    assert snapshot() == []


def test_an_administrator_changes_only_their_own_agency(stepped_up, admin_user, outsider):
    response = stepped_up(admin_user).post(URL, form_post(mode_gender="hidden"))
    assert response.status_code == 302
    assert field_rules(admin_user.agency_id).is_hidden("gender")
    assert not field_rules(outsider.agency_id).is_hidden("gender")


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.post(URL, form_post(mode_gender="hidden"))
    assert response.status_code in (302, 401, 403, 404)
    assert snapshot() == []


# --- Saving ---------------------------------------------------------------------------


def test_a_change_is_saved_and_audited_with_field_names_only(stepped_up, admin_user, agency):
    client = stepped_up(admin_user)
    response = client.post(
        URL,
        form_post(
            mode_gender="hidden",
            mode_phone="required",
            label_dialect="Variante regional secreta",
        ),
    )
    assert response.status_code == 302
    rules = field_rules(agency.pk)
    assert rules.is_hidden("gender")
    assert rules.is_required("phone")
    assert rules.label("dialect") == "Variante regional secreta"
    [event] = settings_events()
    assert sorted(event.detail["fields"]) == ["dialect", "gender", "phone"]
    assert set(event.detail) == {"fields"}
    assert "Variante" not in str(event.detail)
    # Posting the same settings again changes nothing and adds no event.
    assert (
        client.post(
            URL,
            form_post(
                mode_gender="hidden",
                mode_phone="required",
                label_dialect="Variante regional secreta",
            ),
        ).status_code
        == 302
    )
    assert settings_events().count() == 1


def test_the_service_returns_the_changed_names_sorted(admin_user):
    changed = field_settings_save(
        actor=admin_user,
        choices={"phone": ("required", ""), "aliases": ("hidden", ""), "gender": ("optional", "")},
    )
    assert changed == ["aliases", "phone"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"mode_gender": "secret"}, "mode_gender"),
        ({"mode_gender": ""}, "mode_gender"),
        ({"mode_immigration_status": "required"}, "mode_immigration_status"),
        ({"mode_interpreter_needed": "required"}, "mode_interpreter_needed"),
        ({"label_gender": "L" * 61}, "label_gender"),
        ({"label_gender": "L" * 1_000_000}, "label_gender"),
    ],
)
def test_invalid_settings_on_the_page_save_nothing(client_for, admin_user, overrides, field):
    before = snapshot()
    response = client_for(admin_user).post(URL, form_post(mode_phone="required", **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert snapshot() == before
    assert not settings_events().exists()


@pytest.mark.parametrize("label", ["Bell\x07", "evil\u202egnp", "Null\x00"])
def test_labels_with_control_characters_save_nothing(client_for, admin_user, label):
    response = client_for(admin_user).post(URL, form_post(label_gender=label))
    assert response.status_code == 400
    assert snapshot() == []


def test_a_missing_field_in_the_post_saves_nothing(client_for, admin_user):
    data = form_post(mode_gender="hidden")
    del data["mode_phone"]
    response = client_for(admin_user).post(URL, data)
    assert response.status_code == 400
    assert snapshot() == []


@pytest.mark.parametrize(
    "choices",
    [
        {"gender": ("hidden", ""), "no_such_field": ("hidden", "")},
        {"gender": ("hidden", ""), "agency": ("optional", "")},
        {"gender": ("hidden", ""), "phone": ("mandatory", "")},
        {"gender": ("hidden", ""), "phone": ("optional", "x" * 61)},
        {"gender": ("hidden", ""), "immigration_status": ("required", "")},
        {"gender": ("hidden", ""), "interpreter_needed": ("required", "")},
    ],
)
def test_invalid_settings_in_the_service_save_nothing(admin_user, choices):
    with pytest.raises(ValidationError):
        field_settings_save(actor=admin_user, choices=choices)
    assert snapshot() == []
    assert not settings_events().exists()


def test_fields_that_cannot_be_required_are_not_offered_as_required(client_for, admin_user):
    page = client_for(admin_user).get(URL)
    form = page.context["form"]
    for name in CANNOT_REQUIRE:
        offered = [value for value, _label in form.fields[f"mode_{name}"].choices]
        assert "required" not in offered
        assert "hidden" in offered


# --- Labels on forms and pages --------------------------------------------------------


def intake_to_identity(client):
    client.post(reverse("people:intake_start"), {"danger": "no"})
    return client.post(reverse("people:intake_language"), {"language": "spa"})


def test_renamed_labels_show_on_the_forms_and_the_case_page(client_for, agency, advocate, team):
    set_field(agency, "phone", label="Número seguro")
    set_field(agency, "dialect", label="Variante <b>regional</b>")
    set_field(agency, "gender", label="Identidad de género")
    case = record_intake(actor=advocate, team=team, phone="608-555-0133", gender="mujer")
    client = client_for(advocate)
    edit = client.get(reverse("people:person_edit", args=[case.pk])).content.decode()
    assert "Número seguro" in edit
    assert "Identidad de género" in edit
    assert "Variante &lt;b&gt;regional&lt;/b&gt;" in edit
    assert "<b>regional</b>" not in edit
    intake_to_identity(client)
    language = client.get(reverse("people:intake_language")).content.decode()
    assert "Variante &lt;b&gt;regional&lt;/b&gt;" in language
    identity = client.get(reverse("people:intake_identity")).content.decode()
    assert "Número seguro" in identity
    detail = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert "Número seguro" in detail
    assert "Identidad de género" in detail
    assert "Safe phone number" not in detail


def test_renamed_name_labels_show_on_the_case_page(client_for, agency, advocate, team):
    set_field(agency, "legal_name", label="Nombre legal")
    set_field(agency, "preferred_name", label="Cómo le llamamos")
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Nombre")
    detail = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk]))
    assert "Nombre legal" in detail.content.decode()
    assert "Cómo le llamamos" in detail.content.decode()


# --- Hidden fields --------------------------------------------------------------------


def test_hidden_fields_vanish_from_the_wizard(client_for, agency, intake, team):
    set_field(agency, "phone", mode="hidden")
    set_field(agency, "dialect", mode="hidden")
    client = client_for(intake)
    client.post(reverse("people:intake_start"), {"danger": "no"})
    language = client.get(reverse("people:intake_language")).content
    assert b'name="dialect"' not in language
    assert b'name="language"' in language
    # A dialect posted anyway is ignored, not stored.
    client.post(reverse("people:intake_language"), {"language": "spa", "dialect": "Sneaky"})
    identity = client.get(reverse("people:intake_identity")).content
    assert b'name="phone"' not in identity
    assert b'name="preferred_name"' in identity
    response = client.post(
        reverse("people:intake_identity"),
        {"team": team.pk, "preferred_name": "Synthetic Hidden", "phone": "608-555-0100"},
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.phone is None
    assert person.dialect is None
    assert person.language == "spa"


def test_hidden_fields_vanish_from_the_edit_and_case_pages_but_are_kept(
    client_for, agency, advocate, team
):
    case = record_intake(
        actor=advocate,
        team=team,
        phone="608-555-0144",
        gender="Synthetic Gender Words",
        immigration_status="asylum",
    )
    for name in ("phone", "gender", "immigration_status"):
        set_field(agency, name, mode="hidden", label=f"Renamed {name}")
    client = client_for(advocate)
    edit_url = reverse("people:person_edit", args=[case.pk])
    edit = client.get(edit_url).content.decode()
    detail = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    for page in (edit, detail):
        assert "608-555-0144" not in page
        assert "Synthetic Gender Words" not in page
        assert "Renamed" not in page
        assert "Safe phone number" not in page
        assert "Asylum" not in page
    # Saving the edit form, even with the hidden fields posted, keeps what was stored.
    response = client.post(
        edit_url,
        {
            "language": "und",
            "trafficking_type": "unknown",
            "preferred_name": "Synthetic Kept",
            "phone": "",
            "gender": "",
            "immigration_status": "",
        },
    )
    assert response.status_code == 302
    details = person_details(Person.objects.get(pk=case.person_id))
    assert details.preferred_name == "Synthetic Kept"
    assert details.phone == "608-555-0144"
    assert details.gender == "Synthetic Gender Words"
    assert details.immigration_status == "asylum"
    # Recorded again once the agency records the field again.
    set_field(agency, "phone", mode="optional")
    detail = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert "608-555-0144" in detail


def test_a_hidden_legal_name_vanishes_from_the_case_page(client_for, agency, advocate, team):
    case = record_intake(
        actor=advocate, team=team, legal_name="Synthetic Hiddenlegal", preferred_name="Pip"
    )
    set_field(agency, "legal_name", mode="hidden")
    detail = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk]))
    assert "Synthetic Hiddenlegal" not in detail.content.decode()
    assert person_details(Person.objects.get(pk=case.person_id)).legal_name == (
        "Synthetic Hiddenlegal"
    )


def test_a_required_field_no_step_asks_for_joins_the_identity_step(
    client_for, agency, intake, team
):
    set_field(agency, "gender_group", mode="required", label="Grupo")
    client = client_for(intake)
    intake_to_identity(client)
    identity = client.get(reverse("people:intake_identity"))
    assert b'name="gender_group"' in identity.content
    response = client.post(
        reverse("people:intake_identity"), {"team": team.pk, "preferred_name": "Synthetic Req"}
    )
    assert response.status_code == 400
    assert not Person.objects.exists()
    response = client.post(
        reverse("people:intake_identity"),
        {"team": team.pk, "preferred_name": "Synthetic Req", "gender_group": "declined"},
    )
    assert response.status_code == 302
    assert Person.objects.get().gender_group == "declined"


def test_hiding_the_interpreter_box_leaves_intake_working(client_for, agency, intake, team):
    set_field(agency, "interpreter_needed", mode="hidden")
    client = client_for(intake)
    intake_to_identity(client)
    response = client.post(
        reverse("people:intake_identity"), {"team": team.pk, "preferred_name": "Synthetic Box"}
    )
    assert response.status_code == 302
    assert Person.objects.count() == 1


def test_a_hidden_field_is_refused_over_the_service_but_blank_is_fine(agency, advocate, team):
    set_field(agency, "self_term", mode="hidden")
    with pytest.raises(ValidationError):
        record_intake(actor=advocate, team=team, self_term="Synthetic")
    case = record_intake(actor=advocate, team=team, self_term="")
    assert person_details(case.person) == PersonDetails()
