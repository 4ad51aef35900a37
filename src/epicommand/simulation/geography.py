"""The jurisdiction tree of the demo city: Shijiazhuang with its 22 county-level divisions
(real GB/T 2260 codes and roughly their 2020 census populations), their townships and
streets, and generated villages and communities.

The tree does not depend on the number of persons: a 2,000-person test city has the same
regions as the 11-million one, only emptier, so codes and names are stable across sizes."""

import random
from dataclasses import dataclass, field

from . import names

CITY_CODE = "130100"
CITY_NAME = "石家庄市"
CITY_LATITUDE, CITY_LONGITUDE = 38.04, 114.51

# Code, name, 2020 population, urban core?, latitude, longitude, radius in degrees.
COUNTIES = [
    ("130102", "长安区", 1_056_000, True, 38.06, 114.54, 0.05),
    ("130104", "桥西区", 1_165_000, True, 38.02, 114.45, 0.04),
    ("130105", "新华区", 785_000, True, 38.07, 114.45, 0.05),
    ("130107", "井陉矿区", 93_000, False, 38.07, 114.06, 0.04),
    ("130108", "裕华区", 980_000, True, 38.00, 114.53, 0.05),
    ("130109", "藁城区", 801_000, False, 38.02, 114.85, 0.15),
    ("130110", "鹿泉区", 480_000, False, 38.08, 114.31, 0.12),
    ("130111", "栾城区", 371_000, False, 37.89, 114.65, 0.10),
    ("130121", "井陉县", 283_000, False, 37.98, 114.12, 0.15),
    ("130123", "正定县", 620_000, False, 38.15, 114.57, 0.10),
    ("130125", "行唐县", 418_000, False, 38.44, 114.55, 0.15),
    ("130126", "灵寿县", 300_000, False, 38.33, 114.35, 0.18),
    ("130127", "高邑县", 174_000, False, 37.61, 114.61, 0.07),
    ("130128", "深泽县", 246_000, False, 38.18, 115.20, 0.08),
    ("130129", "赞皇县", 242_000, False, 37.67, 114.35, 0.15),
    ("130130", "无极县", 469_000, False, 38.18, 114.98, 0.10),
    ("130131", "平山县", 417_000, False, 38.35, 113.95, 0.28),
    ("130132", "元氏县", 419_000, False, 37.77, 114.50, 0.12),
    ("130133", "赵县", 567_000, False, 37.76, 114.78, 0.12),
    ("130181", "辛集市", 598_000, False, 37.94, 115.22, 0.15),
    ("130183", "晋州市", 509_000, False, 38.03, 115.04, 0.10),
    ("130184", "新乐市", 487_000, False, 38.34, 114.69, 0.10),
]
CITY_POPULATION = sum(c[2] for c in COUNTIES)

# Townships in code order. GB/T 2260 numbers streets (街道) from 001, towns (镇) from 100 and
# townships (乡) from 200; the first town of a rural county is its seat.
TOWNSHIPS = {
    "130102": "建北街道 青园街道 广安街道 育才街道 跃进街道 河东街道 长丰街道 谈固街道 "
    "中山东路街道 阜康街道 滨河街道 高营镇",
    "130104": "东里街道 中山路街道 南长街道 维明街道 裕东街道 红旗街道 西里街道 振头街道 "
    "留营街道 长兴街道 彭后街道 东华街道 苑东街道 汇通街道 友谊街道",
    "130105": "革新街道 新华路街道 宁安街道 东焦街道 西苑街道 合作路街道 联盟街道 石岗街道 "
    "天苑街道 北苑街道 赵陵铺路街道 杜北街道",
    "130107": "矿市街道 四微街道 贾庄镇 凤山镇 横涧乡",
    "130108": "裕兴街道 裕强街道 东苑街道 建通街道 槐底街道 裕华路街道 裕翔街道 建华南街道 方村镇",
    "130109": "廉州镇 兴安镇 贾市庄镇 南营镇 增村镇 常安镇 岗上镇 丘头镇 南董镇 张家庄镇 "
    "南孟镇 梅花镇 西关镇 九门回族乡",
    "130110": "获鹿镇 铜冶镇 寺家庄镇 上庄镇 李村镇 宜安镇 黄壁庄镇 大河镇 山尹村镇 石井乡 "
    "白鹿泉乡 上寨乡",
    "130111": "栾城镇 冶河镇 窦妪镇 楼底镇 南高乡 柳林屯乡 西营乡",
    "130121": "微水镇 上安镇 天长镇 秀林镇 南峪镇 威州镇 小作镇 南障城镇 苍岩山镇 测鱼镇 "
    "吴家窑乡 北正乡 于家乡 孙庄乡 南陉乡 辛庄乡 南王庄乡",
    "130123": "正定镇 诸福屯镇 新城铺镇 新安镇 南牛乡 南楼乡 西平乐乡 北早现乡 曲阳桥乡",
    "130125": "龙州镇 南桥镇 上碑镇 口头镇 只里乡 市同乡 翟营乡 城寨乡 上方乡 玉亭乡 北河乡 "
    "上闫庄乡 九口子乡 独羊岗乡 安香乡",
    "130126": "灵寿镇 青同镇 塔上镇 陈庄镇 慈峪镇 岔头镇 三圣院乡 北洼乡 牛城乡 狗台乡 "
    "南寨乡 南燕川乡 寨头乡 北谭庄乡 南营乡",
    "130127": "高邑镇 大营镇 富村镇 万城镇 中韩乡",
    "130128": "深泽镇 铁杆镇 赵八镇 白庄乡 留村乡 大直要乡 桥头乡",
    "130129": "赞皇镇 院头镇 南邢郭镇 嶂石岩镇 西龙门乡 南清河乡 西阳泽乡 土门乡 黄北坪乡 "
    "许亭乡 张楞乡",
    "130130": "无极镇 七汲镇 张段固镇 北苏镇 郭庄镇 大陈镇 高头回族乡 郝庄乡 东侯坊乡 "
    "里城道乡 南流乡",
    "130131": "平山镇 东回舍镇 温塘镇 南甸镇 岗南镇 古月镇 下槐镇 孟家庄镇 小觉镇 蛟潭庄镇 "
    "西柏坡镇 下口镇 西大吾乡 上三汲乡 两河乡 东王坡乡 苏家庄乡 宅北乡 北冶乡 "
    "上观音堂乡 杨家桥乡 营里乡 合河口乡",
    "130132": "槐阳镇 因村镇 马村镇 韩台镇 殷村镇 姬村镇 宋曹镇 南因镇 东张乡 赵同乡 苏村乡 "
    "苏阳乡 黑水河乡 前仙乡 北褚乡",
    "130133": "赵州镇 范庄镇 北王里镇 新寨店镇 韩村镇 南柏舍镇 沙河店镇 前大章乡 谢庄乡 "
    "高村乡 王西章乡",
    "130181": "辛集镇 旧城镇 张古庄镇 位伯镇 新垒头镇 新城镇 南智邱镇 王口镇 天宫营乡 前营乡 "
    "马庄乡 和睦井乡 田家庄乡 中里厢乡 小辛庄乡",
    "130183": "晋州镇 总十庄镇 营里镇 桃园镇 东卓宿镇 马于镇 小樵镇 槐树镇 东里庄镇 周家庄乡",
    "130184": "长寿街道 化皮镇 承安镇 正莫镇 杜固镇 邯邰镇 东王镇 马头铺镇 协神乡 木村乡 "
    "彭家庄回族乡",
}

# Villages that must exist under a fixed code: the epicentre of January 2021.
FIXED_VILLAGES = {"130109104201": "小果庄村"}

PEOPLE_PER_VILLAGE = 1_300  # rural Hebei: about 4,500 villages for 6 million villagers
PEOPLE_PER_COMMUNITY = 9_000
SEAT_WEIGHT = 2.5  # a county seat holds more people than an ordinary town


@dataclass
class Place:
    """A planned region: its code, name and where it lies, and its share of the county's
    (or the township's) people."""

    code: str
    name: str
    level: int
    parent: "Place | None"
    is_urban: bool
    latitude: float
    longitude: float
    weight: float = 1.0
    radius: float = 0.0  # degrees around (latitude, longitude) where its venues lie
    road: str = ""
    children: list["Place"] = field(default_factory=list)

    @property
    def county_code(self) -> str:
        return self.code[:6]


def plan_city(seed) -> Place:
    """The whole tree, deterministic for the seed."""
    rng = random.Random(f"{seed}:regions")
    city = Place(CITY_CODE, CITY_NAME, 1, None, True, CITY_LATITUDE, CITY_LONGITUDE)
    for code, name, population, urban, lat, lon, radius in COUNTIES:
        county = Place(code, name, 2, city, urban, lat, lon, weight=population, radius=radius)
        city.children.append(county)
        _plan_townships(rng, county, TOWNSHIPS[code].split(), radius)
    return city


def _plan_townships(rng, county: Place, township_names: list[str], radius: float) -> None:
    numbers = {"street": 1, "town": 100, "township": 200}
    weights = [_township_weight(rng, county, i, n) for i, n in enumerate(township_names)]
    total = sum(weights)
    for name, weight in zip(township_names, weights, strict=True):
        kind = _township_kind(name)
        code = f"{county.code}{numbers[kind]:03d}"
        numbers[kind] += 1
        lat, lon = _scatter(rng, county.latitude, county.longitude, radius * 0.8)
        township = Place(
            code,
            name,
            3,
            county,
            kind == "street",
            lat,
            lon,
            weight=weight / total,
            radius=radius / 4,
        )
        county.children.append(township)
        _plan_villages(rng, township, county.weight * township.weight, radius / 4)


def _township_kind(name: str) -> str:
    if name.endswith("街道"):
        return "street"
    return "town" if name.endswith("镇") else "township"


def _township_weight(rng, county: Place, index: int, name: str) -> float:
    seat = index == 0 and not county.is_urban and not name.endswith("街道")
    return (SEAT_WEIGHT if seat else 1.0) * rng.uniform(0.7, 1.3)


def _plan_villages(rng, township: Place, population: float, radius: float) -> None:
    """Streets hold communities only; a county seat holds communities and villages;
    other towns hold villages."""
    is_seat = township.parent.children[0] is township and not township.parent.is_urban
    urban_share = 1.0 if township.is_urban else (0.4 if is_seat else 0.0)
    communities = _count(population * urban_share, PEOPLE_PER_COMMUNITY, 3, 30)
    villages = _count(population * (1 - urban_share), PEOPLE_PER_VILLAGE, 6, 45)
    used: set[str] = set()
    for number in range(1, communities + 1):
        name = names.unique(used, lambda: names.community_name(rng))
        _add_village(
            rng,
            township,
            f"{township.code}{number:03d}",
            name,
            True,
            urban_share / communities,
            radius,
        )
    for number in range(201, 201 + villages):
        code = f"{township.code}{number:03d}"
        name = FIXED_VILLAGES.get(code) or names.unique(used, lambda: names.village_name(rng))
        used.add(name)  # a fixed name must not come again from the generator
        _add_village(rng, township, code, name, False, (1 - urban_share) / villages, radius)


def _count(population: float, per_place: int, low: int, high: int) -> int:
    if population <= 0:
        return 0
    return max(low, min(high, round(population / per_place)))


def _add_village(
    rng, township: Place, code: str, name: str, urban: bool, share: float, radius: float
) -> None:
    lat, lon = _scatter(rng, township.latitude, township.longitude, radius)
    village = Place(
        code,
        name,
        4,
        township,
        urban,
        lat,
        lon,
        weight=share * rng.lognormvariate(0, 0.35),
        radius=radius / 4,
    )
    village.road = names.road_name(rng) if urban else ""
    township.children.append(village)


def _scatter(rng, lat: float, lon: float, radius: float) -> tuple[float, float]:
    return (
        round(lat + rng.uniform(-radius, radius), 6),
        round(lon + rng.uniform(-radius, radius) * 1.25, 6),
    )


def walk(place: Place):
    """Every place of the tree, parents before children."""
    yield place
    for child in place.children:
        yield from walk(child)


def villages_of(place: Place) -> list[Place]:
    return [p for p in walk(place) if p.level == 4]


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split a whole number by weights so the parts add up exactly (largest remainder)."""
    weight_sum = sum(weights) or 1.0
    exact = [total * w / weight_sum for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts
