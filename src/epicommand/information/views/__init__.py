"""The information pages: the office's (bulletin drafts and checks, sign-off queue,
rumour queue, articles) and the public's (bulletins, refutations, knowledge, the rumour
form), which need no login."""

from django.urls import path

from . import office, public, rumours

urlpatterns = [
    path("information/", office.bulletin_list, name="bulletin_list"),
    path(
        "information/bulletins/<int:bulletin_id>/", office.bulletin_detail, name="bulletin_detail"
    ),
    path("information/sign-off/", office.sign_queue, name="sign_queue"),
    path("information/knowledge/", office.knowledge, name="knowledge"),
    path("information/rumours/", rumours.rumour_list, name="rumour_list"),
    path("information/rumours/<int:rumour_id>/", rumours.rumour_detail, name="rumour_detail"),
    path("info/", public.index, name="public_index"),
    path("info/bulletins/<str:day>/", public.bulletin, name="public_bulletin"),
    path("info/bulletins/<str:day>/v<int:version>/", public.bulletin, name="public_version"),
    path("info/bulletins/<str:day>/v<int:version>.pdf", public.bulletin_pdf, name="public_pdf"),
    path("info/feed.json", public.feed, name="public_feed"),
    path("info/rumours/report/", public.report_rumour, name="public_report"),
    path("info/knowledge/<int:article_id>/", public.article, name="public_article"),
]
