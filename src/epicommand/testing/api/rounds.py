from ninja import Router

router = Router(tags=["Testing rounds"])
