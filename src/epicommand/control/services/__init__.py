"""Every change of state in key-area control: one module per capability (healthcode,
scans, checkpoints, risk), each a set of plain functions views, API and commands call."""
