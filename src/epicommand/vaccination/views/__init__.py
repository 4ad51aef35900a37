from . import desk, lists, resident

urlpatterns = [*lists.urlpatterns, *desk.urlpatterns, *resident.urlpatterns]
