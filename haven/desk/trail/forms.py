from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.desk.trail.selectors import AuditFilter


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What happened"),
        required=False,
        choices=[("", _("Anything")), *Action.choices],
    )
    actor = forms.ModelChoiceField(
        label=_("Staff member"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Anyone"),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(
        required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, actors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor_field = cast(forms.ModelChoiceField, self.fields["actor"])  # type: ignore[type-arg]
        actor_field.queryset = actors

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("since", "until"):
            day = cleaned.get(name)
            if day is not None and not 2000 <= day.year <= 2999:
                self.add_error(name, _("Enter a date between the years 2000 and 2999."))
                cleaned.pop(name, None)
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        actor = data.get("actor")
        return AuditFilter(
            action=data.get("action") or "",
            actor_id=actor.pk if actor else None,
            since=data.get("since"),
            until=data.get("until"),
            before_seq=data.get("before"),
        )
