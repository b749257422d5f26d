from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "haven.communications"
    label = "communications"
    verbose_name = "Communications"
