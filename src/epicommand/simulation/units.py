"""The command bodies and departments of the demo city, as unit rows.

The city has the leading group, its office and every department of the joint prevention and
control mechanism; each county mirrors them (without a foreign affairs office) and answers to
its city counterpart; each township or street has its government office under the county's
command office."""

from epicommand.core.models import Unit

from .geography import Place

K = Unit.Kind
COLUMNS = ("id", "name", "kind", "region_id", "parent_id")

# Name of each department after the region's name; counties name a few differently.
CITY_DEPARTMENTS = [
    (K.LEADING_GROUP, "新冠肺炎疫情防控工作领导小组"),
    (K.COMMAND_OFFICE, "新冠肺炎疫情防控工作领导小组办公室"),
    (K.HEALTH_COMMISSION, "卫生健康委员会"),
    (K.CDC, "疾病预防控制中心"),
    (K.PUBLIC_SECURITY, "公安局"),
    (K.TRANSPORT, "交通运输局"),
    (K.MARKET_REGULATION, "市场监督管理局"),
    (K.COMMERCE, "商务局"),
    (K.FOREIGN_AFFAIRS, "人民政府外事办公室"),
    (K.EDUCATION, "教育局"),
    (K.CIVIL_AFFAIRS, "民政局"),
    (K.DISCIPLINE_INSPECTION, "纪律检查委员会"),
]
COUNTY_NAMES = {K.HEALTH_COMMISSION: "卫生健康局"}
# Who a unit reports to inside its own region; the others report to their city counterpart.
LOCAL_PARENT = {K.COMMAND_OFFICE: K.LEADING_GROUP, K.CDC: K.HEALTH_COMMISSION}


def unit_rows(city: Place, *, start_id: int):
    """Rows in an order where every parent comes before its children."""
    next_id = start_id
    city_ids: dict[str, int] = {}
    for kind, name in CITY_DEPARTMENTS:
        parent = city_ids.get(LOCAL_PARENT.get(kind))
        yield (next_id, _party(kind, f"{city.name}{name}"), kind, city.code, parent)
        city_ids[kind] = next_id
        next_id += 1
    for county in city.children:
        county_ids: dict[str, int] = {}
        for kind, name in CITY_DEPARTMENTS:
            if kind == K.FOREIGN_AFFAIRS:
                continue
            parent = county_ids.get(LOCAL_PARENT.get(kind), city_ids[kind])
            yield (next_id, _county_unit_name(city, county, kind, name), kind, county.code, parent)
            county_ids[kind] = next_id
            next_id += 1
        for township in county.children:
            office = "办事处" if township.name.endswith("街道") else "人民政府"
            yield (
                next_id,
                f"{township.name}{office}",
                K.TOWNSHIP_GOVERNMENT,
                township.code,
                county_ids[K.COMMAND_OFFICE],
            )
            next_id += 1


def _county_unit_name(city: Place, county: Place, kind: str, name: str) -> str:
    # A district's police are a branch of the city bureau; a county has its own bureau.
    if kind == K.PUBLIC_SECURITY and county.name.endswith("区"):
        short = county.name[:-1] if len(county.name) == 3 else county.name  # 井陉矿区分局
        return f"{city.name}公安局{short}分局"
    return _party(kind, f"{county.name}{COUNTY_NAMES.get(kind, name)}")


def _party(kind: str, name: str) -> str:
    """Discipline inspection commissions are Party bodies: 中共石家庄市纪律检查委员会."""
    return f"中共{name}" if kind == K.DISCIPLINE_INSPECTION else name
