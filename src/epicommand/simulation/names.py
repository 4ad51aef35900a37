"""Chinese names for people and places, drawn with realistic frequencies.

Surname weights follow Hebei rather than the national list: 张王李刘赵 lead, southern
names such as 陈黄林 are rarer than nationally."""

from bisect import bisect
from itertools import accumulate

# Surname and its share in per mille, roughly Hebei.
_SURNAMES = (
    "王 85 李 80 张 82 刘 62 赵 30 杨 28 陈 18 高 16 郭 14 马 13 孙 13 韩 11 董 10 周 10 "
    "徐 10 吴 9 朱 9 胡 8 田 8 贾 7 宋 7 郑 6 黄 7 何 5 崔 5 郝 5 冯 5 于 5 梁 5 许 5 "
    "曹 5 程 4 袁 4 邓 3 吕 4 苏 4 魏 5 薛 4 阎 4 闫 4 杜 4 石 5 任 4 姚 3 孟 4 侯 4 "
    "史 4 白 4 谢 3 唐 3 范 4 方 3 常 4 武 4 乔 3 牛 4 耿 3 康 3 齐 3 安 3 秦 3 霍 2 "
    "甄 2 靳 2 申 2 焦 2 庞 2 葛 2 殷 2 翟 2 路 2 尹 2 邢 3 卢 3 蔡 2 丁 3 姜 3 潘 2 "
    "彭 2 贺 2 段 2 雷 1 钱 1 汤 1 江 1 毛 2 温 2 樊 2 檀 1 谷 2 司 1 牟 1 边 1 师 1 "
    "欧阳 1 司马 1 诸葛 1"
).split()
SURNAMES = _SURNAMES[0::2]
_SURNAME_CUM = list(accumulate(int(w) for w in _SURNAMES[1::2]))

# Characters of given names by sex and the era of birth: before 1970, 1970-1999, since 2000.
GIVEN = {
    ("M", 0): "建国 国强 德福 志刚 永 明 军 保国 振华 文 金 玉 树 春 林 海 福 贵 忠 华 "
    "新 庆 胜 利 兴 满 仓 宝 发 英 俊 廷",
    ("M", 1): "伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 鹏 华 飞 鑫 波 斌 宇 浩 凯 健 俊 帅 旭 "
    "宁 龙 东 峰 亮 博 晨 阳 振 宏 立 志 学 彬",
    ("M", 2): "子 轩 浩 宇 睿 泽 宸 铭 昊 然 航 博 文 一 诺 辰 逸 俊 嘉 奕 梓 豪 皓 天 佑 "
    "明 哲 铭 锦 程",
    ("F", 0): "秀英 桂兰 淑珍 玉兰 凤英 秀兰 桂英 淑兰 素 珍 兰 英 芬 荣 梅 凤 霞 琴 "
    "云 花 香 翠 娥 彩 银",
    ("F", 1): "芳 娜 敏 静 丽 艳 娟 霞 燕 萍 红 莉 琳 雪 婷 慧 颖 倩 琴 洁 蕾 晶 丹 露 "
    "佳 媛 玲 瑞 楠 薇",
    ("F", 2): "欣 怡 梓 涵 诗 雨 萱 可 馨 彤 璐 瑶 子 佳 悦 一 诺 思 语 若 汐 依 晨 梦 "
    "琪 妍 菲 雅 心 橙",
}
GIVEN = {key: chars.split() for key, chars in GIVEN.items()}

DIRECTIONS = "东 西 南 北 前 后 大 小 上 下 中 新".split()
VILLAGE_STEMS = (
    "果 河 台 集 王 李 张 刘 赵 杨 马 郭 高 孙 韩 董 周 吴 贾 田 宋 郑 范 常 杜 石 "
    "柳 槐 榆 杏 桑 枣 梨 花 安 宁 兴 丰 平 留 辛 良 固 望 岗 坡 泉 沟 井 塔 寺 庙"
).split()
VILLAGE_ENDINGS = "庄 营 屯 寨 堡 店 口 头 桥 佐 里 铺 城 庄 庄 营".split()
COMMUNITY_STEMS = (
    "建华 光明 和平 友谊 胜利 朝阳 东风 幸福 阳光 花园 翠苑 康乐 育才 青园 长丰 槐安 "
    "裕华 东岗 世纪 紫薇 金苑 银河 华苑 锦绣 泰华 天山 宏昌 安居 联盟 红星 民心 振兴 "
    "新苑 北国 柏林 谈固 体育 石门 滨河 棉一 棉三 棉四 棉五 铁路 电力 化工 华药 红旗 "
    "桥东 西里 东里 嘉华 盛世 怡园 馨园 翠屏 清水 海悦 尚品 御园 龙泉 源泉 润园"
).split()
ROADS = (
    "中山路 裕华路 槐安路 建设大街 中华大街 体育大街 和平路 红旗大街 友谊大街 建华大街 "
    "谈固大街 胜利大街 长安路 平安大街 民族路 自强路 北二环路 南二环路 石获路 汇通路 "
    "联盟路 新华路 维明大街 西三庄街 塔谈路 东岗路 翟营大街 青园街 育才街 跃进路 "
    "广安大街 光华路 仓安路 范西路 振头大街 石岗大街 柏林路 新石路 赵陵铺路 南三环路"
).split()
LANES = "东街 西街 南街 北街 前街 后街 中街 一街 二街 三街 四街 大街".split()
BRANDS = "北国 家乐福 永辉 沃尔玛 保龙仓 物美 华联 苏宁小店 美特好 宏达".split()
FOODS = "饺子馆 面馆 烧饼铺 驴肉火烧店 火锅店 快餐店 饭店 酒家 烤鸭店 包子铺".split()
TRADES = (
    "纺织 机械 食品 医药 化工 建材 塑料 电子 包装 服装 钢铁 农机 印刷 家具 物流 汽配 玻璃 铸造"
).split()
OFFICE_TRADES = "科技 信息技术 建设工程 商贸 投资 物业 文化传媒 咨询 网络 教育科技".split()

FOREIGNERS = {
    "KOR": ("KIM PARK LEE CHOI JUNG", "MINJUN SEOYEON JIHO HAYOON"),
    "JPN": ("SATO SUZUKI TAKAHASHI TANAKA", "HARUTO YUI SOTA AOI"),
    "USA": ("SMITH JOHNSON WILLIAMS BROWN", "JAMES MARY JOHN LINDA"),
    "RUS": ("IVANOV SMIRNOV KUZNETSOV POPOV", "ALEXANDER ELENA DMITRY OLGA"),
    "PAK": ("KHAN AHMED ALI HUSSAIN", "MUHAMMAD FATIMA AYESHA BILAL"),
    "DEU": ("MUELLER SCHMIDT SCHNEIDER FISCHER", "LUKAS ANNA JONAS LEA"),
}


def surname(rng) -> str:
    return SURNAMES[bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]


def given_name(rng, sex: str, birth_year: int) -> str:
    era = 0 if birth_year < 1970 else (1 if birth_year < 2000 else 2)
    chars = GIVEN[sex, era]
    first = chars[int(rng.random() * len(chars))]
    # Two-character given names dominate; older people more often have one character.
    if len(first) == 2 or rng.random() < (0.3 if era == 0 else 0.15):
        return first
    return first + chars[int(rng.random() * len(chars))][0]


def unique(used: set[str], make) -> str:
    """Draw names until one is new in `used`; suffix a number once draws keep colliding."""
    for _ in range(50):
        name = make()
        if name not in used:
            break
    else:
        base, n = make(), 2
        while (name := f"{base[:-1]}{n}{base[-1]}") in used:
            n += 1
    used.add(name)
    return name


def village_name(rng) -> str:
    shape = rng.random()
    stem = rng.choice(VILLAGE_STEMS)
    ending = rng.choice(VILLAGE_ENDINGS)
    if shape < 0.35:
        return f"{surname(rng)[0]}家{ending}村"
    if shape < 0.7:
        return f"{rng.choice(DIRECTIONS)}{stem}{ending}村"
    return f"{stem}{rng.choice(VILLAGE_STEMS)}{ending}村"


def community_name(rng) -> str:
    stem = rng.choice(COMMUNITY_STEMS)
    if rng.random() < 0.3:
        return f"{stem}{rng.choice('东西南北')}社区"
    return f"{stem}社区"


def road_name(rng) -> str:
    return rng.choice(ROADS)


def compound_name(rng) -> str:
    return f"{rng.choice(COMMUNITY_STEMS)}{rng.choice(['小区', '家园', '花园', '佳苑', '公寓'])}"


def foreigner(rng) -> tuple[str, str]:
    """A nationality and a passport-style romanized name."""
    nationality = rng.choice(sorted(FOREIGNERS))
    family, given = FOREIGNERS[nationality]
    return nationality, f"{rng.choice(family.split())} {rng.choice(given.split())}"
