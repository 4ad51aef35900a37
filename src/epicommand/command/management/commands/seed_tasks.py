"""`epicommand seed-tasks`: a day of command work in the demo city, through the services
(so the trail, audit log, counters and notifications are those of real work).

The day runs from nine hours before now (the hour) to now: at its start the city office
issues the day's tasks to its departments and every county's command office; Gaocheng and
Chang'an, whose offices and community workers have demo accounts, acknowledge them,
decompose their shares to townships, report progress and complete some with evidence;
departments and counties without accounts leave theirs untouched; at the end the overdue
check notes what is past its deadline. The same city always gets the same tasks; a
database that already holds tasks is left as it is."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from epicommand.command.models import Priority, Task
from epicommand.command.services import tasks as services
from epicommand.core.models import Unit, User

K = Unit.Kind
P = Priority
DAY_HOURS = 9
# Demo accounts (simulation/accounts.py) that act in the script.
ACCOUNTS = (
    "city_office",
    "gaocheng_office",
    "gaocheng_community",
    "gaocheng_market",
    "changan_office",
    "changan_community",
)
GAOCHENG, CHANGAN = "130109", "130102"


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


# (title, instructions, priority, hours after the start it is due, assignees). Assignees
# are department kinds of the city or "counties" (every county's command office).
CITY_TASKS = [
    (
        "开展第三轮全员核酸检测",
        "各县（市、区）今日 16 时前完成辖区第三轮全员核酸检测采样，做到不漏一户、不漏一人，"
        "采样进度每两小时报市指挥部办公室。",
        P.URGENT,
        DAY_HOURS + 3,
        ["counties"],
    ),
    (
        "上报昨日密接、次密接管控台账",
        "各县（市、区）10 时前上报昨日新增密接、次密接人员及管控情况台账。",
        P.HIGH,
        2,
        ["counties"],
    ),
    (
        "核查密切接触者和次密接管控落实情况",
        "逐人核对密接、次密接的集中隔离落实情况，24 小时内未管控到位的说明原因。",
        P.URGENT,
        DAY_HOURS + 6,
        [GAOCHENG, CHANGAN],
    ),
    (
        "统计集中隔离点床位和储备情况",
        "统计现有集中隔离点房间数、已用数和可在 48 小时内启用的储备数。",
        P.HIGH,
        4,
        [K.HEALTH_COMMISSION],
    ),
    (
        "加强进出城卡口查验",
        "所有进出城卡口落实查验健康码、行程卡和 48 小时核酸检测阴性证明。",
        P.HIGH,
        DAY_HOURS + 12,
        [K.PUBLIC_SECURITY, K.TRANSPORT],
    ),
    (
        "排查农贸市场和冷链食品经营单位",
        "对全市农贸市场、冷链食品经营单位开展拉网式排查，登记从业人员核酸检测情况。",
        P.NORMAL,
        6,
        [K.MARKET_REGULATION, K.COMMERCE],
    ),
    (
        "做好中小学线上教学安排",
        "暂停中小学线下教学，各校今日公布线上教学安排。",
        P.NORMAL,
        DAY_HOURS + 24,
        [K.EDUCATION],
    ),
    (
        "做好封控区域困难群众生活保障",
        "摸清封控区域内孤寡老人、残疾人等困难群众底数，落实专人包联。",
        P.HIGH,
        DAY_HOURS + 10,
        [K.CIVIL_AFFAIRS],
    ),
]


class Command(BaseCommand):
    help = (
        "Issue a day of tasks in the demo city (needs seed-city and demo-accounts): some "
        "decomposed to townships, some done with evidence, some overdue. Deterministic; "
        "does nothing when tasks exist."
    )

    def handle(self, *args, **options):
        if Task.objects.exists():
            self.stdout.write("The database already holds tasks; nothing to do.")
            return
        users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
        if missing := [name for name in ACCOUNTS if name not in users]:
            raise CommandError(
                f"Demo accounts missing ({', '.join(missing)}): run `epicommand seed-city` "
                "and `epicommand demo-accounts` first."
            )
        now = timezone.now()
        start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) - h(DAY_HOURS)
        with transaction.atomic():
            day = DemoDay(users, start)
            day.run()
            noted = services.detect_overdue_tasks(now)
        self.stdout.write(
            self.style.SUCCESS(
                f"{Task.objects.count()} tasks issued since {start:%H:%M}, "
                f"{Task.objects.filter(status=Task.Status.DONE).count()} done, "
                f"{len(noted)} overdue."
            )
        )


class DemoDay:
    def __init__(self, users, start):
        self.u = users
        self.start = start
        self.city = users["city_office"].scope_region
        self.offices = {
            unit.region_id: unit
            for unit in Unit.objects.filter(region__parent=self.city, kind=K.COMMAND_OFFICE)
        }

    def at(self, hours: float):
        return self.start + h(hours)

    def run(self) -> None:
        issued = self.issue_city_tasks()
        testing = issued["开展第三轮全员核酸检测"]
        ledger = issued["上报昨日密接、次密接管控台账"]
        contacts = issued["核查密切接触者和次密接管控落实情况"]
        self.gaocheng_day(testing[GAOCHENG], ledger[GAOCHENG], contacts[GAOCHENG])
        self.changan_day(testing[CHANGAN], ledger[CHANGAN], contacts[CHANGAN])

    def issue_city_tasks(self) -> dict[str, dict[str, Task]]:
        office = self.u["city_office"]
        issued = {}
        for minute, (title, text, priority, due, targets) in enumerate(CITY_TASKS):
            tasks = services.issue_task(
                office,
                title=title,
                text=text,
                priority=priority,
                deadline=self.at(due),
                assignees=self.units_for(targets),
                now=self.at(minute * 5 / 60),
            )
            issued[title] = {task.region_id: task for task in tasks}
        return issued

    def units_for(self, targets) -> list[Unit]:
        units = []
        for target in targets:
            if target == "counties":
                units += [self.offices[code] for code in sorted(self.offices)]
            elif target.isdigit():
                units.append(self.offices[target])
            else:
                units.append(Unit.objects.get(region=self.city, kind=target))
        return units

    def township_governments(self, county: str) -> list[Unit]:
        return list(
            Unit.objects.filter(region__parent_id=county, kind=K.TOWNSHIP_GOVERNMENT).order_by(
                "region_id"
            )
        )

    def gaocheng_day(self, testing: Task, ledger: Task, contacts: Task) -> None:
        """Gaocheng splits the testing round over its townships (Zengcun finishes its share,
        the others have no accounts), hands in the ledger late, and gives Zengcun a share
        of the contacts check that runs past its deadline. Its market bureau does a task of
        the county's own."""
        office, zengcun = self.u["gaocheng_office"], self.u["gaocheng_community"]
        services.acknowledge_task(office, testing, now=self.at(0.3))
        shares = [
            services.Share(
                assignee=unit,
                title=f"{unit.region.name}第三轮全员核酸检测采样",
                deadline=self.at(DAY_HOURS + 2),
            )
            for unit in self.township_governments(GAOCHENG)
        ]
        kids = services.decompose_task(office, testing, children=shares, now=self.at(0.6))
        mine = next(k for k in kids if k.assignee_id == zengcun.unit_id)
        services.acknowledge_task(zengcun, mine, now=self.at(1))
        services.report_progress(
            zengcun, mine, percent=60, text="已完成 12 个村采样，剩余 8 个村。", now=self.at(3)
        )
        services.complete_task(
            zengcun,
            mine,
            text="全镇 20 个村采样完成，应检尽检。",
            evidence=[_evidence("增村镇采样完成情况.csv", "村,应检,已检\n小果庄村,1203,1203\n")],
            now=self.at(5),
        )
        services.acknowledge_task(office, ledger, now=self.at(1))
        services.complete_task(
            office,
            ledger,
            text="台账已上报（晚于要求时间）。",
            evidence=[_evidence("藁城区密接管控台账.csv", "类别,人数,已管控\n密接,320,301\n")],
            now=self.at(3),
        )
        services.acknowledge_task(office, contacts, now=self.at(0.5))
        (share,) = services.decompose_task(
            office,
            contacts,
            children=[
                services.Share(
                    assignee=zengcun.unit, title="核查增村镇密接人员管控", deadline=self.at(8)
                )
            ],
            now=self.at(0.8),
        )
        services.acknowledge_task(zengcun, share, now=self.at(1.5))
        services.report_progress(
            zengcun, share, percent=40, text="已核查 46 人，均已集中隔离。", now=self.at(4)
        )
        market = self.u["gaocheng_market"]
        (own,) = services.issue_task(
            office,
            title="排查辖区农贸市场从业人员核酸检测情况",
            priority=P.HIGH,
            deadline=self.at(6),
            assignees=[market.unit],
            now=self.at(1),
        )
        services.acknowledge_task(market, own, now=self.at(1.5))
        services.complete_task(
            market, own, text="排查农贸市场 14 家，从业人员 312 人全部检测。", now=self.at(4.5)
        )

    def changan_day(self, testing: Task, ledger: Task, contacts: Task) -> None:
        """Chang'an gives the round to its street office (one account) and finishes it; it
        answers the ledger and the contacts check itself, in time."""
        office, street = self.u["changan_office"], self.u["changan_community"]
        services.acknowledge_task(office, testing, now=self.at(0.25))
        (share,) = services.decompose_task(
            office,
            testing,
            children=[
                services.Share(
                    assignee=street.unit,
                    title=f"{street.unit.region.name}第三轮全员核酸检测采样",
                    deadline=self.at(6),
                )
            ],
            now=self.at(0.5),
        )
        services.acknowledge_task(street, share, now=self.at(0.75))
        services.complete_task(
            street,
            share,
            text="街道 9 个社区采样完成。",
            evidence=[_evidence("建北街道采样汇总.csv", "社区,已检\n建北社区,4120\n")],
            now=self.at(4),
        )
        services.complete_task(office, testing, text="全区采样完成，结果陆续回报。", now=self.at(5))
        services.acknowledge_task(office, ledger, now=self.at(0.5))
        services.complete_task(office, ledger, text="台账已按时上报。", now=self.at(1.5))
        services.acknowledge_task(office, contacts, now=self.at(0.4))
        services.complete_task(
            office,
            contacts,
            text="密接 213 人、次密接 588 人全部管控到位。",
            evidence=[_evidence("长安区密接管控台账.csv", "类别,人数,已管控\n密接,213,213\n")],
            now=self.at(3),
        )


def _evidence(name: str, text: str) -> ContentFile:
    return ContentFile(text.encode("utf-8-sig"), name=name)
