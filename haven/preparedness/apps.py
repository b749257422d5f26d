from django.apps import AppConfig


class PreparednessConfig(AppConfig):
    name = "haven.preparedness"
    label = "preparedness"
    verbose_name = "Preparedness"
