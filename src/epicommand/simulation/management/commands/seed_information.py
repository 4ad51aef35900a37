from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from epicommand.core.models import Region, User
from epicommand.information.models import Bulletin
from epicommand.information.services import bulletins, knowledge, rumours
from epicommand.tracing.models import Case, Classification
from epicommand.tracing.services import cases

CLAIMS = [
    (
        "石家庄明天起全城封闭，所有超市关门",
        "业主微信群",
        "经核实，全市超市、农贸市场正常营业，生活物资供应充足。",
    ),
    ("藁城区新增病例已超过一千例", "抖音短视频", "以每日通报为准，网传数字不实。"),
    ("喝高度白酒可以预防新冠病毒", "朋友圈", "饮酒不能预防新冠病毒感染，请科学防护。"),
    ("全市将用飞机喷洒消毒药水", "微博", "我市未安排空中喷洒消毒，请勿轻信。"),
    ("小果庄村村民全部确诊", "快手", "小果庄村病例数以每日通报按村公布的数字为准。"),
    ("核酸检测棉签带有病毒", "微信群", "采样拭子均为一次性无菌用品，网传说法不实。"),
    ("隔离点不提供饮食，需自带", "贴吧", "集中隔离点统一提供一日三餐。"),
    ("正定机场已全部停航", "微博", "机场航班安排以民航部门发布为准，并未全部停航。"),
    ("高速公路全部封闭，救护车也不能通行", "微信群", "应急保障车辆经检查点核验后通行。"),
    ("明天起全市停水停电", "业主微信群", "全市水电气供应正常。"),
    ("外地返乡人员一律拘留", "朋友圈", "返乡人员按规定报备并接受健康管理，不存在一律拘留。"),
    ("某医院医生全部感染", "抖音短视频", "经核实，该院医务人员未发现感染。"),
]
ARTICLES = [
    (
        "zh-hans",
        "正确佩戴口罩",
        "出入公共场所请佩戴口罩。\n\n- 口罩应完全覆盖口鼻\n- 潮湿或污染后及时更换",
    ),
    (
        "zh-hans",
        "居家健康监测要点",
        "每日早晚各测一次体温。\n\n体温超过 37.3℃ 请报告社区，不要自行就医。",
    ),
    ("zh-hans", "核酸检测注意事项", "采样前 30 分钟内不要进食、饮水。\n\n排队时保持一米间距。"),
    (
        "en",
        "Wearing a mask",
        "Wear a mask in public places.\n\n- Cover nose and mouth\n- Change it when damp",
    ),
    (
        "en",
        "Staying at home safely",
        "Take your temperature twice a day.\n\nReport a fever to your community.",
    ),
]


class Command(BaseCommand):
    help = (
        "Seed public information (after seed-outbreak): a bulletin for each day of the demo "
        "outbreak, drafted, signed and published; a dozen rumours with refutations; some "
        "prevention articles. Two asymptomatic infections are reclassified as confirmed "
        "first, so the bulletins show reclassifications."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when bulletins exist"
        )

    def handle(self, *args, if_empty, **options):
        if Bulletin.objects.exists():
            if if_empty:
                self.stdout.write("The database already has bulletins; nothing to do.")
                return
            raise CommandError("The database already has bulletins: use --if-empty.")
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["city_office", "party_secretary", "mayor"])
        }
        if len(users) < 3:
            raise CommandError("Run `epicommand demo-accounts` first.")
        office, leader = users["city_office"], users["party_secretary"]
        first = Case.objects.order_by("reported_at").values_list("reported_at", flat=True).first()
        if first is None:
            raise CommandError("Run `epicommand seed-outbreak` first.")
        today = timezone.localdate()
        self._reclassify(office, today)
        day, published = timezone.localdate(first), 0
        while day < today:
            draft = bulletins.draft_bulletin(office, day)
            if not draft.mismatches:
                bulletins.sign(office, draft, "check")
                bulletins.sign(leader, draft, "approve")
                bulletins.publish(office, draft)
                published += 1
            day += timedelta(days=1)
        done = list(Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED).order_by("day"))
        for number, chunk in enumerate((done[i : i + 2] for i in range(0, len(done), 2)), 10):
            bulletins.record_press_conference(
                office,
                number=number,
                held_at=chunk[-1].published_at,
                title=f"石家庄市新冠肺炎疫情防控第{number}场新闻发布会",
                bulletins=chunk,
            )
        self._rumours(office)
        for language, title, body in ARTICLES:
            knowledge.write_article(office, language=language, title=title, body=body)
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {published} bulletins published, {len(CLAIMS)} rumours refuted, "
                f"{len(ARTICLES)} articles."
            )
        )

    def _reclassify(self, office, today):
        start_of_today = timezone.make_aware(
            timezone.datetime.combine(today, timezone.datetime.min.time())
        )
        asymptomatic = Case.objects.filter(
            classification=Classification.ASYMPTOMATIC, outcome=""
        ).order_by("reported_at")[:2]
        for case in asymptomatic:
            at = case.reported_at + timedelta(days=1)
            if at < start_of_today:
                cases.reclassify(office, case, Classification.MILD, at=at, note="出现症状")

    def _rumours(self, office):
        counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code")[:4])
        for n, (claim, where, refutation) in enumerate(CLAIMS):
            region = counties[n % len(counties)] if counties else None
            rumour = rumours.report_by_staff(
                office, claim=claim, where_seen=where, region_code=region.code
            )
            rumours.rule(
                office,
                rumour,
                status="false",
                ruling="与通报数字及实际情况不符",
                refutation=refutation,
            )
            if n % 4 == 1:
                rumours.refer(office, rumour, note="发布者身份已查明")
                rumours.record_outcome(
                    office, rumour, outcome="detained", note="依据治安管理处罚法行政拘留 5 日"
                )
