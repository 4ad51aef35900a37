"""The chain pages: a region's own first responsible person and team, its units' and its
sub-regions', editable by the offices of the jurisdiction; 404 outside it."""

from epicommand.command.models import ResponsiblePerson
from epicommand.command.services import chain as services
from epicommand.core.models import Role
from tests.conftest import login


def _seed(city, office):
    services.set_first_responsible(office, region=city.sjz, name="李强", post="石家庄市委书记")
    services.add_team_member(office, region=city.sjz, name="邢金", post="石家庄市长")
    services.set_first_responsible(office, region=city.gaocheng, name="王建国", post="藁城区委书记")
    services.set_first_responsible(office, unit=city.gaocheng_cdc, name="赵敏", post="主任")
    services.add_team_member(office, unit=city.gaocheng_cdc, name="孙丽", post="副主任")
    return services.set_first_responsible(office, unit=city.changan_cdc, name="周华", post="主任")


def test_the_city_page_shows_its_people_its_units_and_its_counties(city_office, city):
    _seed(city, city_office)
    client = login(city_office)
    assert client.get("/chain/").url == "/chain/130100/"
    html = client.get("/chain/130100/").content.decode()
    for text in ("李强", "石家庄市长", city.office.name, "藁城区", "王建国", "长安区"):
        assert text in html
    county = client.get("/chain/130109/").content.decode()
    assert "赵敏" in county and "孙丽" in county and "周华" not in county


def test_a_region_naming_nobody_shows_whose_it_falls_to(city_office, city):
    _seed(city, city_office)
    page = login(city_office).get(f"/chain/{city.changan.code}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "not named" in html
    assert "李强" in html  # the city's party secretary, until Chang'an names its own


def test_a_county_office_gets_404_for_another_countys_chain(make_user, city, city_office):
    changan_head = _seed(city, city_office)
    office = make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)
    client = login(office)
    assert client.get(f"/chain/{city.gaocheng.code}/").status_code == 200
    assert client.get(f"/chain/{city.changan.code}/").status_code == 404
    assert client.get(f"/chain/{city.sjz.code}/").status_code == 404
    assert client.get(f"/chain/{city.changan.code}/edit/").status_code == 404
    assert client.get(f"/chain/units/{city.changan_cdc.pk}/edit/").status_code == 404
    assert client.post(f"/chain/people/{changan_head.pk}/remove/").status_code == 404
    assert ResponsiblePerson.objects.filter(pk=changan_head.pk).exists()


def test_an_office_names_people_on_the_edit_page(city_office, city):
    client = login(city_office)
    url = f"/chain/units/{city.gaocheng_cdc.pk}/edit/"
    response = client.post(url, {"duty": "first", "name": "赵敏", "post": "主任"})
    assert response.status_code == 302
    client.post(url, {"duty": "member", "name": "孙丽", "post": "副主任", "username": ""})
    people = ResponsiblePerson.objects.filter(unit=city.gaocheng_cdc)
    assert sorted(people.values_list("duty", "name")) == [("first", "赵敏"), ("member", "孙丽")]
    refused = client.post(
        url, {"duty": "first", "name": "钱伟", "post": "主任"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert "is already the first responsible person" in refused.content.decode()


def test_a_platform_account_is_linked_by_user_name(city_office, city):
    login(city_office).post(
        f"/chain/{city.sjz.code}/edit/",
        {"duty": "first", "name": "李强", "post": "市委书记", "username": "city_office"},
    )
    assert ResponsiblePerson.objects.get().user == city_office
    unknown = login(city_office).post(
        f"/chain/{city.sjz.code}/edit/",
        {"duty": "member", "name": "邢金", "post": "市长", "username": "nobody"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert unknown.status_code == 400
    assert "no account with this user name" in unknown.content.decode()


def test_a_supervisor_reads_the_chain_but_cannot_edit_it(supervisor, city, city_office):
    person = _seed(city, city_office)
    client = login(supervisor)
    page = client.get(f"/chain/{city.sjz.code}/")
    assert page.status_code == 200
    assert "/edit/" not in page.content.decode()
    assert client.get(f"/chain/{city.sjz.code}/edit/").status_code == 403
    assert client.post(f"/chain/people/{person.pk}/remove/").status_code == 403
