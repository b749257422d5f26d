from django.apps import AppConfig


class ShelterConfig(AppConfig):
    name = "haven.shelter"
    label = "shelter"
    verbose_name = "Shelter"

    def ready(self) -> None:
        from haven.safety.places import register_places
        from haven.shelter import marks
        from haven.shelter.front_desk import SitePlaces

        # A case list can show who is in shelter tonight.
        marks.register()
        # The front desk checks visitors in at the sites too, and the
        # lockdown page lists them: staff safety learns of them here.
        register_places(SitePlaces())
