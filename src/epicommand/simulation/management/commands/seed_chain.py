"""`epicommand seed-chain`: name a first responsible person and two team members for the
city, every county, every township and every unit of the demo city, so that every task
shows whose it is. (Villages and communities are left to the townships to name.)

Deterministic: the same city always gets the same names. A region or unit that already
names anyone is left as it is, so running it again changes nothing."""

import random

from django.core.management.base import BaseCommand, CommandError

from epicommand.command.models import ResponsiblePerson
from epicommand.command.services.chain import seed_people
from epicommand.core.models import Region, Unit, User
from epicommand.simulation import names

FIRST = ResponsiblePerson.Duty.FIRST_RESPONSIBLE
MEMBER = ResponsiblePerson.Duty.TEAM_MEMBER
# The demo accounts of the city's two top leaders, linked to their places on the chain.
LEADER_ACCOUNTS = {"委书记": "party_secretary", "长": "mayor"}


def region_posts(region: Region) -> list[str]:
    """石家庄市委书记, 石家庄市长, 石家庄市常务副市长; 藁城区委书记, 藁城区长, ...;
    增村镇党委书记, 增村镇镇长, 增村镇副镇长; 建北街道党工委书记, 建北街道办事处主任, ..."""
    name = region.name
    if region.level == Region.Level.TOWNSHIP:
        if name.endswith("街道"):
            return [f"{name}党工委书记", f"{name}办事处主任", f"{name}办事处副主任"]
        kind = name[-1]  # 镇 or 乡
        return [f"{name}党委书记", f"{name}{kind}长", f"{name}副{kind}长"]
    kind = name[-1]  # 市, 区 or 县
    return [f"{name}委书记", f"{name}长", f"{name}常务副{kind}长"]


def unit_posts(unit: Unit) -> list[str]:
    name = unit.name
    if name.endswith("领导小组"):
        head = "组长"
    elif "纪律检查委员会" in name:
        head = "书记"
    elif name.endswith(("局", "分局")):
        head = "局长"
    elif name.endswith("人民政府"):
        head = "乡长" if name.removesuffix("人民政府").endswith("乡") else "镇长"
    else:  # offices, commissions, centres, street offices
        head = "主任"
    deputy = "副" + head
    return [head, f"常务{deputy}" if head != "书记" else deputy, deputy]


class Command(BaseCommand):
    help = (
        "Name a first responsible person and two team members for the city, every county, "
        "every township and every unit (demo data; deterministic; leaves existing entries "
        "alone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")

    def handle(self, *args, seed, **options):
        regions = list(Region.objects.filter(level__lte=Region.Level.TOWNSHIP).order_by("code"))
        if not regions:
            raise CommandError("No city in the database; run `epicommand seed-city` first.")
        units = list(Unit.objects.select_related("region").order_by("region_id", "kind", "id"))
        named_regions = set(
            ResponsiblePerson.objects.filter(unit__isnull=True).values_list("region_id", flat=True)
        )
        named_units = set(
            ResponsiblePerson.objects.filter(unit__isnull=False).values_list("unit_id", flat=True)
        )
        used = set(ResponsiblePerson.objects.values_list("name", flat=True))
        accounts = {
            u.username: u
            for u in User.objects.filter(username__in=LEADER_ACCOUNTS.values(), is_active=True)
        }
        people, regions_covered, units_covered = [], 0, 0
        for region in regions:
            if region.code not in named_regions:
                posts = region_posts(region)
                people += self._team(seed, f"region:{region.code}", region, None, posts, used)
                regions_covered += 1
        for unit in units:
            if unit.pk not in named_units:
                key = f"unit:{unit.region_id}:{unit.kind}"
                people += self._team(seed, key, unit.region, unit, unit_posts(unit), used)
                units_covered += 1
        self._link_city_leaders(people, accounts)
        created = seed_people(None, people)
        self.stdout.write(
            self.style.SUCCESS(
                f"Responsibility chain: {created} persons named for {regions_covered} regions "
                f"and {units_covered} units."
            )
        )

    def _team(self, seed, key, region, unit, posts, used) -> list[ResponsiblePerson]:
        rng = random.Random(f"{seed}:{key}")
        team = []
        for index, post in enumerate(posts):
            sex = "M" if rng.random() < 0.8 else "F"
            birth_year = rng.randint(1962, 1980)
            name = names.unique(
                used, lambda s=sex, y=birth_year: names.surname(rng) + names.given_name(rng, s, y)
            )
            team.append(
                ResponsiblePerson(
                    region=region,
                    unit=unit,
                    duty=FIRST if index == 0 else MEMBER,
                    name=name,
                    post=post,
                    phone=f"0311-{rng.randint(80000000, 89999999)}",
                )
            )
        return team

    def _link_city_leaders(self, people, accounts) -> None:
        for person in people:
            if person.unit is not None or person.region.level != Region.Level.CITY:
                continue
            for ending, username in LEADER_ACCOUNTS.items():
                post_of_city = person.post.removeprefix(person.region.name)
                if post_of_city == ending and username in accounts:
                    person.user = accounts[username]
