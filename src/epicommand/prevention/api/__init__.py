"""/api/v1/prevention: units under routine prevention, their inspections (multipart, with
photos), rectifications, disinfection records and terminal disinfection tasks. See
docs/api-guide.md "Routine prevention"."""

from .units import router

__all__ = ["router"]
