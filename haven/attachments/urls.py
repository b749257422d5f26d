from django.urls import path

from haven.attachments.views import documents, download

app_name = "attachments"

urlpatterns = [
    path("cases/<uuid:case_id>/documents/", documents, name="documents"),
    path("attachments/<uuid:attachment_id>/", download, name="download"),
]
