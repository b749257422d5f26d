from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        # Sign-ins, failures, lockouts and MFA changes happen inside allauth,
        # Django and axes; their signals are the only way to audit them.
        from haven.accounts import receivers  # noqa: F401
