"""Demo accounts: one per role, city-wide for the city's bodies, and the county-level jobs in
Gaocheng (the epicentre) and in Chang'an (an urban district), so a demonstration can show
that one county's staff cannot see the other's persons."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from epicommand.core import audit
from epicommand.core.models import Region, Role, Unit, User

DEMO_PASSWORD = "epicommand-demo-2021"
U = Unit.Kind

# (username, role, scope region code, unit kind): the unit is the scope region's unit of
# that kind, or for township scopes, the township's government.
CITY_ACCOUNTS = [
    ("city_office", Role.CITY_OFFICE, "130100", U.COMMAND_OFFICE),
    # The two top leaders who sign emergency reports: party secretary and mayor.
    ("party_secretary", Role.LEADER, "130100", U.LEADING_GROUP),
    ("mayor", Role.LEADER, "130100", U.LEADING_GROUP),
    ("city_epi", Role.EPIDEMIOLOGIST, "130100", U.CDC),
    ("supervisor", Role.SUPERVISOR, "130100", U.DISCIPLINE_INSPECTION),
    ("admin", Role.ADMINISTRATOR, "130100", U.COMMAND_OFFICE),
    # Cold chain: the city's market regulator, and an importer's staff (seed-coldchain binds
    # the account to its enterprise; the city scope covers it wherever it is).
    ("city_market", Role.MARKET_REGULATOR, "130100", U.MARKET_REGULATION),
    ("coldchain_importer", Role.COLDCHAIN_ENTERPRISE, "130100", U.MARKET_REGULATION),
    # The airport's desk and the transfer teams work for the whole city.
    ("port_desk", Role.PORT_STAFF, "130100", U.TRANSPORT),
    # A designated supply enterprise's clerk, who reports its stock and prices.
    ("supply_clerk", Role.SUPPLY_ENTERPRISE, "130100", U.MARKET_REGULATION),
]
COUNTY_JOBS = [
    ("office", Role.COUNTY_OFFICE, U.COMMAND_OFFICE),
    ("epi", Role.EPIDEMIOLOGIST, U.CDC),
    ("sampling", Role.SAMPLING_STAFF, U.HEALTH_COMMISSION),
    ("lab", Role.LAB_STAFF, U.CDC),
    ("clinician", Role.CLINICIAN, U.HEALTH_COMMISSION),
    ("quarantine", Role.QUARANTINE_STAFF, U.HEALTH_COMMISSION),
    ("checkpoint", Role.CHECKPOINT_OFFICER, U.PUBLIC_SECURITY),
    ("market", Role.DEPARTMENT_OFFICER, U.MARKET_REGULATION),
    ("vaccinator", Role.VACCINATOR, U.HEALTH_COMMISSION),
]
# County prefix of the username, county code, and the township its community worker serves.
COUNTIES = [("gaocheng", "130109", "130109104"), ("changan", "130102", "130102001")]


class CityNotSeeded(Exception):
    """Demo accounts need the demo city's regions and units (run seed-city first)."""


@dataclass
class DemoAccount:
    username: str
    role: str
    scope: Region
    unit: Unit | None


def demo_account_plan() -> list[tuple[str, str, str, str]]:
    plan = list(CITY_ACCOUNTS)
    for prefix, county, township in COUNTIES:
        plan += [(f"{prefix}_{job}", role, county, kind) for job, role, kind in COUNTY_JOBS]
        plan.append((f"{prefix}_community", Role.COMMUNITY_WORKER, township, U.TOWNSHIP_GOVERNMENT))
    return plan


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the accounts, or bring them back to their demo role, scope, unit and password
    (so the printed password always works). Every run is audited."""
    plan = demo_account_plan()
    codes = {code for _, _, code, _ in plan}
    regions = Region.objects.in_bulk(codes)
    if missing := sorted(codes - set(regions)):
        raise CityNotSeeded(", ".join(missing))
    # One hash for all: each PBKDF2 hash costs a noticeable fraction of a second.
    password = make_password(DEMO_PASSWORD)
    accounts = []
    for username, role, code, kind in plan:
        scope = regions[code]
        unit = Unit.objects.filter(region=scope, kind=kind).first()
        user, created = User.objects.update_or_create(
            username=username,
            defaults=dict(
                role=role,
                scope_region=scope,
                unit=unit,
                password=password,
                is_active=True,
                failed_logins=0,
                locked_until=None,
                # The administrator may also open Django's admin site.
                is_staff=role == Role.ADMINISTRATOR,
                is_superuser=role == Role.ADMINISTRATOR,
            ),
        )
        audit.record(
            None,
            "user.demo_account",
            user,
            region_code=scope.code,
            reason="created" if created else "reset to the demo settings",
        )
        accounts.append(DemoAccount(username, role, scope, unit))
    return accounts
