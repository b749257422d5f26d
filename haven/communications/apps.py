from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "haven.communications"
    label = "communications"
    verbose_name = "Communications"

    def ready(self) -> None:
        # verify_integrity checks each case's log against its anchors in the trail.
        from haven.audit.integrity import register_check
        from haven.communications.integrity import verify_communication_chains

        register_check("communications", verify_communication_chains)
