"""Quarantine routes under /api/v1: sites, stays, monitoring, violations, households."""
