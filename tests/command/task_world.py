"""The units and people the task tests act with, on top of tests/conftest.py's city:
the city office (city_office fixture), a city department, each county's command office
with its office user, Zengcun's township government with a community worker, and
Jianbei street's office."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from epicommand.command.services import tasks as services
from epicommand.core.models import Role, Unit

K = Unit.Kind


@dataclass
class TaskWorld:
    city: object
    office: object  # city office user, unit: the city's command office
    health: Unit  # a city department
    gaocheng: Unit  # Gaocheng's command office
    changan: Unit
    zengcun: Unit  # Zengcun town government (Gaocheng)
    jianbei: Unit  # Jianbei street office (Chang'an)
    gaocheng_office: object
    changan_office: object
    zengcun_worker: object
    health_officer: object
    now: datetime

    def issue(self, *, to, actor=None, hours: float = 24, now=None, **fields):
        """Issue one task per unit in `to`, due `hours` after `now`."""
        now = now or self.now
        fields.setdefault("title", "开展全员核酸检测")
        return services.issue_task(
            actor or self.office,
            deadline=now + timedelta(hours=hours),
            assignees=list(to),
            now=now,
            **fields,
        )


def task_world(city, make_user, city_office) -> TaskWorld:
    gaocheng = Unit.objects.create(
        name="藁城区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.gaocheng
    )
    changan = Unit.objects.create(
        name="长安区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.changan
    )
    zengcun = Unit.objects.create(
        name="增村镇人民政府", kind=K.TOWNSHIP_GOVERNMENT, region=city.zengcun, parent=gaocheng
    )
    jianbei = Unit.objects.create(
        name="建北街道办事处", kind=K.TOWNSHIP_GOVERNMENT, region=city.street, parent=changan
    )
    health = Unit.objects.create(
        name="石家庄市卫生健康委员会", kind=K.HEALTH_COMMISSION, region=city.sjz
    )
    return TaskWorld(
        city=city,
        office=city_office,
        health=health,
        gaocheng=gaocheng,
        changan=changan,
        zengcun=zengcun,
        jianbei=jianbei,
        gaocheng_office=make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, gaocheng),
        changan_office=make_user("changan_office", Role.COUNTY_OFFICE, city.changan, changan),
        zengcun_worker=make_user("zengcun_worker", Role.COMMUNITY_WORKER, city.zengcun, zengcun),
        health_officer=make_user("health_officer", Role.DEPARTMENT_OFFICER, city.sjz, health),
        now=timezone.now(),
    )


def upload(name="evidence.txt", content=b"sampling done"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def login_en(user) -> Client:
    """A logged-in client whose browser asks for English, so messages can be compared."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
