"""Every change of the cold chain: enterprises and their staff, first-stop coding,
receipts, dispatches and sales, positive samples traced forward."""
