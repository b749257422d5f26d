from django.urls import path

from haven.communications.views import addendum, entry, entry_new, interpreter_edit, log, roster

app_name = "communications"

urlpatterns = [
    path("cases/<uuid:case_id>/communications/", log, name="log"),
    path("cases/<uuid:case_id>/communications/new/", entry_new, name="entry_new"),
    path("cases/<uuid:case_id>/communications/<uuid:entry_id>/", entry, name="entry"),
    path(
        "cases/<uuid:case_id>/communications/<uuid:entry_id>/addendum/",
        addendum,
        name="addendum",
    ),
    path("interpreters/", roster, name="roster"),
    path("interpreters/<uuid:interpreter_id>/", interpreter_edit, name="interpreter"),
]
