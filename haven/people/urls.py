from django.urls import path

from haven.people import views

app_name = "people"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:case_id>/close/", views.case_close, name="case_close"),
    path("cases/emergency-access/", views.break_glass, name="break_glass"),
    path("intake/", views.intake_start, name="intake_start"),
    path("intake/person/", views.intake_identity, name="intake_identity"),
]
