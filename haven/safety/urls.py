from django.urls import path

from haven.safety import views

app_name = "safety"

urlpatterns = [
    path("safety/", views.home, name="home"),
    path("cases/<uuid:case_id>/safety/", views.case_safety, name="case"),
    path("safety/threats/", views.threats, name="threats"),
    path("safety/threats/new/", views.threat_new, name="threat_new"),
    path("safety/threats/<uuid:threat_id>/", views.threat, name="threat"),
    path("safety/concerns/", views.concerns, name="concerns"),
    path("safety/concerns/new/", views.concern_new, name="concern_new"),
    path("safety/concerns/<uuid:concern_id>/", views.concern, name="concern"),
    path("safety/concerns/<uuid:concern_id>/edit/", views.concern_edit, name="concern_edit"),
    path("safety/concerns/<uuid:concern_id>/remove/", views.concern_remove, name="concern_remove"),
    path("safety/visitors/", views.visitors, name="visitors"),
    path("safety/visitors/<uuid:visit_id>/out/", views.visit_out, name="visit_out"),
    path("safety/alerts/", views.alerts, name="alerts"),
    path("safety/alerts/live/", views.alerts_live, name="alerts_live"),
    path(
        "safety/alerts/<uuid:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("safety/checklist/", views.checklist, name="checklist"),
    path("safety/checklists/", views.checklists, name="checklists"),
    path("safety/checklists/<int:user_id>/", views.staff_checklist, name="staff_checklist"),
    path("safety/settings/", views.safety_settings, name="settings"),
    path("safety/lockdown/", views.lockdown, name="lockdown"),
]
