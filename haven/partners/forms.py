"""The directory's forms. They parse what staff typed; the services check
it again and decide (so the API and the import follow the same rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.core import limits
from haven.core.forms import ChoiceList, most_used_first
from haven.core.text import file_name_problem
from haven.partners import services
from haven.partners.languages import OFFERED, display_name
from haven.partners.models import (
    GovernmentLevel,
    LocationType,
    Organization,
    PartnerKind,
    Service,
    ServiceStatus,
)
from haven.partners.selectors import STATEWIDE, terms_for
from haven.partners.taxonomy import term_label
from haven.people.field_settings import languages_first
from haven.protocol.models import County
from haven.protocol.needs import categories_for, category_label

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


def language_choices() -> list[tuple[str, str]]:
    return sorted(((code, display_name(code)) for code in OFFERED), key=lambda c: c[1])


def area_choices() -> list[tuple[str, str]]:
    return [(STATEWIDE, str(_("Statewide")))] + [
        (county.fips, str(_("%(name)s County") % {"name": county.name}))
        for county in County.objects.order_by("name")
    ]


def need_choices(agency_id: int) -> list[tuple[str, str]]:
    return [(c.code, category_label(c)) for c in categories_for(agency_id)]


class DirectoryFilterForm(forms.Form):
    """The directory's filters (sent in the address: they name no one)."""

    q = forms.CharField(label=_("Name or words"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind of partner"), required=False)
    need = forms.ChoiceField(label=_("Need served"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    area = forms.ChoiceField(label=_("Area served"), required=False)

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = str(_("Any"))
        self.fields["kind"].choices = _blank(anything) + list(PartnerKind.choices)  # type: ignore[attr-defined]
        self.fields["need"].choices = _blank(anything) + need_choices(agency_id)  # type: ignore[attr-defined]
        self.fields["language"].choices = _blank(anything) + language_choices()  # type: ignore[attr-defined]
        self.fields["area"].choices = _blank(anything) + area_choices()  # type: ignore[attr-defined]


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=limits.WIDE_LINE)
    alternate_name = forms.CharField(
        label=_("Other name"), max_length=limits.WIDE_LINE, required=False
    )
    description = forms.CharField(
        label=_("What they do"), max_length=limits.DIRECTORY_TEXT, widget=_TEXTAREA
    )
    kind = forms.ChoiceField(label=_("Kind of partner"), choices=PartnerKind.choices)
    government_level = forms.ChoiceField(
        label=_("Government body"),
        choices=GovernmentLevel.choices,
        help_text=_("Consent to share with federal, state or local bodies covers this partner."),
    )
    website = forms.CharField(label=_("Website"), max_length=limits.URL, required=False)
    email = forms.CharField(label=_("Email"), max_length=limits.EMAIL, required=False)
    phone = forms.CharField(label=_("Main phone"), max_length=limits.PARTNER_PHONE, required=False)
    agreement_on_file = forms.BooleanField(
        label=_("A confidentiality agreement or MOU is on file"), required=False
    )
    agreement_date = forms.DateField(label=_("Date of the agreement"), required=False, widget=_DATE)
    haven_agency = forms.UUIDField(
        label=_("Haven agency id"),
        required=False,
        help_text=_(
            "If this partner also uses this Haven, the agency id its administrator gives you. "
            "Referrals to the partner can then go straight to them."
        ),
    )

    @staticmethod
    def initial_for(organization: Organization) -> dict[str, Any]:
        return {
            **{
                name: getattr(organization, name)
                for name in (
                    "name",
                    "alternate_name",
                    "description",
                    "kind",
                    "government_level",
                    "website",
                    "email",
                    "agreement_on_file",
                    "agreement_date",
                )
            },
            "haven_agency": (
                organization.haven_agency.public_id if organization.haven_agency else None
            ),
            "phone": services.main_phone(organization=organization),
        }


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=limits.WIDE_LINE)
    alternate_name = forms.CharField(
        label=_("Other name"), max_length=limits.WIDE_LINE, required=False
    )
    description = forms.CharField(
        label=_("Description"), max_length=limits.DIRECTORY_TEXT, required=False, widget=_TEXTAREA
    )
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)
    need_codes = forms.MultipleChoiceField(
        label=_("Needs it serves"), required=False, widget=forms.CheckboxSelectMultiple
    )
    term_ids = forms.MultipleChoiceField(
        label=_("Kinds of service"), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        widget=ChoiceList(filter_label=_("Find a language")),
        help_text=_("Languages staff speak, or offer through interpreters."),
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas served"),
        required=False,
        widget=ChoiceList(filter_label=_("Find a county")),
    )
    eligibility_description = forms.CharField(
        label=_("Who is eligible"),
        max_length=limits.DIRECTORY_TEXT,
        required=False,
        widget=_TEXTAREA,
    )
    minimum_age = forms.IntegerField(
        label=_("Minimum age"), required=False, min_value=0, max_value=120
    )
    maximum_age = forms.IntegerField(
        label=_("Maximum age"), required=False, min_value=0, max_value=120
    )
    application_process = forms.CharField(
        label=_("How to apply"), max_length=limits.DIRECTORY_TEXT, required=False, widget=_TEXTAREA
    )
    fees_description = forms.CharField(
        label=_("Fees"), max_length=limits.DIRECTORY_TEXT, required=False, widget=_TEXTAREA
    )
    hours = forms.CharField(
        label=_("Hours"), max_length=limits.DIRECTORY_TEXT, required=False, widget=_TEXTAREA
    )
    interpretation_services = forms.CharField(
        label=_("Interpretation"),
        max_length=limits.DIRECTORY_TEXT,
        required=False,
        widget=_TEXTAREA,
    )
    url = forms.CharField(label=_("Web page"), max_length=limits.URL, required=False)
    email = forms.CharField(label=_("Email"), max_length=limits.EMAIL, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need_codes"].choices = need_choices(actor.agency_id)  # type: ignore[attr-defined]
        self.fields["term_ids"].choices = [  # type: ignore[attr-defined]
            (str(t.pk), term_label(t)) for t in terms_for(actor.agency_id)
        ]
        self.fields["languages"].choices = most_used_first(  # type: ignore[attr-defined]
            language_choices(), languages_first(actor.agency_id)
        )
        self.fields["areas"].choices = area_choices()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(service: Service) -> dict[str, Any]:
        names = [n for n in ServiceForm.base_fields if n not in _SERVICE_LISTS]
        return {
            **{name: getattr(service, name) for name in names},
            "need_codes": [c.code for c in service.need_categories.all()],
            "term_ids": [str(t.pk) for t in service.taxonomy_terms.all()],
            "languages": sorted({lang.code for lang in service.languages.all()}),
            "areas": [
                STATEWIDE if a.kind == "statewide" else a.county_id
                for a in service.areas.all()
                if a.kind == "statewide" or a.county_id
            ],
        }


_SERVICE_LISTS = ("need_codes", "term_ids", "languages", "areas")


class LocationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=limits.WIDE_LINE, required=False)
    location_type = forms.ChoiceField(label=_("Kind of location"), choices=LocationType.choices)
    address_1 = forms.CharField(
        label=_("Street address"), max_length=limits.SUMMARY, required=False
    )
    address_2 = forms.CharField(
        label=_("Address, second line"), max_length=limits.SUMMARY, required=False
    )
    city = forms.CharField(label=_("City"), max_length=limits.WIDE_LINE, required=False)
    state_province = forms.CharField(label=_("State"), max_length=limits.WIDE_LINE, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=40, required=False)
    country = forms.CharField(label=_("Country code"), max_length=2, required=False, initial="US")
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    transportation = forms.CharField(
        label=_("Getting there"), max_length=limits.DIRECTORY_TEXT, required=False, widget=_TEXTAREA
    )
    description = forms.CharField(
        label=_("Description"), max_length=limits.DIRECTORY_TEXT, required=False, widget=_TEXTAREA
    )
    service_ids = forms.MultipleChoiceField(
        label=_("Services offered here"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_ids"].choices = [  # type: ignore[attr-defined]
            (str(s.pk), s.name) for s in organization.services.order_by("name", "id")
        ]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=limits.WIDE_LINE, required=False)
    title = forms.CharField(label=_("Title"), max_length=limits.WIDE_LINE, required=False)
    department = forms.CharField(label=_("Department"), max_length=limits.WIDE_LINE, required=False)
    email = forms.CharField(label=_("Email"), max_length=limits.EMAIL, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=limits.PARTNER_PHONE, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS file"),
        help_text=_(
            "A .zip of an HSDS data package (CSV files) or of HSDS JSON files, or one .json "
            "file; at most 10 MB."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = file_name_problem(upload.name or "")
        if problem:
            raise forms.ValidationError(problem, code="file_name")
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("tabular", _("HSDS data package: CSV files and datapackage.json, zipped")),
            ("json", _("HSDS JSON files, zipped")),
        ],
        widget=forms.RadioSelect,
        initial="tabular",
    )
