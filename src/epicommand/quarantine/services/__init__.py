"""Every change of state in quarantine, one module per capability."""
