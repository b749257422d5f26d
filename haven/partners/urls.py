from haven.partners.views import urlpatterns as urlpatterns

app_name = "partners"
