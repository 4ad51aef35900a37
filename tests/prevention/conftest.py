from .world import media_in_tmp, world  # noqa: F401  fixtures shared by the prevention tests
