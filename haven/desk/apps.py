from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The composition layer: the pages that bring the feature apps together."""

    name = "haven.desk"
    label = "desk"
    verbose_name = "Haven desk"
