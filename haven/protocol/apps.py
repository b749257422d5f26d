from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "haven.protocol"
    label = "protocol"
    verbose_name = "The protocol on every case"

    def ready(self) -> None:
        import haven.protocol.receivers  # noqa: F401  (connects the signal handlers)
        from haven.protocol import marks

        marks.register()
