from haven.authorities.views import law, minors

app_name = "authorities"

urlpatterns = [*law.urlpatterns, *minors.urlpatterns]
