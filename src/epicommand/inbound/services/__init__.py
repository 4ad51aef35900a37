"""Every change of state of inbound travellers, one module per capability."""
