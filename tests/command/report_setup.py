"""What the emergency report, chain and supervision tests share: the offices to notify,
the two top leaders, a report filed through the service, tasks written straight to the
table (the task services are another module's), and the Gaocheng supervisor."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from epicommand.command.models import EmergencyReport, Signature, Task, TaskEvent
from epicommand.command.services import reports as services
from epicommand.core.models import Role, Unit

K = Unit.Kind


@pytest.fixture
def offices(city):
    """The city's command office (city.office), the leading group, each county's office."""
    return SimpleNamespace(
        city=city.office,
        leading_group=Unit.objects.create(
            name="市疫情防控工作领导小组", kind=K.LEADING_GROUP, region=city.sjz
        ),
        gaocheng=Unit.objects.create(
            name="藁城区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.gaocheng
        ),
        changan=Unit.objects.create(
            name="长安区疫情防控指挥部办公室", kind=K.COMMAND_OFFICE, region=city.changan
        ),
    )


@pytest.fixture
def party_secretary(make_user, city, offices):
    return make_user("party_secretary", Role.LEADER, city.sjz, offices.leading_group)


@pytest.fixture
def mayor(make_user, city, offices):
    return make_user("mayor", Role.LEADER, city.sjz, offices.leading_group)


@pytest.fixture
def gaocheng_office_user(make_user, city, offices):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, offices.gaocheng)


@pytest.fixture
def changan_office_user(make_user, city, offices):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan, offices.changan)


@pytest.fixture
def gaocheng_supervisor(make_user, city):
    return make_user("gaocheng_supervisor", Role.SUPERVISOR, city.gaocheng)


def file_report(user, region, **changes) -> EmergencyReport:
    fields = dict(
        title=f"{region.name}发现一例核酸检测阳性",
        body="村民张某核酸检测阳性，已转运定点医院，密切接触者排查中。",
        severity=EmergencyReport.Severity.MAJOR,
        occurred_at=timezone.now() - timedelta(hours=1),
        region_code=region.code,
    )
    fields.update(changes)
    return services.file_report(user, **fields)


def sign_both(report, party_secretary, mayor) -> None:
    P, G = Signature.Capacity.PARTY, Signature.Capacity.GOVERNMENT
    services.sign_report(party_secretary, report, capacity=P, instruction="全力救治，严密排查")
    services.sign_report(mayor, report, capacity=G, instruction="同意")


def make_task(issuer, assignee: Unit, *, title="排查密切接触者", issued=None, deadline=None, **kw):
    """A task row as the task services would leave it, with its ISSUED event."""
    issued = issued or timezone.now() - timedelta(hours=30)
    task = Task.objects.create(
        title=title,
        deadline=deadline or issued + timedelta(hours=24),
        issued_by=issuer,
        issuing_unit=issuer.unit,
        assignee=assignee,
        region=assignee.region,
        created_at=issued,
        **kw,
    )
    TaskEvent.objects.create(task=task, kind=TaskEvent.Kind.ISSUED, at=issued, by=issuer)
    return task
