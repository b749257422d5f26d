from django.urls import URLPattern, URLResolver, path

from haven.jobs import views

app_name = "jobs"

# The progress poll's path ends in /progress/: haven.accounts.middleware
# does not count it as activity.
urlpatterns: list[URLPattern | URLResolver] = [
    path("jobs/", views.job_index, name="list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="detail"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="progress"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="download"),
]
