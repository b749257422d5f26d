from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "haven.safety"
    label = "safety"
    verbose_name = "Staff safety"

    def ready(self) -> None:
        # A lockdown keeps its agency's staff out of every sign-in flow.
        from haven.accounts import holds
        from haven.attachments.models import Use
        from haven.attachments.policies import readers_decided_by
        from haven.safety.lockdown import sign_in_refused
        from haven.safety.middleware import lockdown_ends_session
        from haven.safety.policies import may_open_safety_file

        holds.register(
            holds.Hold(
                name="lockdown",
                refuses_sign_in=sign_in_refused,
                ends_session=lockdown_ends_session,
            )
        )
        # Evidence and photos open for whoever may see their threat or person.
        readers_decided_by(Use.EVIDENCE, may_open_safety_file)
        readers_decided_by(Use.PHOTO, may_open_safety_file)
