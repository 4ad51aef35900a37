"""The site, staff and stays the monitoring and violation tests act with, on top of
tests/conftest.py's city: a camp in Gaocheng (building A, two floors of three rooms) run by
its own unit, Gaocheng's public security bureau, a site manager of Gaocheng and a
quarantine worker of Chang'an. Stays are made by the stays service, which also creates
the tests of the plan and records the centralized-quarantine fact."""

import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from epicommand.core.models import Role, Unit
from epicommand.people.models import Person
from epicommand.quarantine.models import Room, Site
from epicommand.quarantine.services import sites, stays


@dataclass
class MonitoringWorld:
    city: object
    site: Site
    site_unit: Unit
    police: Unit
    manager: object  # quarantine staff of Gaocheng, the site's unit
    changan_staff: object  # quarantine staff of Chang'an

    def room(self, number: str) -> Room:
        return Room.objects.get(site=self.site, building="A", number=number)

    def stay(self, person, *, number: str | None = None, days_ago: int = 0, reason="close_contact"):
        """An arrived stay that began `days_ago` days ago (day 1 that day)."""
        started = timezone.now() - timedelta(days=days_ago, minutes=5)
        return stays.assign_stay(
            self.manager,
            person,
            reason=reason,
            site=self.site,
            room=self.room(number) if number else None,
            started_at=started,
            arrived_at=started + timedelta(minutes=1),
        )


_SEQUENCE = iter(range(1, 10_000))


def make_person(city, name: str) -> Person:
    """A resident of Xiaoguozhuang with a valid ID number of their own."""
    body = f"130109{1970 + next(_SEQUENCE) % 40}0517{next(_SEQUENCE) % 1000:03d}"
    return Person.objects.create(
        name=name,
        sex="M",
        birth_date=date(int(body[6:10]), 5, 17),
        id_number=body + _check_digit(body),
        region=city.xgz,
    )


def _check_digit(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def monitoring_world(city, make_user, city_office) -> MonitoringWorld:
    site_unit = Unit.objects.create(
        name="黄庄集中隔离点工作专班", kind=Unit.Kind.OTHER, region=city.gaocheng
    )
    police = Unit.objects.create(
        name="藁城区公安分局", kind=Unit.Kind.PUBLIC_SECURITY, region=city.gaocheng
    )
    manager = make_user("site_manager", Role.QUARANTINE_STAFF, city.gaocheng, site_unit)
    changan_staff = make_user(
        "changan_staff", Role.QUARANTINE_STAFF, city.changan, city.changan_cdc
    )
    site = sites.create_site(
        city_office,
        name="黄庄集中隔离点",
        kind=Site.Kind.CAMP,
        region_id=city.zengcun.code,
        address="增村镇黄庄",
        latitude=38.03,
        longitude=114.85,
        unit_id=site_unit.pk,
        manager_id=manager.pk,
    )
    sites.add_rooms(city_office, site, building="A", floor_from=1, floor_to=2, rooms_per_floor=3)
    return MonitoringWorld(city, site, site_unit, police, manager, changan_staff)


def png_upload(name: str = "evidence.png", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_upload(name: str = "evidence.png") -> SimpleUploadedFile:
    """A text file dressed up as an image: its name and type say PNG, its bytes do not."""
    return SimpleUploadedFile(name, b"not an image at all\n" * 10, content_type="image/png")
