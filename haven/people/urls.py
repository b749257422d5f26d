from django.urls import path

from haven.people import views

app_name = "people"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:case_id>/close/", views.case_close, name="case_close"),
    path("cases/<uuid:case_id>/take/", views.case_take, name="case_take"),
    path("cases/<uuid:case_id>/person/", views.person_edit, name="person_edit"),
    path("cases/<uuid:case_id>/staff/", views.case_staff, name="case_staff"),
    path("cases/<uuid:case_id>/destroy/", views.person_destroy, name="person_destroy"),
    path("cases/emergency-access/", views.break_glass, name="break_glass"),
    path("intake/", views.intake_start, name="intake_start"),
    path("intake/language/", views.intake_language, name="intake_language"),
    path("intake/person/", views.intake_identity, name="intake_identity"),
    path("settings/person-record/", views.field_settings, name="field_settings"),
]
