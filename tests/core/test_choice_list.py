"""The long tick-box list writes each choice in Python; it must write exactly
what Django's own option templates write."""

from __future__ import annotations

import pytest

from haven.core.forms import ChoiceList, most_used_first

CHOICES = [
    ("spa", "Spanish"),
    ("fra", 'French "français" & <co>'),
    ("a&b", "Odd <value>"),
    ("", "None"),
]


@pytest.mark.parametrize("checked", [[], ["spa"], ["fra", "a&b"]])
@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("attrs", [{"id": "id_languages"}, {}, {"id": "id_x", "required": True}])
def test_each_box_is_written_as_djangos_template_writes_it(checked, grouped, attrs):
    widget = ChoiceList()
    widget.choices = most_used_first(CHOICES, ["fra"]) if grouped else CHOICES
    context = widget.get_context("languages", checked, attrs)
    options = [option for _label, group in context["widget"]["groups"] for option in group]
    assert len(options) == len(CHOICES)
    for option in options:
        expected = widget._render(option["template_name"], {"widget": option})
        assert option["html"] == expected


def test_the_whole_list_names_every_choice_once_and_ticks_the_chosen():
    widget = ChoiceList()
    widget.choices = CHOICES
    html = widget.render("languages", ["fra"], {"id": "id_languages"})
    assert html.count('type="checkbox"') == len(CHOICES)
    assert 'value="fra" id="id_languages_1" checked>' in html
    assert "French &quot;français&quot; &amp; &lt;co&gt;" in html
    assert 'value="a&amp;b"' in html
