"""Helpers shared by the forms of every app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


def show_refusal(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the fields it names (above the form for
    the others), so the page says what to fix where it is."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


class ChoiceList(forms.CheckboxSelectMultiple):
    """A long multiple choice (languages, areas) as tick boxes in a box that
    scrolls inside itself, instead of a Ctrl-click list: every choice is a
    labelled tick box a keyboard and a screen reader reach like any other.

    Grouped choices (see ``most_used_first``) show each group under its own
    heading. A filter box is rendered hidden and shown by haven.js, so a
    browser without JavaScript offers nothing that would not work.
    """

    template_name = "core/widgets/choice_list.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, filter_label: Any = None) -> None:
        super().__init__(attrs)
        self.filter_label = filter_label or _("Show only the choices containing")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["filter_label"] = self.filter_label
        # Django gives each ungrouped choice a "group" of its own; one list
        # per heading reads better (and a screen reader counts the items).
        groups: list[tuple[Any, list[Any]]] = []
        for label, options, _index in context["widget"]["optgroups"]:
            if label is None and groups and groups[-1][0] is None:
                groups[-1][1].extend(options)
            else:
                groups.append((label, list(options)))
        context["widget"]["groups"] = groups
        for _label, options in groups:
            for option in options:
                option["html"] = option_html(option)
        return context


def option_html(option: dict[str, Any]) -> SafeString:
    """One tick box with its label, as Django's input_option template writes
    it, in Python: a list of 200 languages through four nested templates
    per choice was most of a person's page (60 ms at the bench). Every
    value is escaped here, as the template would."""
    attrs = "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in option["attrs"].items()
        if value is not False
    )
    value = option["value"]
    shown = f' value="{escape(value)}"' if value is not None else ""
    # The line break is the one Django's input template ends with.
    box = f'<input type="{escape(option["type"])}" name="{escape(option["name"])}"{shown}{attrs}>\n'
    if option.get("wrap_label"):
        target = option["attrs"].get("id")
        where = f' for="{escape(target)}"' if target else ""
        box = f"<label{where}>{box} {conditional_escape(option['label'])}</label>"
    return mark_safe(box)  # noqa: S308 (every part is escaped above)


def most_used_first(
    choices: Sequence[tuple[str, Any]],
    first: Sequence[str],
    *,
    first_label: Any = None,
    rest_label: Any = None,
) -> list[tuple[Any, Any]]:
    """``choices`` with those whose value is in ``first`` (in its order) as a
    group of their own ahead of the rest, or unchanged when ``first`` names
    none of them. Each choice appears once, so a value is never ticked twice."""
    by_value = dict(choices)
    head = [(value, by_value[value]) for value in dict.fromkeys(first) if value in by_value]
    if not head:
        return list(choices)
    taken = {value for value, _label in head}
    rest = [(value, label) for value, label in choices if value not in taken]
    return [
        (first_label or _("Most used here"), head),
        (rest_label or _("All others"), rest),
    ]
