"""The shelter's pages. Each part of the app keeps its own list of patterns
(sites here; stays and the shelter staff's home join it)."""

from django.urls import path

from haven.shelter import urls_stays, views_sites

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

urlpatterns = [*sites_patterns, *urls_stays.urlpatterns]
