"""The people and posts the checkpoint tests act with, on top of tests/conftest.py's city:
each county's command office with its office user, Gaocheng's public security bureau
staffing a road checkpoint in Zengcun town with an officer, a Chang'an checkpoint with
its own officer, and more persons on demand."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import count

from django.utils import timezone

from epicommand.control.models import Checkpoint
from epicommand.control.services import checkpoints as services
from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Role, Unit, User
from epicommand.people.models import Person

K = Unit.Kind
_serial = count(1)


@dataclass
class CheckpointWorld:
    city: object
    office: object  # city office user
    gaocheng_office: object  # county office users
    changan_office: object
    officer: object  # checkpoint officer of Gaocheng's public security bureau
    changan_officer: object
    police: Unit
    checkpoint: Checkpoint  # G307 out of Gaocheng, in Zengcun town, staffed by `police`
    changan_checkpoint: Checkpoint
    now: datetime

    def person(self, region=None, name: str = "王芳") -> Person:
        """A new person with a valid ID number, living in `region` (Xiaoguozhuang)."""
        region = region or self.city.xgz
        serial = next(_serial)
        born = date(1985, 1, 1) + timedelta(days=serial)
        return Person.objects.create(
            name=name,
            sex="F",
            birth_date=born,
            id_number=make_id_number(region.code[:6], born, serial, "F"),
            phone=f"1390000{serial:04d}",
            region=region,
        )

    def passage(self, person, temperature="36.5", *, actor=None, checkpoint=None, **fields):
        fields.setdefault("direction", "out")
        return services.record_passage(
            actor or self.officer,
            checkpoint or self.checkpoint,
            id_number=person.id_number,
            temperature=temperature,
            **fields,
        )


def user(username, role, scope, unit) -> User:
    """A user of the tests that log in with force_login: no password to hash (hashing
    one costs a good part of a second), so the world is quick to build."""
    made = User(username=username, role=role, scope_region=scope, unit=unit)
    made.set_unusable_password()
    made.save()
    return made


def checkpoint_world(city, make_user, city_office) -> CheckpointWorld:
    """`make_user` makes the officer, who logs in with a password in the browser test."""
    gaocheng_office_unit = Unit.objects.create(
        name="藁城区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.gaocheng
    )
    changan_office_unit = Unit.objects.create(
        name="长安区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.changan
    )
    police = Unit.objects.create(
        name="藁城区公安分局", kind=K.PUBLIC_SECURITY, region=city.gaocheng
    )
    changan_police = Unit.objects.create(
        name="长安区公安分局", kind=K.PUBLIC_SECURITY, region=city.changan
    )
    gaocheng_office = user(
        "gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, gaocheng_office_unit
    )
    changan_office = user("changan_office", Role.COUNTY_OFFICE, city.changan, changan_office_unit)
    officer = make_user("gaocheng_officer", Role.CHECKPOINT_OFFICER, city.gaocheng, police)
    changan_officer = user("changan_officer", Role.CHECKPOINT_OFFICER, city.changan, changan_police)
    checkpoint = services.create_checkpoint(
        gaocheng_office,
        name="G307 岗上检查站",
        kind=Checkpoint.Kind.ROAD,
        region_id=city.zengcun.code,
        road="G307",
        latitude=38.02,
        longitude=114.85,
        unit_ids=[police.pk],
    )
    changan_checkpoint = services.create_checkpoint(
        changan_office,
        name="建华大街检查站",
        kind=Checkpoint.Kind.ROAD,
        region_id=city.street.code,
        road="建华大街",
        latitude=38.05,
        longitude=114.52,
        unit_ids=[changan_police.pk],
    )
    return CheckpointWorld(
        city=city,
        office=city_office,
        gaocheng_office=gaocheng_office,
        changan_office=changan_office,
        officer=officer,
        changan_officer=changan_officer,
        police=police,
        checkpoint=checkpoint,
        changan_checkpoint=changan_checkpoint,
        now=timezone.now(),
    )
