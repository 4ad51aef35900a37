"""Tracing routes under /api/v1."""
