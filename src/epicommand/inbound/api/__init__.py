"""Inbound routes under /api/v1/inbound: flights and manifests, arrivals and the closed
loop, route suspensions."""
