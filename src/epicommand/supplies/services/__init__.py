"""Every change of state of necessities and materials, as plain functions."""
