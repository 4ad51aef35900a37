from .world import depot, markets, units  # noqa: F401  fixtures shared by the supplies tests
