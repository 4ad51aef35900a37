"""Key-area control routes under /api/v1: health codes, scans, checkpoints, risk areas."""
