"""What every page's layout needs: the navigation the user's role allows and who they are."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import Capability
from epicommand.core.notifications import unread_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: Capability | None = None
    section: str = ""  # the first path segment that marks the item as current
    # Dotted path of a function(user) -> int shown beside the label when not 0 (say, the
    # referrals awaiting acknowledgement): one cheap indexed query, run on every page.
    badge: str = ""


NAV_ITEMS = (
    NavItem(_("Home"), "web:home", None, ""),
    NavItem(_("Persons"), "people:person_list", Capability.VIEW_PERSONS, "persons"),
    NavItem(_("Import"), "people:person_import", Capability.IMPORT_PERSONS, "persons/import"),
    NavItem(_("Places"), "places:venue_list", Capability.VIEW_PLACES, "places"),
    NavItem(_("Dashboard"), "command:dashboard", Capability.VIEW_DASHBOARD, "dashboard"),
    NavItem(_("Tasks"), "command:task_list", Capability.VIEW_TASKS, "tasks"),
    NavItem(_("Responsibility chain"), "command:chain", Capability.VIEW_TASKS, "chain"),
    NavItem(_("Emergency reports"), "command:report_list", Capability.FILE_REPORTS, "reports"),
    NavItem(_("Supervision"), "command:supervision_overdue", Capability.SUPERVISE, "supervision"),
    NavItem(_("Health codes"), "control:code_list", Capability.VIEW_HEALTH_CODES, "health-codes"),
    NavItem(
        _("Checkpoints"), "control:checkpoint_list", Capability.VIEW_CHECKPOINTS, "checkpoints"
    ),
    NavItem(_("Scans"), "control:scan_list", Capability.VIEW_SCANS, "scans"),
    NavItem(_("Risk areas"), "control:risk_area_list", Capability.VIEW_REGIONS, "risk"),
    NavItem(
        _("Priority testing"),
        "control:priority_test_list",
        Capability.VIEW_PRIORITY_TESTS,
        "priority-tests",
    ),
    NavItem(
        _("Quarantine sites"), "quarantine:site_list", Capability.VIEW_QUARANTINE, "quarantine"
    ),
    NavItem(
        _("Occupancy"), "quarantine:occupancy", Capability.VIEW_QUARANTINE, "quarantine/occupancy"
    ),
    NavItem(
        _("Monitoring"),
        "quarantine:monitoring_sites",
        Capability.WORK_QUARANTINE,
        "quarantine/monitoring",
    ),
    NavItem(
        _("Quarantine alerts"),
        "quarantine:alert_list",
        Capability.VIEW_QUARANTINE,
        "quarantine/alerts",
    ),
    NavItem(
        _("Violations"),
        "quarantine:violation_list",
        Capability.VIEW_VIOLATIONS,
        "quarantine/violations",
    ),
    NavItem(
        _("Households at home"),
        "quarantine:household_list",
        Capability.HOME_CONTROL,
        "quarantine/households",
    ),
    NavItem(_("Port desk"), "inbound:port_desk", Capability.WORK_PORT, "inbound/desk"),
    NavItem(
        _("Handed over to us"),
        "inbound:handovers",
        Capability.RECEIVE_TRAVELLERS,
        "inbound/handovers",
    ),
    NavItem(_("Arrivals"), "inbound:arrivals", Capability.VIEW_INBOUND, "inbound/arrivals"),
    NavItem(_("Closed loop"), "inbound:loop_board", Capability.VIEW_INBOUND, "inbound/loop"),
    NavItem(_("Flights"), "inbound:flights", Capability.VIEW_INBOUND, "inbound/flights"),
    NavItem(
        _("Cases"),
        "tracing:case_list",
        Capability.VIEW_CASES,
        "cases",
        badge="epicommand.tracing.queries.cases.awaiting_epidemiologist_count",
    ),
    NavItem(_("Contacts"), "tracing:contact_list", Capability.VIEW_CASES, "contacts"),
    NavItem(_("Exposures"), "tracing:exposure_list", Capability.VIEW_CASES, "exposures"),
    NavItem(
        _("Referrals"),
        "tracing:referral_inbox",
        Capability.VIEW_CASES,
        "referrals",
        badge="epicommand.tracing.queries.referrals.open_incoming_count",
    ),
    NavItem(_("Clusters"), "tracing:cluster_list", Capability.VIEW_CASES, "clusters"),
    NavItem(_("Testing rounds"), "testing:round_list", Capability.VIEW_TESTING, "testing/rounds"),
    NavItem(_("Sampling sites"), "testing:site_list", Capability.VIEW_TESTING, "testing/sites"),
    NavItem(_("Sampling table"), "testing:table", Capability.SAMPLE, "testing/table"),
    NavItem(_("Seal a box"), "testing:box_seal", Capability.SAMPLE, "testing/boxes"),
    NavItem(_("Labs"), "testing:lab_list", Capability.VIEW_TESTING, "testing/labs"),
    NavItem(_("Recalls"), "testing:recall_list", Capability.VIEW_TESTING, "testing/recalls"),
    NavItem(_("Fever clinics"), "testing:clinic_list", Capability.FEVER_CLINIC, "testing/clinics"),
    NavItem(_("Cold chain"), "coldchain:batch_list", Capability.VIEW_COLDCHAIN, "cold-chain"),
    NavItem(
        _("Bulletins"), "information:bulletin_list", Capability.VIEW_INFORMATION, "information"
    ),
    NavItem(
        _("Sign-off"), "information:sign_queue", Capability.SIGN_BULLETINS, "information/sign-off"
    ),
    NavItem(
        _("Rumours"), "information:rumour_list", Capability.VIEW_INFORMATION, "information/rumours"
    ),
    NavItem(
        _("Prevention knowledge"),
        "information:knowledge",
        Capability.VIEW_INFORMATION,
        "information/knowledge",
    ),
    NavItem(_("Supplies and prices"), "supplies:board", Capability.VIEW_SUPPLIES, "supplies"),
    NavItem(_("Price report"), "supplies:report", Capability.REPORT_SUPPLIES, "supplies/report"),
    NavItem(_("Materials"), "supplies:warehouses", Capability.VIEW_MATERIALS, "materials"),
    NavItem(
        _("Material requests"), "supplies:requests", Capability.VIEW_MATERIALS, "materials/requests"
    ),
    NavItem(
        _("Gatherings"), "gatherings:application_list", Capability.VIEW_GATHERINGS, "gatherings"
    ),
    NavItem(
        _("Approval queue"), "gatherings:queue", Capability.APPROVE_GATHERINGS, "gatherings/queue"
    ),
    NavItem(
        _("Tourist sites"), "gatherings:board", Capability.MANAGE_TOURIST_SITES, "tourist-sites"
    ),
    NavItem(_("Site entry"), "gatherings:gates", Capability.WORK_SITE_ENTRY, "tourist-sites/gates"),
    NavItem(
        _("Prevention units"), "prevention:unit_list", Capability.VIEW_PREVENTION, "prevention"
    ),
    NavItem(_("Vaccination"), "vaccination:coverage", Capability.VIEW_VACCINATION, "vaccination"),
    NavItem(
        _("Overdue doses"),
        "vaccination:overdue",
        Capability.VIEW_VACCINATION,
        "vaccination/overdue",
    ),
    NavItem(
        _("Vaccination sites"),
        "vaccination:site_list",
        Capability.VIEW_VACCINATION,
        "vaccination/sites",
    ),
    NavItem(_("Staff roster"), "vaccination:roster", Capability.KEEP_ROSTER, "vaccination/roster"),
    NavItem(_("Protocol editions"), "web:edition_list", Capability.VIEW_POLICY, "policy/editions"),
    NavItem(_("Audit log"), "web:audit_log", Capability.VIEW_AUDIT, "audit"),
    NavItem(_("API tokens"), "web:token_list", Capability.MANAGE_TOKENS, "tokens"),
    NavItem(
        _("Two-factor reset"),
        "web:twofactor_reset",
        Capability.RESET_TWO_FACTOR,
        "security/two-factor",
    ),
    NavItem(
        _("Token approvals"),
        "web:token_approval_list",
        Capability.APPROVE_TOKENS,
        "tokens/approvals",
        badge="epicommand.core.queries.tokens_awaiting_count",
    ),
)
API_DOCS_URL = "/api/v1/docs"


def nav_items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "section": item.section,
            "badge": import_string(item.badge)(user) if item.badge else 0,
        }
        for item in NAV_ITEMS
        if item.capability is None or user.can(item.capability)
    ]


def _current_section(items: list[dict], path: str) -> str:
    """The longest matching section wins, so /persons/import/ marks Import, not Persons."""
    here = path.strip("/")
    best = ""
    for item in items:
        section = item["section"]
        matches = section and (here == section or here.startswith(section + "/"))
        if matches and len(section) > len(best):
            best = section
    return best


def display_name(user) -> str:
    """Chinese names read family name first, without a space (王晓明); others as Django
    joins them; the user name when no name is set."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last and any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return user.get_full_name() or user.get_username()


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "api_docs_url": API_DOCS_URL}
    items = nav_items_for(user)
    current = _current_section(items, request.path)
    for item in items:
        item["current"] = item["section"] == current if current else request.path == item["url"]
    return {
        "nav_items": items,
        "api_docs_url": API_DOCS_URL,
        "user_display_name": display_name(user),
        "user_role_label": user.get_role_display() if user.role else "",
        "user_scope_region": user.scope_region,
        # Capability names as plain strings, for `{% if "person.edit" in user_caps %}`.
        "user_caps": frozenset(str(c) for c in user.capabilities) if user.is_active else (),
        # The unit's unread notifications (new tasks, overdue items, emergency reports).
        "unread_notifications": unread_for(user).count() if user.unit_id else None,
    }
