from django.apps import AppConfig


class InterpretationConfig(AppConfig):
    name = "haven.interpretation"
    label = "interpretation"
    verbose_name = "Interpretation"
