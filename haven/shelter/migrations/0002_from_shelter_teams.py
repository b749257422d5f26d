"""Cases whose person stayed with a shelter team become open stays.

Before shelter sites, a case's ``shelter_team`` said where the person stayed
and let that team's shelter staff open the whole case. Each such case gets
an open stay, from the day of this migration and with no bed (staff place
the person afterwards), at a site of the team: one site per team, its alias
the team's name, with nothing sealed and no data key yet. The column itself
goes in people's next migration, once this has read it.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

ALIAS_LENGTH = 60


def _alias_for(team, taken):
    """The team's name as the site's alias, kept unique in the agency."""
    alias = team.name[:ALIAS_LENGTH]
    n = 2
    while alias in taken:
        suffix = f" ({n})"
        alias = team.name[: ALIAS_LENGTH - len(suffix)] + suffix
        n += 1
    taken.add(alias)
    return alias


def stays_from_shelter_teams(apps, schema_editor):
    Case = apps.get_model("people", "Case")
    ShelterSite = apps.get_model("shelter", "ShelterSite")
    Stay = apps.get_model("shelter", "Stay")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    today = timezone.localdate()
    cases = (
        Case.objects.filter(shelter_team__isnull=False)
        .select_related("person", "shelter_team")
        .order_by("created_at", "pk")
    )
    sites = {}
    taken = {}
    for case in cases.iterator():
        team = case.shelter_team
        site = sites.get(team.pk)
        if site is None:
            site = ShelterSite.objects.filter(team=team, agency_id=case.agency_id).first()
        if site is None:
            aliases = taken.setdefault(
                case.agency_id,
                set(
                    ShelterSite.objects.filter(agency_id=case.agency_id).values_list(
                        "alias", flat=True
                    )
                ),
            )
            site = ShelterSite.objects.create(
                agency_id=case.agency_id, team=team, alias=_alias_for(team, aliases)
            )
        sites[team.pk] = site
        # A stay names who recorded it: whoever opened the case, or else the
        # agency's earliest account (a case is always opened by someone).
        author_id = case.created_by_id or (
            User.objects.filter(agency_id=case.agency_id)
            .order_by("date_joined", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        Stay.objects.create(
            case=case,
            site=site,
            data_key_id=case.person.data_key_id,
            starts_on=today,
            created_by_id=author_id,
        )


def shelter_teams_from_open_stays(apps, schema_editor):
    """Going back: an open stay at a site gives the case that site's team
    again (the stays themselves stay, as any recorded by staff since)."""
    Case = apps.get_model("people", "Case")
    Stay = apps.get_model("shelter", "Stay")
    open_stays = Stay.objects.filter(site__isnull=False, ends_on__isnull=True)
    for case_id, team_id in open_stays.values_list("case_id", "site__team_id").iterator():
        Case.objects.filter(pk=case_id).update(shelter_team_id=team_id)


class Migration(migrations.Migration):
    dependencies = [
        ("shelter", "0001_sites_and_stays"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(stays_from_shelter_teams, shelter_teams_from_open_stays),
    ]
