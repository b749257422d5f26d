from django.urls import URLPattern, URLResolver

app_name = "preparedness"

urlpatterns: list[URLPattern | URLResolver] = []
