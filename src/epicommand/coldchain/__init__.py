"""Imported cold-chain food: first-stop coding, the holders' receipts and dispatches, the
public trace page and positive samples traced forward (issue 17, items 5-8)."""
