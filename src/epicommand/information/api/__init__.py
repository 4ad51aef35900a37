"""/api/v1/information: bulletins (drafts, checks, signatures, publishing, corrections)
and rumours (reports, rulings). See docs/api-guide.md "Public information"."""

from .routes import router

__all__ = ["router"]
