from .world import approvers, hall, units  # noqa: F401  fixtures shared by the gatherings tests
