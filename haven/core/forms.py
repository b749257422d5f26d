"""Helpers shared by the forms of every app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form


def show_refusal(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the fields it names (above the form for
    the others), so the page says what to fix where it is."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)
