"""Haven's select template writes its options inline; it must write what
Django's own templates write."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

CHOICES = [
    ("", "---------"),
    ("spa", "Spanish"),
    ("fra", 'French "français" & <co>'),
    ("Group <one>", [("a&b", "Odd <value>"), ("eng", "English")]),
]


@pytest.mark.parametrize("value", [None, "spa", "a&b"])
@pytest.mark.parametrize("attrs", [{"id": "id_language"}, {"id": "id_l", "required": True}, {}])
@pytest.mark.parametrize(
    "widget_class", [forms.Select, forms.SelectMultiple, forms.NullBooleanSelect]
)
def test_a_select_is_written_as_djangos_own_templates_write_it(widget_class, value, attrs):
    widget = widget_class()
    if widget_class is not forms.NullBooleanSelect:
        widget.choices = CHOICES
    value = [value] if widget_class is forms.SelectMultiple else value
    ours = widget.render("language", value, attrs)
    djangos = widget.render("language", value, attrs, renderer=DjangoTemplates())
    assert ours == djangos
    assert "<option" in ours


def test_forms_render_through_the_projects_templates():
    from django.forms.renderers import get_default_renderer

    template = get_default_renderer().get_template("django/forms/widgets/select.html")
    assert "templates/django/forms/widgets/select.html" in str(template.origin.name)
