"""The layout shows each role the menu items its capabilities allow, and who is logged in."""

import pytest

from epicommand.core.models import Role
from tests.conftest import login

HOME, PERSONS, IMPORT, PLACES, DASHBOARD, TASKS, CHAIN, REPORTS, SUPERVISION = (
    "/",
    "/persons/",
    "/persons/import/",
    "/places/",
    "/dashboard/",
    "/tasks/",
    "/chain/",
    "/reports/",
    "/supervision/",
)
CODES, CHECKPOINTS, SCANS, RISK, PRIORITY = (
    "/health-codes/",
    "/checkpoints/",
    "/scans/",
    "/risk/",
    "/priority-tests/",
)
SITES, OCCUPANCY, MONITORING, ALERTS, VIOLATIONS, HOUSEHOLDS = (
    "/quarantine/sites/",
    "/quarantine/occupancy/",
    "/quarantine/monitoring/",
    "/quarantine/alerts/",
    "/quarantine/violations/",
    "/quarantine/households/",
)
TRACING = ["/cases/", "/contacts/", "/exposures/", "/referrals/", "/clusters/"]
DESK, HANDOVERS, ARRIVALS, LOOP, FLIGHTS = (
    "/inbound/desk/",
    "/inbound/handovers/",
    "/inbound/arrivals/",
    "/inbound/loop/",
    "/inbound/flights/",
)
INBOUND = [DESK, HANDOVERS, ARRIVALS, LOOP, FLIGHTS]
ROUNDS, SAMPLING_SITES, TABLE, BOXES, LABS, RECALLS, CLINICS = (
    "/testing/rounds/",
    "/testing/sites/",
    "/testing/table/",
    "/testing/boxes/",
    "/testing/labs/",
    "/testing/recalls/",
    "/testing/clinics/",
)
TESTING = [ROUNDS, SAMPLING_SITES, TABLE, BOXES, LABS, RECALLS, CLINICS]
TESTING_VIEW = [ROUNDS, SAMPLING_SITES, LABS, RECALLS]
AUDIT, TOKENS, APPROVALS = "/audit/", "/tokens/", "/tokens/approvals/"
EDITIONS = "/policy/editions/"
TWO_FACTOR_RESET = "/security/two-factor/reset/"
COLD_CHAIN = "/cold-chain/"
SIGN_OFF = "/information/sign-off/"
INFO_READ = ["/information/", "/information/rumours/", "/information/knowledge/"]
INFORMATION = [INFO_READ[0], SIGN_OFF, *INFO_READ[1:]]
SUPPLIES, PRICE_REPORT, MATERIALS, MATERIAL_REQUESTS = (
    "/supplies/",
    "/supplies/report/",
    "/materials/",
    "/materials/requests/",
)
MATERIALS_VIEW = [MATERIALS, MATERIAL_REQUESTS]
GATHERINGS, QUEUE, BOARD, GATES = (
    "/gatherings/",
    "/gatherings/queue/",
    "/tourist-sites/",
    "/tourist-sites/gates/",
)
PREVENTION = "/prevention/units/"
VACCINATION = ["/vaccination/", "/vaccination/overdue/", "/vaccination/sites/"]
ROSTER = "/vaccination/roster/"
CONTROL = [CODES, CHECKPOINTS, SCANS, RISK, PRIORITY]
QUARANTINE = [SITES, OCCUPANCY, MONITORING, ALERTS, VIOLATIONS, HOUSEHOLDS]
COMMAND = [HOME, PERSONS, IMPORT, PLACES, DASHBOARD, TASKS, CHAIN, REPORTS]
EVERY_ITEM = {
    *COMMAND,
    SUPERVISION,
    *CONTROL,
    *QUARANTINE,
    *INBOUND,
    *TRACING,
    *TESTING,
    COLD_CHAIN,
    *INFORMATION,
    SUPPLIES,
    PRICE_REPORT,
    *MATERIALS_VIEW,
    GATHERINGS,
    QUEUE,
    BOARD,
    GATES,
    PREVENTION,
    *VACCINATION,
    ROSTER,
    EDITIONS,
    AUDIT,
    TOKENS,
    APPROVALS,
    TWO_FACTOR_RESET,
}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            Role.CITY_OFFICE,
            [*COMMAND, *CONTROL, *QUARANTINE, *INBOUND, *TRACING, *TESTING, COLD_CHAIN]
            + [*INFORMATION, SUPPLIES, *MATERIALS_VIEW, GATHERINGS, QUEUE, BOARD, GATES]
            + [PREVENTION, *VACCINATION, ROSTER, EDITIONS, TWO_FACTOR_RESET, APPROVALS],
        ),
        (
            Role.COUNTY_OFFICE,
            [*COMMAND, *CONTROL, *QUARANTINE, *INBOUND, *TRACING, *TESTING, COLD_CHAIN]
            + [*INFO_READ, SUPPLIES, *MATERIALS_VIEW, GATHERINGS, QUEUE, BOARD, GATES]
            + [PREVENTION, *VACCINATION, ROSTER, EDITIONS, APPROVALS],
        ),
        (
            Role.EPIDEMIOLOGIST,
            [HOME, PERSONS, PLACES, REPORTS, *CONTROL, SITES, OCCUPANCY, ALERTS]
            + [ARRIVALS, LOOP, FLIGHTS, *TRACING, *TESTING_VIEW, GATHERINGS, PREVENTION]
            + [*VACCINATION, EDITIONS],
        ),
        (
            Role.SUPERVISOR,
            [HOME, PERSONS, PLACES, DASHBOARD, TASKS, CHAIN, SUPERVISION]
            + [CODES, CHECKPOINTS, SCANS, RISK, SITES, OCCUPANCY, ALERTS, VIOLATIONS]
            + [
                ARRIVALS,
                LOOP,
                FLIGHTS,
                *TRACING,
                *TESTING_VIEW,
                COLD_CHAIN,
                *INFO_READ,
                SUPPLIES,
                *MATERIALS_VIEW,
                PREVENTION,
                *VACCINATION,
                EDITIONS,
                AUDIT,
            ],
        ),
        (
            Role.LEADER,
            [HOME, PERSONS, PLACES, DASHBOARD, TASKS, CHAIN, REPORTS]
            + [CHECKPOINTS, RISK, SITES, OCCUPANCY, ALERTS, ARRIVALS, LOOP, FLIGHTS]
            + [*TRACING, *TESTING_VIEW, COLD_CHAIN, *INFORMATION, SUPPLIES, *MATERIALS_VIEW]
            + [PREVENTION, *VACCINATION, EDITIONS],
        ),
        (Role.ADMINISTRATOR, [HOME, PLACES, RISK, AUDIT, TOKENS]),
        (Role.LAB_STAFF, [HOME, PLACES, REPORTS, RISK, *TESTING_VIEW, *MATERIALS_VIEW]),
        (
            Role.SAMPLING_STAFF,
            [HOME, PERSONS, PLACES, REPORTS, CODES, RISK, PRIORITY]
            + [ROUNDS, SAMPLING_SITES, TABLE, BOXES, LABS, RECALLS, *MATERIALS_VIEW],
        ),
        (
            Role.CLINICIAN,
            [HOME, PERSONS, PLACES, REPORTS, CODES, RISK, PRIORITY, CLINICS, *MATERIALS_VIEW],
        ),
        (
            Role.CHECKPOINT_OFFICER,
            [HOME, PERSONS, PLACES, REPORTS, CODES, CHECKPOINTS, RISK, GATES],
        ),
        (
            Role.QUARANTINE_STAFF,
            [HOME, PERSONS, PLACES, REPORTS, CODES, RISK, *QUARANTINE[:5]]
            + [HANDOVERS, ARRIVALS, LOOP, FLIGHTS, *MATERIALS_VIEW],
        ),
        (Role.MARKET_REGULATOR, [HOME, PLACES, REPORTS, RISK, COLD_CHAIN, SUPPLIES, PREVENTION]),
        (Role.SUPPLY_ENTERPRISE, [HOME, PRICE_REPORT]),
        (Role.COLDCHAIN_ENTERPRISE, [HOME, COLD_CHAIN]),
        (Role.PORT_STAFF, [HOME, PERSONS, PLACES, REPORTS, CODES, RISK, *INBOUND]),
        (Role.VACCINATOR, [HOME, PLACES, REPORTS, RISK, *VACCINATION]),
        ("", [HOME]),
    ],
)
def test_the_menu_holds_what_the_role_may_use(make_user, city, role, expected):
    user = make_user("someone", role, city.gaocheng)
    response = login(user).get("/")
    assert [item["url"] for item in response.context["nav_items"]] == expected
    html = response.content.decode()
    for url in EVERY_ITEM - set(expected):
        assert f'href="{url}"' not in html


def test_every_logged_in_user_gets_the_api_docs_link(make_user, city):
    user = make_user("lab", Role.LAB_STAFF, city.gaocheng)
    assert 'href="/api/v1/docs"' in login(user).get("/").content.decode()


def test_the_layout_names_the_user_their_role_and_jurisdiction(gaocheng_epi):
    gaocheng_epi.first_name = "晓明"
    gaocheng_epi.last_name = "王"
    gaocheng_epi.save()
    html = login(gaocheng_epi).get("/").content.decode()
    assert "王晓明" in html  # family name first, as Chinese names are written
    assert "流调人员" in html  # the epidemiologist role, in Chinese
    assert "藁城区" in html


def test_the_current_section_is_marked(city_office):
    response = login(city_office).get("/persons/import/")
    current = [item["url"] for item in response.context["nav_items"] if item["current"]]
    assert current == [IMPORT]


def test_logout_and_language_switch_are_forms_that_post(gaocheng_epi):
    html = login(gaocheng_epi).get("/").content.decode()
    assert 'method="post" action="/logout/"' in html
    assert 'method="post" action="/i18n/setlang/"' in html
