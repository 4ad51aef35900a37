"""/api/v1/gatherings: applications and their stages, decisions, the attendee check,
tourist sites and their occupancy. See docs/api-guide.md "Gatherings"."""

from .routes import router

__all__ = ["router"]
