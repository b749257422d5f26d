from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "haven.api"
    label = "api"
    verbose_name = "JSON API"
