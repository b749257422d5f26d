"""Factories for synthetic staff and agencies. No real person's data, ever."""

from __future__ import annotations

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from haven.accounts.models import Membership, Role, User
from haven.core.models import Agency, Team
from haven.people.details import PersonDetails
from haven.people.models import Case, Person
from haven.people.services import intake_record, person_create

TEST_PASSWORD = "correct horse battery staple 42"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    username = factory.Sequence(lambda n: f"staff-{n}")
    display_name = factory.Sequence(lambda n: f"Staff Member {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)


def make_staff(
    *, agency: Agency, role: Role, team: Team | None = None, mfa: bool = True, **kwargs
) -> User:
    """A staff member holding one role, with a TOTP authenticator unless mfa=False.

    The TOTP secret is kept on the object as ``totp_secret`` for tests that sign in.
    """
    user = UserFactory(agency=agency, **kwargs)
    Membership.objects.create(user=user, role=role, team=team)
    if mfa:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        user.totp_secret = secret
    return user


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def record_person(*, actor: User, **values: object) -> Person:
    """A person recorded through the service, from keyword values."""
    if "aliases" in values:
        values["aliases"] = tuple(values["aliases"])  # type: ignore[arg-type]
    return person_create(actor=actor, details=PersonDetails(**values))  # type: ignore[arg-type]


def record_intake(
    *,
    actor: User,
    team: Team,
    danger: str = "no",
    advocate: User | None = None,
    **values: object,
) -> Case:
    """A first contact recorded through the service, from keyword values,
    sent to ``advocate`` or else to the team's queue."""
    if "aliases" in values:
        values["aliases"] = tuple(values["aliases"])  # type: ignore[arg-type]
    return intake_record(
        actor=actor,
        team=team,
        danger=danger,
        details=PersonDetails(**values),  # type: ignore[arg-type]
        advocate=advocate,
    )


def give_consent(
    *,
    actor: User,
    case: Case,
    purpose: str,
    kinds: list[str],
    category: str = "",
    organization: object = None,
    **values: object,
) -> object:
    """A consent recorded through the service, given aloud before a witness."""
    from haven.consent.services import ConsentValues, consent_record

    return consent_record(
        actor=actor,
        case=case,
        values=ConsentValues(
            recipient_org_id=getattr(organization, "pk", None),
            recipient_category=category,
            purpose=purpose,
            kinds=kinds,
            form=str(values.pop("form", "verbal")),
            witness=str(values.pop("witness", "Staff witness (synthetic)")),
            language=str(values.pop("language", "eng")),
            **values,  # type: ignore[arg-type]
        ),
    )


def consent_to_law_enforcement(actor: User, case: Case, purpose: str = "law_enforcement") -> object:
    """The person agreed that law enforcement may know who they are and why
    they ask (Continued Presence adds their immigration status)."""
    return give_consent(
        actor=actor,
        case=case,
        category="law_enforcement",
        purpose=purpose,
        kinds=["identity", "immigration"],
    )
