"""The landing page: a short, role-specific start with links to what the role can do.
Only pages that exist are linked; each link is shown only if the role has its capability."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import Capability as C
from epicommand.core.models import Role

from .context import API_DOCS_URL


@dataclass(frozen=True)
class HomeLink:
    key: str
    title: str
    description: str
    url_name: str
    capability: C | None

    @property
    def url(self) -> str:
        return API_DOCS_URL if self.url_name == "api_docs" else reverse(self.url_name)


LINKS = {
    link.key: link
    for link in (
        HomeLink(
            "search",
            _("Search persons"),
            _("Find a person by ID number, phone or the start of the name."),
            "people:person_list",
            C.VIEW_PERSONS,
        ),
        HomeLink(
            "register",
            _("Register a person"),
            _("Add a resident or anyone else the response must know."),
            "people:person_new",
            C.EDIT_PERSONS,
        ),
        HomeLink(
            "import",
            _("Import persons"),
            _("Upload a CSV or Excel list; every row is checked before anything is saved."),
            "people:person_import",
            C.IMPORT_PERSONS,
        ),
        HomeLink(
            "export",
            _("Export persons (CSV)"),
            _("Everyone in your jurisdiction, unmasked. The export is logged."),
            "people:person_export",
            C.EXPORT_PERSONS,
        ),
        HomeLink(
            "places",
            _("Places"),
            _("Venues, their place codes and printable posters."),
            "places:venue_list",
            C.VIEW_PLACES,
        ),
        HomeLink(
            "new_venue",
            _("Register a venue"),
            _("A new venue gets its place code at once."),
            "places:venue_new",
            C.EDIT_PLACES,
        ),
        HomeLink(
            "cases",
            _("Cases"),
            _("Cases, their investigation deadlines, trajectories and contacts."),
            "tracing:case_list",
            C.VIEW_CASES,
        ),
        HomeLink(
            "new_case",
            _("Register a case"),
            _("From a positive test, a fever clinic, a checkpoint or a report."),
            "tracing:case_new",
            C.INVESTIGATE,
        ),
        HomeLink(
            "rounds",
            _("Testing rounds"),
            _("Each round's progress by region: sampled, tested, positives."),
            "testing:round_list",
            C.VIEW_TESTING,
        ),
        HomeLink(
            "table",
            _("Sampling table"),
            _("Scan the resident, scan the tube: the pool closes when it is full."),
            "testing:table",
            C.SAMPLE,
        ),
        HomeLink(
            "labs",
            _("Labs"),
            _("Receive boxes and upload results."),
            "testing:lab_list",
            C.RECORD_RESULTS,
        ),
        HomeLink(
            "clinics",
            _("Fever clinics"),
            _("Record a visit with its mandatory test, and triage the patient."),
            "testing:clinic_list",
            C.FEVER_CLINIC,
        ),
        HomeLink(
            "audit",
            _("Audit log"),
            _("Who viewed, exported or changed which record, and when."),
            "web:audit_log",
            C.VIEW_AUDIT,
        ),
        HomeLink(
            "tokens",
            _("API tokens"),
            _("Issue and revoke credentials for devices, labs and other systems."),
            "web:token_list",
            C.MANAGE_TOKENS,
        ),
        HomeLink(
            "api_docs",
            _("API documentation"),
            _("The integration API for devices, labs and other systems."),
            "api_docs",
            None,
        ),
    )
}

# Per role: which landing text and which links, in the order that role needs them.
ROLE_HOMES = {
    Role.CITY_OFFICE: (
        "office",
        ["cases", "rounds", "search", "import", "export", "register", "places", "new_venue"],
    ),
    Role.COUNTY_OFFICE: (
        "office",
        ["cases", "rounds", "search", "import", "export", "register", "places", "new_venue"],
    ),
    Role.EPIDEMIOLOGIST: (
        "epidemiologist",
        ["cases", "new_case", "search", "register", "export", "places"],
    ),
    Role.SAMPLING_STAFF: ("general", ["table", "rounds", "search", "places", "api_docs"]),
    Role.LAB_STAFF: ("general", ["labs", "places", "api_docs"]),
    Role.CLINICIAN: ("general", ["clinics", "search", "places", "api_docs"]),
    Role.SUPERVISOR: ("supervisor", ["audit", "search", "places"]),
    Role.ADMINISTRATOR: ("administrator", ["tokens", "audit", "places", "new_venue", "api_docs"]),
}
GENERAL_LINKS = ["search", "register", "places", "api_docs"]


def home_for(user) -> tuple[str, list[HomeLink]]:
    kind, keys = ROLE_HOMES.get(user.role, ("general", GENERAL_LINKS))
    links = [LINKS[k] for k in keys]
    return kind, [link for link in links if link.capability is None or user.can(link.capability)]
