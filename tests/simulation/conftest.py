from io import StringIO

from django.core.management import call_command

from tests.built_once import built_once

SMALL_CITY = 2_000
SEED = "7"


@built_once
def seeded_city():
    """A 2,000-person demo city (the full jurisdiction tree, fewer persons), built once for
    the tests that ask for it (tests/built_once.py)."""
    call_command("seed_city", people=SMALL_CITY, seed=SEED, stdout=StringIO())
