"""A small city with a few days of command work, generated through the services the way
the platform generates it, for the tests that compare the dashboard and the daily summary
with direct counts of the tables."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from django.utils import timezone

from epicommand.command.models import EmergencyReport, Task
from epicommand.command.services import reports as report_services
from epicommand.command.services import tasks as task_services
from epicommand.control.models import Checkpoint, FactKind
from epicommand.control.services import checkpoints as checkpoint_services
from epicommand.control.services import healthcode
from epicommand.core.models import Role, Unit, User
from epicommand.people import services as people_services
from epicommand.people.imports import import_persons
from epicommand.people.models import Person
from tests.people.import_files import JIANBEI, XGZ, person_row, write_csv


@dataclass
class CommandCity:
    office: object  # the city office user
    gaocheng_office: object  # county office users, each in its county's command office
    changan_office: object
    health: Unit  # a city department: its tasks belong to no county
    now: datetime


def command_units(city, make_user):
    K = Unit.Kind
    gaocheng = Unit.objects.create(
        name="藁城区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.gaocheng
    )
    changan = Unit.objects.create(
        name="长安区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.changan
    )
    health = Unit.objects.create(name="市卫生健康委员会", kind=K.HEALTH_COMMISSION, region=city.sjz)
    return CommandCity(
        office=make_user("office", Role.CITY_OFFICE, city.sjz),
        gaocheng_office=make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, gaocheng),
        changan_office=make_user("changan_office", Role.COUNTY_OFFICE, city.changan, changan),
        health=health,
        now=timezone.now(),
    )


def register_persons(c: CommandCity, tmp_path) -> None:
    """Seven persons one by one (one of them moves county) and six by import."""
    for n in range(4):
        people_services.register_person(c.office, **_person(n, XGZ))
    for n in range(4, 7):
        people_services.register_person(c.office, **_person(n, JIANBEI))
    mover = people_services.register_person(c.office, **_person(7, XGZ))
    people_services.update_person(c.office, mover, region_id=JIANBEI, reason="moved")
    rows = [person_row(100 + n, XGZ if n % 3 else JIANBEI) for n in range(6)]
    path = write_csv(tmp_path / "persons.csv", rows)
    result = import_persons(c.office, BytesIO(path.read_bytes()), "persons.csv")
    assert not result.error_count, result.errors


def _person(n: int, region: str) -> dict:
    row = person_row(n, region)
    return {
        "name": row["name"],
        "id_number": row["id_number"],
        "phone": row["phone"],
        "region_id": region,
        "address": row["address"],
    }


def issue_and_work_tasks(c: CommandCity) -> None:
    """Three days ago: a task to both counties and the health commission, due two days
    ago: all three go overdue, Gaocheng finishes late. Today: a task to both counties,
    Gaocheng does it at once; a third one is cancelled."""
    three_days_ago = c.now - timedelta(days=3)
    counties = [c.gaocheng_office.unit, c.changan_office.unit]
    late = task_services.issue_task(
        c.office,
        title="核查密接人员管控情况",
        deadline=c.now - timedelta(days=2),
        assignees=[*counties, c.health],
        now=three_days_ago,
    )
    today = task_services.issue_task(
        c.office,
        title="上报今日核酸检测进度",
        deadline=c.now + timedelta(days=1),
        assignees=counties,
        now=c.now - timedelta(minutes=5),
    )
    task_services.issue_task(
        c.office,
        title="统计隔离点床位",
        deadline=c.now + timedelta(days=2),
        assignees=[c.changan_office.unit],
        now=c.now - timedelta(minutes=4),
    )
    task_services.detect_overdue_tasks(c.now - timedelta(minutes=3))
    gaocheng = c.gaocheng_office
    for task in (late[0], today[0]):
        task = Task.objects.get(pk=task.pk)
        task_services.acknowledge_task(gaocheng, task, now=c.now - timedelta(minutes=2))
        task_services.complete_task(
            gaocheng, Task.objects.get(pk=task.pk), text="已完成", now=c.now - timedelta(minutes=1)
        )
    cancelled = Task.objects.get(title="统计隔离点床位")
    task_services.cancel_task(c.office, cancelled, reason="改由卫健委统计", now=c.now)


def file_reports(c: CommandCity, city) -> None:
    for user, region in ((c.gaocheng_office, city.xgz), (c.changan_office, city.community)):
        report_services.file_report(
            user,
            title=f"{region.name}发现阳性检测结果",
            body="详见附件",
            severity=EmergencyReport.Severity.MAJOR,
            occurred_at=c.now - timedelta(hours=1),
            region_code=region.code,
        )


def generate(city, make_user, tmp_path) -> CommandCity:
    c = command_units(city, make_user)
    register_persons(c, tmp_path)
    issue_and_work_tasks(c)
    file_reports(c, city)
    colour_some_codes()
    lodge_some_persons(c, city)
    pass_some_checkpoints(c, city)
    receive_some_travellers(c, city)
    return c


def colour_some_codes() -> None:
    """Red and yellow codes in both counties through the health-code engine, one of them
    back to green, so the colour figures count something."""
    now = timezone.now()
    persons = list(Person.objects.order_by("pk")[:9])
    kinds = [FactKind.CLOSE_CONTACT, FactKind.FEVER, FactKind.SECONDARY_CONTACT]
    for index, person in enumerate(persons):
        healthcode.record_fact(
            person,
            kinds[index % 3],
            started_at=now,
            source="figures city",
            source_key=f"figures:{person.pk}",
        )
    healthcode.end_facts([persons[0].pk], FactKind.CLOSE_CONTACT, at=now)


def pass_some_checkpoints(c: CommandCity, city) -> None:
    """A checkpoint in each county; passages today (fevers, a yellow code restricted) and
    one yesterday, so the checkpoint figures count something and a day is told apart."""
    officers, checkpoints = {}, {}
    for county, office, code in (
        (city.gaocheng, c.gaocheng_office, city.zengcun.code),
        (city.changan, c.changan_office, city.street.code),
    ):
        checkpoints[county.code] = checkpoint_services.create_checkpoint(
            office,
            name=f"{county.name}检查站",
            kind=Checkpoint.Kind.ROAD,
            region_id=code,
            latitude=38.0,
            longitude=114.6,
        )
        officers[county.code] = User.objects.create(
            username=f"officer_{county.code}",
            role=Role.CHECKPOINT_OFFICER,
            scope_region=county,
            unit=office.unit,
        )
    persons = list(Person.objects.order_by("pk")[:6])
    temperatures = ["38.2", "36.5", "36.8", "37.9", "36.1", "36.6"]
    for index, (person, temperature) in enumerate(zip(persons, temperatures, strict=True)):
        county = ("130109", "130102")[index % 2]
        checkpoint_services.record_passage(
            officers[county],
            checkpoints[county],
            person=person,
            temperature=temperature,
            direction="in",
            passed_at=c.now - timedelta(days=1 if index == 5 else 0, minutes=index),
        )


def lodge_some_persons(c: CommandCity, city) -> None:
    """A quarantine site in each county: three Gaocheng persons in the camp (one of them
    released after 14 days into home monitoring), one Chang'an person in the hotel, a room
    out of service; so the quarantine figures count something in both counties."""
    from epicommand.quarantine.models import Room, StayTest
    from epicommand.quarantine.services import releases
    from epicommand.quarantine.services import sites as site_services
    from epicommand.quarantine.services import stays as stay_services

    found = {}
    for county, office, code in (
        (city.gaocheng, c.gaocheng_office, city.zengcun.code),
        (city.changan, c.changan_office, city.street.code),
    ):
        site = site_services.create_site(
            office,
            name=f"{county.name}集中隔离点",
            kind="hotel",
            region_id=code,
            address=f"{county.name}隔离酒店",
            latitude=38.0,
            longitude=114.6,
            unit_id=office.unit_id,
        )
        site_services.add_rooms(office, site, floor_from=1, floor_to=2, rooms_per_floor=4)
        found[county.code] = (office, site)
    office, camp = found["130109"]
    persons = list(Person.objects.filter(region_id=XGZ).order_by("pk")[:3])
    first = stay_services.assign_stay(
        office, persons[0], reason="close_contact", site=camp, started_at=c.now - timedelta(days=14)
    )
    stay_services.confirm_arrival(office, first)
    StayTest.objects.filter(stay=first).update(result=StayTest.Result.NEGATIVE)
    releases.release_from_site(office, first)
    for person in persons[1:]:
        stay_services.assign_stay(office, person, reason="close_contact", site=camp)
    site_services.set_room_status(
        office, Room.objects.filter(site=camp, status="free").first(), "out_of_service"
    )
    office, hotel = found["130102"]
    resident = Person.objects.filter(region_id=JIANBEI).order_by("pk").first()
    stay_services.assign_stay(office, resident, reason="inbound", site=hotel)


def receive_some_travellers(c: CommandCity, city) -> None:
    """A flight with travellers for both counties, one of them eight hours ago and never
    handed over (an alarm), five positives (a proposed suspension) and a low-risk arrival
    outside the loop; so the inbound figures count something."""
    from epicommand.inbound.services import alarms, arrivals, flights

    port = Unit.objects.create(name="正定机场口岸", kind=Unit.Kind.OTHER, region=city.sjz)
    desk = User.objects.create_user(
        "port_desk", role=Role.PORT_STAFF, scope_region=city.sjz, unit=port
    )
    flight = flights.register_flight(
        desk,
        number="CA868",
        arrival_date=timezone.localdate(c.now),
        airline="Air China",
        origin="Moscow",
        port="SJW",
    )
    for n, (region, risk, hours) in enumerate(
        [(XGZ, "overseas", 8), (XGZ, "overseas", 1), (JIANBEI, "overseas", 1)]
        + [(JIANBEI, "high", 1)] * 3
        + [(XGZ, "low", 1)]
    ):
        arrival = arrivals.register_arrival(
            desk,
            source="port_desk",
            flight=flight,
            mode="flight",
            seat=f"{n + 1}A",
            document=f"E{n:08d}",
            name="旅客",
            origin="Moscow",
            risk=risk,
            destination_address="1 号",
            region_code=region,
            arrived_at=min(c.now, timezone.now()) - timedelta(hours=hours),
        )
        if n < 5:
            arrival.positive_at = arrival.arrived_at
            arrival.save(update_fields=["positive_at"])
    alarms.check_loop()
    flights.review_breaker(flight)
