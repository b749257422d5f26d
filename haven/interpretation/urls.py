from django.urls import path

from haven.interpretation.language_views import point, point_for_case, point_pdf

app_name = "interpretation"

urlpatterns = [
    path("languages/", point, name="point"),
    path("languages/card.pdf", point_pdf, name="point_pdf"),
    path("cases/<uuid:case_id>/language/", point_for_case, name="point_for_case"),
]
