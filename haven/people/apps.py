from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "haven.people"
    label = "people"
    verbose_name = "People served"

    def ready(self) -> None:
        from haven.accounts import approvals
        from haven.core.addresses import case_address
        from haven.people.services import DESTROY_ON_REQUEST, destroy_approved

        # A destruction at the person's request waits for a second
        # supervisor where the agency's rule says so.
        approvals.register(
            approvals.Irreversible(
                kind=DESTROY_ON_REQUEST,
                title=_("Destroy a person's record at their request"),
                carry_out=destroy_approved,
                link=lambda approval: case_address(
                    "people:person_destroy",
                    approval.object_id,  # type: ignore[arg-type]
                ),
            )
        )
