"""Every change of state in command, one module per concern: tasks, chain (responsibility
chain and accountability), reports (emergency reports), summaries (daily summaries)."""
