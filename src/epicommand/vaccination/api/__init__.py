"""/api/v1/vaccination: doses at a site, bookings, the overdue list and coverage. See
docs/api-guide.md "Vaccination"."""

from .routes import router

__all__ = ["router"]
