from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "haven.training"
    label = "training"
    verbose_name = "Training"
