"""Venues of the demo city and the workplaces and schools persons are assigned to.

Every township has a school, a health centre and a market whatever the city's size (they
are what a township is built around); the rest scales with the number of persons. Real
landmarks (stations, the airport, Zhaozhou Bridge, Xibaipo) stand in their real counties."""

import random
import secrets
from bisect import bisect
from itertools import accumulate

from epicommand.places.models import Venue

from . import names
from .geography import CITY_POPULATION, Place
from .population import CREATED_AT

K = Venue.Kind
COLUMNS = (
    "id",
    "name",
    "kind",
    "address",
    "region_id",
    "latitude",
    "longitude",
    "code_nonce",
    "created_at",
)

# Venues per 10,000 residents in the urban core and elsewhere.
RATES = {
    K.RESIDENTIAL_COMPOUND: (25, 2),
    K.MARKET: (1, 1.5),
    K.SUPERMARKET: (4, 2),
    K.RESTAURANT: (20, 10),
    K.SCHOOL: (1.5, 1.5),
    K.HOSPITAL: (0.4, 0.3),
    K.FACTORY: (4, 8),
    K.OFFICE: (15, 3),
    K.HOTEL: (2, 0.5),
    K.PLACE_OF_WORSHIP: (0.1, 0.2),
    K.TOURIST_ATTRACTION: (0.05, 0.1),
    K.OTHER: (3, 2),
}
# How many people a venue of each kind employs, relative to each other.
STAFF = {
    K.FACTORY: 150,
    K.OFFICE: 40,
    K.MARKET: 30,
    K.SUPERMARKET: 25,
    K.RESTAURANT: 8,
    K.HOSPITAL: 120,
    K.HOTEL: 15,
    K.SCHOOL: 50,
    K.TRANSPORT_HUB: 80,
    K.TOURIST_ATTRACTION: 20,
    K.RESIDENTIAL_COMPOUND: 3,
    K.PLACE_OF_WORSHIP: 1,
    K.OTHER: 5,
}
URBAN_KINDS = {K.RESIDENTIAL_COMPOUND, K.OFFICE, K.HOTEL, K.SUPERMARKET}

# (kind, name, county code, township name or "") of real landmarks.
LANDMARKS = [
    (K.TRANSPORT_HUB, "石家庄站", "130104", ""),
    (K.TRANSPORT_HUB, "石家庄北站", "130105", ""),
    (K.TRANSPORT_HUB, "石家庄正定国际机场", "130123", ""),
    (K.TOURIST_ATTRACTION, "正定古城", "130123", "正定镇"),
    (K.PLACE_OF_WORSHIP, "隆兴寺", "130123", "正定镇"),
    (K.TOURIST_ATTRACTION, "赵州桥", "130133", "赵州镇"),
    (K.PLACE_OF_WORSHIP, "柏林禅寺", "130133", "赵州镇"),
    (K.TOURIST_ATTRACTION, "西柏坡纪念馆", "130131", "西柏坡镇"),
    (K.TOURIST_ATTRACTION, "抱犊寨", "130110", "获鹿镇"),
    (K.TOURIST_ATTRACTION, "苍岩山", "130121", "苍岩山镇"),
    (K.TOURIST_ATTRACTION, "嶂石岩", "130129", "嶂石岩镇"),
    (K.TOURIST_ATTRACTION, "河北博物院", "130102", ""),
    (K.PLACE_OF_WORSHIP, "九门清真寺", "130109", "九门回族乡"),
    (K.HOSPITAL, "河北省人民医院", "130105", ""),
    (K.HOSPITAL, "河北医科大学第二医院", "130105", ""),
    (K.HOSPITAL, "河北医科大学第四医院", "130104", ""),
    (K.HOSPITAL, "石家庄市人民医院", "130102", ""),
    (K.MARKET, "新华集贸中心市场", "130105", ""),
    (K.MARKET, "南三条小商品市场", "130104", ""),
]
UNIVERSITIES = [
    ("河北师范大学", "130108"),
    ("河北科技大学", "130108"),
    ("河北经贸大学", "130108"),
    ("石家庄铁道大学", "130102"),
    ("河北医科大学", "130102"),
]
OTHER_NAMES = "网吧 洗浴中心 体育馆 电影院 KTV 物流园 驾校 快递站".split()


class Workplaces:
    """Where a person of a given age works or studies: a school near home, a university,
    or a workplace in their county (some commute to the urban core)."""

    def __init__(self):
        self.primary_school: dict[str, int] = {}  # township code -> venue id
        self.middle_schools: dict[str, list[int]] = {}  # county code -> venue ids
        self.universities: list[int] = []
        self.jobs: dict[str, tuple[list[int], list[int]]] = {}  # county -> ids, cumulative

    def add_job(self, county_code: str, venue_id: int, kind: str) -> None:
        ids, staff = self.jobs.setdefault(county_code, ([], []))
        ids.append(venue_id)
        staff.append(STAFF[kind])

    def finish(self, core_counties: list[str]) -> None:
        """Freeze the job pools into cumulative tables, and pool the urban core's."""
        core = ([], [])
        for code in core_counties:
            core[0].extend(self.jobs[code][0])
            core[1].extend(self.jobs[code][1])
        self.jobs["core"] = core
        self.jobs = {
            code: (ids, list(accumulate(staff))) for code, (ids, staff) in self.jobs.items()
        }

    def pick(self, rng, village: Place, age: int, sex: str) -> int | None:
        if age < 6:
            return None
        if age < 12:
            return self.primary_school.get(village.parent.code)
        county = village.code[:6]
        if age < 18:
            schools = self.middle_schools[county]
            return schools[int(rng.random() * len(schools))]
        if age <= 22 and rng.random() < 0.35:
            return self.universities[int(rng.random() * len(self.universities))]
        # Statutory retirement in 2021: men at 60, women at 55 (workers at 50; rounded up).
        if age >= (60 if sex == "M" else 55):
            return None
        if rng.random() > (0.8 if village.is_urban else 0.5):
            return None  # unemployed, or farming the family's land
        commute = 0.35 if village.is_urban else 0.08
        ids, staff = self.jobs["core" if rng.random() < commute else county]
        return ids[bisect(staff, rng.random() * staff[-1])]


class VenuePlan:
    """The venues as rows (a city of millions has tens of thousands: small enough to hold)
    and the workplaces they offer."""

    def __init__(self, seed, city: Place, people: int, *, start_id: int):
        self.rng = random.Random(f"{seed}:venues")
        self.scale = people / CITY_POPULATION
        self.next_id = start_id
        self.rows: list[tuple] = []
        self.workplaces = Workplaces()
        self.communities: dict[str, list[Place]] = {}  # county code -> its communities
        counties = {c.code: c for c in city.children}
        for county in city.children:
            self._plan_county(county)
        for kind, name, county_code, township in LANDMARKS:
            self._add(kind, name, self._village_in(counties[county_code], township))
        for name, county_code in UNIVERSITIES:
            venue_id = self._add(K.SCHOOL, name, self._village_in(counties[county_code]))
            self.workplaces.universities.append(venue_id)
        self.workplaces.finish([c.code for c in city.children if c.is_urban])

    def _plan_county(self, county: Place) -> None:
        seat = county.children[0].children[0]
        self.workplaces.middle_schools[county.code] = [
            self._add(K.SCHOOL, f"{county.name}第一中学", seat)
        ]
        self._add(K.HOSPITAL, f"{county.name}人民医院", seat)
        self._add(K.TRANSPORT_HUB, f"{county.name}汽车客运站", seat)
        self._add(K.OFFICE, f"{county.name}政务服务中心", seat)
        for township in county.children:
            self._plan_township(township)
        residents = county.weight * self.scale
        for kind, rates in RATES.items():
            rate = rates[0] if county.is_urban else rates[1]
            # Each urban district has one of every kind, so even a tiny city has them all.
            for _ in range(max(int(county.is_urban), round(residents * rate / 10_000))):
                self._add_generated(county, kind)

    def _plan_township(self, township: Place) -> None:
        stem = _stem(township.name)
        centre = township.children[0]
        school = self._add(K.SCHOOL, f"{stem}{'小学' if township.is_urban else '中心小学'}", centre)
        self.workplaces.primary_school[township.code] = school
        clinic = "社区卫生服务中心" if township.is_urban else "卫生院"
        self._add(K.HOSPITAL, f"{stem}{clinic}", centre)
        self._add(K.MARKET, f"{stem}{'农贸市场' if not township.is_urban else '菜市场'}", centre)

    def _add_generated(self, county: Place, kind: str) -> None:
        village = self._village_for(county, kind)
        if kind == K.SCHOOL:
            schools = self.workplaces.middle_schools[county.code]
            schools.append(self._add(kind, f"{county.name}第{len(schools) + 1}中学", village))
        else:
            self._add(kind, self._generated_name(kind, village), village)

    def _generated_name(self, kind: str, village: Place) -> str:
        rng = self.rng
        stem, local = rng.choice(names.COMMUNITY_STEMS), _stem(village.name)
        if kind == K.RESIDENTIAL_COMPOUND:
            return names.compound_name(rng)
        if kind == K.SUPERMARKET:
            return f"{rng.choice(names.BRANDS)}超市({local}店)"
        if kind == K.RESTAURANT:
            return f"{names.surname(rng)}记{rng.choice(names.FOODS)}"
        if kind == K.FACTORY:
            return f"河北{stem}{rng.choice(names.TRADES)}有限公司"
        if kind == K.OFFICE:
            return f"石家庄{stem}{rng.choice(names.OFFICE_TRADES)}有限公司"
        suffixes = {
            K.MARKET: ["农贸市场", "批发市场"],
            K.HOSPITAL: ["医院", "中医医院", "诊所"],
            K.HOTEL: ["宾馆", "大酒店", "快捷酒店"],
            K.PLACE_OF_WORSHIP: ["清真寺", "天主教堂", "观音庙"],
            K.TOURIST_ATTRACTION: ["公园", "采摘园", "湿地公园"],
            K.OTHER: OTHER_NAMES,
        }[kind]
        near = local if kind in (K.MARKET, K.PLACE_OF_WORSHIP) else stem
        return f"{near}{rng.choice(suffixes)}"

    def _village_for(self, county: Place, kind: str) -> Place:
        if kind in URBAN_KINDS:
            if county.code not in self.communities:
                self.communities[county.code] = [
                    v for t in county.children for v in t.children if v.is_urban
                ]
            places = self.communities[county.code]
        else:
            places = county.children[int(self.rng.random() * len(county.children))].children
        return places[int(self.rng.random() * len(places))]

    def _village_in(self, county: Place, township_name: str = "") -> Place:
        township = next((t for t in county.children if t.name == township_name), county.children[0])
        return township.children[0]

    def _add(self, kind: str, name: str, village: Place) -> int:
        rng = self.rng
        venue_id = self.next_id
        self.next_id += 1
        township, county = village.parent, village.parent.parent
        street = (
            f"{village.road}{rng.randint(1, 600)}号"
            if village.is_urban
            else f"{township.name}{village.name}"
        )
        latitude = round(village.latitude + rng.uniform(-1, 1) * village.radius, 6)
        longitude = round(village.longitude + rng.uniform(-1, 1) * village.radius * 1.25, 6)
        # The nonce is the one value not drawn from the seed: a poster's code must not be
        # derivable from a published demo seed.
        self.rows.append(
            (
                venue_id,
                name,
                kind,
                f"{county.name}{street}",
                village.code,
                latitude,
                longitude,
                secrets.token_urlsafe(12),
                CREATED_AT,
            )
        )
        if kind in STAFF:
            self.workplaces.add_job(county.code, venue_id, kind)
        return venue_id


def _stem(place_name: str) -> str:
    """增村镇 -> 增村, 建北街道 -> 建北, 小果庄村 -> 小果庄, 建北社区 -> 建北."""
    for suffix in ("回族乡", "街道", "社区", "镇", "乡", "村"):
        if place_name.endswith(suffix) and len(place_name) > len(suffix) + 1:
            return place_name[: -len(suffix)]
    return place_name
