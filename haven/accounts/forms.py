"""Forms for setup, invitations, roles and preferences. Parsing only: rules live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import TEAM_ROLES, Role, User
from haven.accounts.services import RoleGrant
from haven.core.models import Agency, Team

username_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9._-]{1,62}$",
    _("Use 2 to 63 lower-case letters, digits, dots, dashes or underscores."),
)


class PasswordPairForm(forms.Form):
    """A new password typed twice."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class SetupForm(PasswordPairForm):
    agency_name = forms.CharField(label=_("Agency name"), max_length=200)
    display_name = forms.CharField(label=_("Your name"), max_length=150)
    username = forms.CharField(
        label=_("User name"),
        max_length=63,
        validators=[username_validator],
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(label=_("Work e-mail"), max_length=254)

    field_order = ["agency_name", "display_name", "username", "email", "password1", "password2"]

    def clean_agency_name(self) -> str:
        name: str = self.cleaned_data["agency_name"].strip()
        if Agency.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("An agency with this name already exists."))
        return name

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken; choose another."))
        return username

    def cleaned_data_for_service(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "agency_name": data["agency_name"],
            "username": data["username"],
            "email": data["email"],
            "display_name": data["display_name"],
            "password": data["password1"],
        }


class RolesForm(forms.Form):
    """The roles of one staff member; team roles apply within the chosen team."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Needed for advocates, supervisors and shelter staff."),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this agency's teams can be chosen: a forged id is "not a valid choice".
        team_field = cast(forms.ModelChoiceField, self.fields["team"])  # type: ignore[type-arg]
        team_field.queryset = Team.objects.filter(agency=agency, is_active=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        roles = [Role(r) for r in cleaned.get("roles", [])]
        if any(r in TEAM_ROLES for r in roles) and not cleaned.get("team"):
            self.add_error("team", _("Choose a team for advocates, supervisors and shelter staff."))
        return cleaned

    def grants(self) -> list[RoleGrant]:
        team = self.cleaned_data.get("team")
        return [
            RoleGrant(role=Role(r), team=team if Role(r) in TEAM_ROLES else None)
            for r in self.cleaned_data["roles"]
        ]


class InvitationForm(RolesForm):
    display_name = forms.CharField(label=_("Name"), max_length=150)
    username = forms.CharField(
        label=_("User name"),
        max_length=63,
        validators=[username_validator],
        help_text=_("What they will type to sign in."),
    )
    email = forms.EmailField(label=_("Work e-mail"), max_length=254)

    field_order = ["display_name", "username", "email", "roles", "team"]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken; choose another."))
        return username


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=200)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Team.objects.filter(agency=self.agency, name__iexact=name).exists():
            raise forms.ValidationError(_("A team with this name already exists."))
        return name


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
