from django.urls import path

from haven.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case_detail"),
]
