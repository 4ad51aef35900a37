"""Chinese is the default language; the switch in the layout turns the UI to English."""

from tests.conftest import login


def test_the_ui_is_in_chinese_by_default(gaocheng_epi):
    html = login(gaocheng_epi).get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "人员" in html  # the Persons menu item
    assert "Persons" not in html


def test_switching_to_english_translates_the_ui(gaocheng_epi):
    client = login(gaocheng_epi)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/persons/"})
    assert response.status_code == 302
    assert response["Location"] == "/persons/"
    html = client.get("/persons/").content.decode()
    assert '<html lang="en">' in html
    assert "Persons" in html


def test_switching_back_to_chinese(gaocheng_epi):
    client = login(gaocheng_epi)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_the_login_page_can_be_switched_before_logging_in(db, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Log in" in client.get("/login/").content.decode()
