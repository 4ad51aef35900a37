from ninja import Router

router = Router(tags=["Labs and results"])
