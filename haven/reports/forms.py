"""The report form: a period and, if wanted, one team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core.models import Team
from haven.reports.models import MAX_THRESHOLD


class ReportForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    # Any number: a team that is not the agency's is refused by the service.
    team = forms.IntegerField(label=gettext_lazy("Team"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(agency_id=agency_id).order_by("name")
        self.fields["team"].widget.choices = [("", _("All teams"))] + [
            (t.pk, t.name) for t in teams
        ]


class SettingsForm(forms.Form):
    threshold = forms.IntegerField(
        label=gettext_lazy("Smallest count shown"),
        min_value=1,
        max_value=MAX_THRESHOLD,
        help_text=gettext_lazy(
            "Counts from 1 to one less than this are shown as hidden, and every other count"
            " is rounded to a multiple of it. 5 is the usual choice; 10 or 11 protects more."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


@dataclass(frozen=True)
class Preset:
    label: str
    start: date
    end: date


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, next_start - timedelta(days=1)


def presets(today: date) -> list[Preset]:
    """This quarter, the three before it, this year and last year."""
    found = []
    day = today
    for _n in range(4):
        start, end = quarter_of(day)
        quarter = (start.month - 1) // 3 + 1
        found.append(
            Preset(
                _("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": start.year}, start, end
            )
        )
        day = start - timedelta(days=1)
    found.append(Preset(str(today.year), date(today.year, 1, 1), date(today.year, 12, 31)))
    found.append(
        Preset(str(today.year - 1), date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    )
    return found
