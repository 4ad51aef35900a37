"""Vaccination of key groups (issue 18, item 4): who is vaccinated first, who may be, what
the site asks before a dose, and each product's series. One frozen dataclass that a
protocol edition carries as `policy.active().vaccination`.

The numbers are those of December 2020 and the technical guide of March 2021: the nine key
groups, ages 18 to 59, the inactivated vaccines' second dose 3 to 8 weeks after the first,
and a series finished with the product that began it unless the policy says otherwise."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Product:
    """A vaccine product and its series: `doses` in all, each next dose no sooner than
    `min_interval_days` and due by `max_interval_days` after the one before (past that it is
    overdue, and still given). `may_continue` names the other products allowed to continue a
    series this one began."""

    code: str
    name: str
    doses: int
    min_interval_days: int = 0
    max_interval_days: int = 0
    may_continue: tuple[str, ...] = ()


# The nine key groups of December 2020, in the order of the plan.
KEY_GROUPS: tuple[tuple[str, str], ...] = (
    ("coldchain_port", _("Cold-chain and port staff")),
    ("transport", _("Domestic and international transport staff")),
    ("going_abroad", _("People going abroad for work or study")),
    ("medical", _("Medical and disease-control staff")),
    ("government", _("Government and party office staff")),
    ("police_fire_community", _("Police, fire-fighters and community workers")),
    ("utilities_supply", _("Water, power, heating and supply staff")),
    ("logistics", _("Logistics and delivery staff")),
    ("care_sanitation_funeral", _("Care, sanitation and funeral staff")),
)

# Asked at the site before every dose; any "yes" defers the dose (the technical guide).
CONTRAINDICATIONS: tuple[tuple[str, str], ...] = (
    ("allergy", _("Allergy to a vaccine or its ingredients, or a severe allergic reaction")),
    ("fever", _("Fever or an acute illness today")),
    ("pregnant", _("Pregnant or breast-feeding")),
    ("uncontrolled_disease", _("Uncontrolled chronic disease (epilepsy, hypertension ...)")),
    ("immune", _("Immune deficiency or on immunosuppressive treatment")),
    ("reaction_before", _("A severe reaction to an earlier dose of this vaccine")),
)

PRODUCTS: tuple[Product, ...] = (
    Product("bbibp", "BBIBP-CorV (Sinopharm Beijing)", 2, 21, 56, ("wibp",)),
    Product("wibp", "WIBP-CorV (Sinopharm Wuhan)", 2, 21, 56, ("bbibp",)),
    Product("coronavac", "CoronaVac (Sinovac)", 2, 21, 56),
    Product("ad5", "Ad5-nCoV (CanSino)", 1),
    Product("zf2001", "ZF2001 (Zhifei)", 3, 28, 56),
)


@dataclass(frozen=True)
class VaccinationRules:
    groups: tuple[tuple[str, str], ...] = KEY_GROUPS
    min_age: int = 18
    max_age: int = 59
    contraindications: tuple[tuple[str, str], ...] = CONTRAINDICATIONS
    products: tuple[Product, ...] = PRODUCTS
    # A day's slots at a site: how long each lasts, and the hours they cover.
    slot_minutes: int = 60
    first_slot_hour: int = 8
    last_slot_hour: int = 17  # the last slot starts before this hour
    # A resident books at most this many days ahead.
    booking_days_ahead: int = 14
    group_codes: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self):
        object.__setattr__(self, "group_codes", frozenset(code for code, _label in self.groups))

    def product(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)

    def group_label(self, code: str) -> str:
        return str(dict(self.groups).get(code, code))

    def may_continue(self, begun_with: str, product: str) -> bool:
        """Whether `product` may give the next dose of a series begun with `begun_with`."""
        if begun_with == product:
            return True
        first = self.product(begun_with)
        return first is not None and product in first.may_continue
