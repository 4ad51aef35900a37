from epicommand.core.models import AuditEvent, Role, User
from tests.conftest import login


def test_changing_a_users_scope_in_the_admin_is_audited(city, gaocheng_epi):
    admin = User.objects.create_superuser(
        "root", password="x-long-password", role=Role.ADMINISTRATOR, scope_region=city.sjz
    )
    client = login(admin)
    page = client.get(f"/admin/core/user/{gaocheng_epi.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        scope_region=city.changan.code,
        unit=city.changan_cdc.pk,
        last_login_0="",
        last_login_1="",
        date_joined_0="2021-01-03",
        date_joined_1="08:00:00",
        groups=[],
        user_permissions=[],
    )
    response = client.post(f"/admin/core/user/{gaocheng_epi.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    gaocheng_epi.refresh_from_db()
    assert gaocheng_epi.scope_region == city.changan
    event = AuditEvent.objects.get(action="user.change")
    assert (event.actor, event.region_id) == (admin, city.changan.code)
    assert "scope_region" in event.reason


def test_the_audit_log_is_read_only_in_the_admin(city, gaocheng_epi, gaocheng_person):
    admin = User.objects.create_superuser("root", password="x-long-password")
    client = login(admin)
    login(gaocheng_epi).get(f"/api/v1/persons/{gaocheng_person.pk}")
    event = AuditEvent.objects.get()
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
