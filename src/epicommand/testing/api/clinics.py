from ninja import Router

router = Router(tags=["Fever clinics"])
