"""Pages of necessities and materials."""

from django.urls import path

from . import materials, prices

urlpatterns = [
    path("supplies/", prices.board, name="board"),
    path("supplies/report/", prices.report, name="report"),
    path("prices/", prices.public_prices, name="public_prices"),
    path("materials/", materials.warehouse_list, name="warehouses"),
    path("materials/<int:warehouse_id>/", materials.warehouse_detail, name="warehouse"),
    path("materials/<int:warehouse_id>/forecast/", materials.forecast_page, name="forecast"),
    path("materials/requests/", materials.request_list, name="requests"),
    path("materials/requests/new/", materials.request_new, name="request_new"),
    path("materials/requests/<int:request_id>/", materials.request_detail, name="request"),
]
