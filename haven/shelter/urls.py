"""The shelter's pages: the sites, and the stays with the shelter staff's home."""

from django.urls import path

from haven.shelter import views_sites, views_stays

app_name = "shelter"

# --- Sites ---
sites_patterns = [
    path("shelter/sites/", views_sites.sites, name="sites"),
    path("shelter/sites/new/", views_sites.site_new, name="site_new"),
    path("shelter/sites/<uuid:site_id>/", views_sites.site, name="site"),
    path("shelter/sites/<uuid:site_id>/setup/", views_sites.site_setup, name="site_setup"),
    path(
        "shelter/sites/<uuid:site_id>/beds/<int:bed_id>/active/",
        views_sites.bed_active,
        name="bed_active",
    ),
    path(
        "shelter/sites/<uuid:site_id>/keyholders/<int:user_id>/remove/",
        views_sites.keyholder_remove,
        name="keyholder_remove",
    ),
    path("shelter/sites/<uuid:site_id>/sealed/", views_sites.site_sealed, name="site_sealed"),
    path("shelter/sites/<uuid:site_id>/address/", views_sites.site_address, name="site_address"),
    path("shelter/sites/<uuid:site_id>/close/", views_sites.site_close, name="site_close"),
]

# --- Stays ---
stays_patterns = [
    path("shelter/", views_stays.home, name="home"),
    path("shelter/waiting/", views_stays.waiting, name="waiting"),
    path("shelter/sites/<uuid:site_id>/residents/", views_stays.residents, name="residents"),
    path("cases/<uuid:case_id>/stays/", views_stays.case_stays, name="case_stays"),
    path("cases/<uuid:case_id>/stays/admit/", views_stays.stay_admit, name="stay_admit"),
    path("cases/<uuid:case_id>/stays/wait/", views_stays.stay_request, name="stay_request"),
    path("cases/<uuid:case_id>/stays/place/", views_stays.stay_place, name="stay_place"),
    path(
        "shelter/requests/<uuid:request_id>/withdraw/",
        views_stays.request_withdraw,
        name="request_withdraw",
    ),
    path("shelter/stays/<uuid:stay_id>/", views_stays.stay, name="stay"),
    path("shelter/stays/<uuid:stay_id>/move/", views_stays.stay_move, name="stay_move"),
    path("shelter/stays/<uuid:stay_id>/end/", views_stays.stay_end, name="stay_end"),
    path(
        "shelter/stays/<uuid:stay_id>/compromised/",
        views_stays.stay_compromised,
        name="stay_compromised",
    ),
    path("shelter/stays/<uuid:stay_id>/check-in/", views_stays.check_in, name="check_in"),
]

urlpatterns = [*sites_patterns, *stays_patterns]
