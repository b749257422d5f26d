from django.apps import AppConfig


class ShelterConfig(AppConfig):
    name = "haven.shelter"
    label = "shelter"
    verbose_name = "Shelter"

    def ready(self) -> None:
        from haven.shelter import marks

        marks.register()
