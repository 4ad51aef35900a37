"""Rumours from the public form (throttled, screenshot checked by content) and from staff;
a ruling with the authoritative figures beside it; a refutation on the public pages; a
referral to public security and its outcome."""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from epicommand.information.models import Article, Rumour
from epicommand.information.services import knowledge, rumours
from tests.conftest import login

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return SimpleUploadedFile("shot.png", out.getvalue(), content_type="image/png")


def form(region, **extra):
    return {"claim": "明天全市停水停电", "where_seen": "业主微信群", "region_code": region, **extra}


def test_a_resident_reports_with_a_screenshot(city):
    cache.clear()
    answer = Client().post(
        "/info/rumours/report/", {**form(city.gaocheng.code), "screenshot": png()}
    )
    assert answer.status_code == 200 and b'id="done"' in answer.content
    rumour = Rumour.objects.get()
    assert rumour.source == Rumour.Source.PUBLIC and rumour.screenshot
    assert rumour.reported_by is None


def test_a_file_that_is_not_an_image_is_refused_naming_the_field(city):
    cache.clear()
    fake = SimpleUploadedFile("shot.png", b"MZ\x90\x00 not an image", content_type="image/png")
    answer = Client().post(
        "/info/rumours/report/", {**form(city.gaocheng.code), "screenshot": fake}
    )
    assert "PNG or JPEG" in answer.content.decode()
    assert not Rumour.objects.exists()


def test_the_public_form_is_throttled(city, settings):
    cache.clear()
    client = Client()
    for _ in range(5):
        assert client.post("/info/rumours/report/", form(city.gaocheng.code)).status_code == 200
    assert client.post("/info/rumours/report/", form(city.gaocheng.code)).status_code == 429
    assert Rumour.objects.count() == 5


def test_bad_input_names_the_field(city, city_office):
    with pytest.raises(ValidationError) as refused:
        rumours.report_by_staff(city_office, claim="", where_seen="", region_code="999")
    assert set(refused.value.message_dict) == {"claim", "where_seen", "region_code"}


def test_ruling_refuting_and_referring(city, city_office):
    rumour = rumours.report_by_staff(
        city_office, claim="藁城区新增病例上千", where_seen="抖音", region_code=city.gaocheng.code
    )
    page = login(city_office).get(f"/information/rumours/{rumour.pk}/").content.decode()
    assert 'id="authoritative"' in page
    with pytest.raises(ValidationError):
        rumours.rule(city_office, rumour, status="true", ruling="x", refutation="不实")
    rumours.rule(
        city_office,
        rumour,
        status="false",
        ruling="通报新增 3 例",
        refutation="经核实，藁城区当日新增确诊 3 例，网传数字不实。",
    )
    with pytest.raises(ValidationError):
        rumours.rule(city_office, rumour, status="false", ruling="again")
    public = Client().get("/info/").content.decode()
    assert "网传数字不实" in public
    rumours.refer(city_office, rumour, note="造谣者已查明")
    with pytest.raises(ValidationError) as refused:
        rumours.record_outcome(city_office, rumour, outcome="shot", note="x")
    assert "outcome" in refused.value.message_dict
    done = rumours.record_outcome(city_office, rumour, outcome="detained", note="行政拘留 5 日")
    assert done.referral == "detained" and done.referral_closed_at


def test_an_article_is_shown_escaped(city, city_office):
    article = knowledge.write_article(
        city_office,
        language=Article.Language.ENGLISH,
        title="Wear a mask",
        body="Masks <script>alert(1)</script> help.\n\n- wash hands\n- keep 1 m apart",
    )
    html = Client().get(f"/info/knowledge/{article.pk}/").content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "<li>wash hands</li>" in html
    with pytest.raises(ValidationError) as refused:
        knowledge.write_article(city_office, language="fr", title="", body="")
    assert set(refused.value.message_dict) == {"language", "title", "body"}
