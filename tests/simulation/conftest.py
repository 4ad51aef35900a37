import pytest
from django.core.management import call_command

SMALL_CITY = 2_000
SEED = "7"


@pytest.fixture
def seeded_city(db):
    """A 2,000-person demo city (the full jurisdiction tree, fewer persons)."""
    call_command("seed_city", people=SMALL_CITY, seed=SEED, stdout=_Silent())


class _Silent:
    def write(self, text):
        pass

    def flush(self):
        pass
