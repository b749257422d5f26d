"""The shelter tests' world: sites, beds and cases (tests/shelter/stays_world.py)."""

from tests.shelter.stays_world import (  # noqa: F401  (fixtures)
    case,
    other_site,
    second_case,
    shelter_b,
    site_a,
    site_b,
)
