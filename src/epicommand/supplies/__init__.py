"""Necessities and their prices; medical materials, their warehouse and requests
(issue 20, items 4 and 5)."""
