"""/api/v1/supplies (necessities: enterprises, daily reports, baselines, board, alerts) and
/api/v1/materials (warehouses, orders, deliveries, requests, forecast). See docs/api-guide.md."""
