from ninja import Router

router = Router(tags=["Priority testing"])
