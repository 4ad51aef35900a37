"""Testing routes under /api/v1."""
