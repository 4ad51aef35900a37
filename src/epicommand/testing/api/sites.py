from ninja import Router

router = Router(tags=["Sampling sites"])
