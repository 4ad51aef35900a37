"""/api/v1/cold-chain: enterprises, batches and their certificates and codes, receipts,
dispatches and sales, positive samples and their trace. See docs/api-guide.md "Cold chain"."""

from .chain import router

__all__ = ["router"]
