from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "haven.exports"
    label = "exports"
    verbose_name = "Exports"
