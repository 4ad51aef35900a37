"""Households and persons of the demo city, generated as rows in batches, so
a city of millions never sits in memory.

Families are built the way Chinese households are: a head, a spouse, children, a parent of
the head or a married child with grandchildren, so members share a surname and a plausible
age gap. Every age is drawn from the 2020 census age pyramid (heads and children weighted by
who heads a household and who still lives with the parents), so the whole population comes
out close to it: 16% under 15 and 19% aged 60 or over, against 18% and 19% in the census."""

import random
from bisect import bisect
from datetime import date, datetime
from itertools import accumulate

from . import names
from .geography import COUNTIES, Place, apportion
from .identity import IdNumberIssuer, PhoneIssuer

# Ages are as of the municipal meeting that declared the "wartime state".
REFERENCE_DAY = date(2021, 1, 3)
# 2021-01-03 00:00 in Shanghai, as the naive UTC datetime core.bulk expects.
CREATED_AT = datetime(2021, 1, 2, 16, 0)

# 2020 census, share per mille of each 5-year age band from 0-4 to 95-99.
AGE_BANDS = (55, 63, 61, 52, 53, 66, 88, 70, 66, 83, 86, 70, 52, 51, 35, 22, 15, 8, 3, 1)
# Hebei 2020: households of 1 to 6 people, per mille; the mean is about 2.6.
HOUSEHOLD_SIZES = (254, 297, 209, 132, 68, 40)

# Members besides the head by the head's life stage and the household size:
# S spouse, C child, P parent of the head, D the child's spouse, G grandchild.
TEMPLATES = {
    "young": {2: ["S", "C"], 3: ["SC"], 4: ["SCC", "SCP"], 5: ["SCPP", "SCCP"], 6: ["SCCPP"]},
    "middle": {2: ["S"], 3: ["SC"], 4: ["SCC", "SCP", "SCD"], 5: ["SCDG"], 6: ["SCDGG"]},
    # "SG", "SGG": grandparents raising grandchildren while the parents work in the city.
    "old": {2: ["S", "C"], 3: ["SC", "SG"], 4: ["SCD", "SGG"], 5: ["SCDG"], 6: ["SCDGG"]},
}

# Where adults were registered at birth, besides their own county: other divisions of
# Hebei and of other provinces (GB/T 2260 county codes).
HEBEI_ELSEWHERE = (
    "130202 130203 130302 130402 130403 130502 130602 130606 130702 130802 "
    "130902 131002 131102 131121 130521 130632"
).split()
OTHER_PROVINCES = (
    "110105 120104 140105 150102 210102 220102 230102 320106 330106 340104 "
    "360102 370102 410105 420106 440106 510107 610113 620102 640104 150202"
).split()
# Share of adults born in their own county, elsewhere in the city, elsewhere in Hebei and in
# another province: the urban core draws migrants, villages hardly any.
ORIGIN_SHARES = {True: (0.70, 0.85, 0.95), False: (0.92, 0.96, 0.99)}

FOREIGNER_SHARE = 0.01  # of urban one-person households

COLUMNS = {
    "people_household": ("id", "code", "region_id", "address", "created_at"),
    "people_person": (
        "id",
        "name",
        "sex",
        "birth_date",
        "id_number",
        "passport_number",
        "nationality",
        "phone",
        "household_id",
        "address",
        "region_id",
        "workplace_id",
        "created_at",
        "updated_at",
    ),
}

_MAX_AGE = len(AGE_BANDS) * 5
_DAYS = (_MAX_AGE + 2) * 366
BATCH = 20_000  # persons written per bulk insert


def _age_table(min_age: int, factor=lambda age: 1) -> list[float]:
    weights = [
        AGE_BANDS[age // 5] * factor(age) if age >= min_age else 0 for age in range(_MAX_AGE)
    ]
    return list(accumulate(weights))


def _heads_household(age: int) -> float:
    """Young adults more often live with their parents or in dormitories."""
    return 0.5 if age < 25 else (0.7 if age < 30 else (1.2 if 40 <= age < 50 else 1.0))


def _still_at_home(age: int) -> float:
    """How likely a son or daughter of that age still lives with the parents."""
    return 1.0 if age < 18 else (0.6 if age < 23 else (0.3 if age < 30 else 0.15))


_AGES_ALL = _age_table(0)
_AGES_CHILD = _age_table(0, _still_at_home)
_AGES_ADULT = _age_table(18)
_AGES_HEAD = _age_table(22, _heads_household)
_SIZES = list(accumulate(HOUSEHOLD_SIZES))


class Population:
    """Draws households and persons for the planned city; ids continue from the given
    starts so rows can reference each other before they are written."""

    def __init__(self, seed, city: Place, workplaces, *, household_id: int, person_id: int):
        self.rng = random.Random(f"{seed}:people")
        self.city = city
        self.workplaces = workplaces
        self.next_household_id = household_id
        self.next_person_id = person_id
        self.household_serials: dict[str, int] = {}  # village code -> last serial
        self.phones = PhoneIssuer(self.rng)
        birth_regions = [c[0] for c in COUNTIES] + HEBEI_ELSEWHERE + OTHER_PROVINCES
        self.id_numbers = IdNumberIssuer(birth_regions, REFERENCE_DAY, _DAYS)
        self.reference_ordinal = REFERENCE_DAY.toordinal()

    def batches(self, people: int):
        """Yields (household rows, person rows) of about BATCH persons at a time. Each
        county gets its share of the people; each household lands in one of the county's
        villages by the village's weight, so only a county's last household is cut short."""
        counties = self.city.children
        for county, quota in zip(
            counties, apportion(people, [c.weight for c in counties]), strict=True
        ):
            villages = [v for t in county.children for v in t.children]
            weights = list(accumulate(v.parent.weight * v.weight for v in villages))
            households, persons = [], []
            while quota > 0:
                village = villages[bisect(weights, self.rng.random() * weights[-1])]
                quota -= self._add_household(village, quota, households, persons)
                if len(persons) >= BATCH:
                    yield households, persons
                    households, persons = [], []
            if persons:
                yield households, persons

    def _add_household(self, village: Place, room: int, households, persons) -> int:
        rng = self.rng
        size = min(room, bisect(_SIZES, rng.random() * _SIZES[-1]) + 1)
        household_id = self.next_household_id
        self.next_household_id += 1
        serial = self.household_serials[village.code] = (
            self.household_serials.get(village.code, 0) + 1
        )
        township, county = village.parent, village.parent.parent
        address = f"{county.name}{township.name}{village.name}{self._street_address(village)}"
        households.append(
            (household_id, f"{village.code}{serial:04d}", village.code, address, CREATED_AT)
        )
        foreign = size == 1 and village.is_urban and rng.random() < FOREIGNER_SHARE
        for age, sex, family in self._members(size):
            persons.append(
                self._person(village, county, household_id, address, age, sex, family, foreign)
            )
        return size

    def _street_address(self, village: Place) -> str:
        rng = self.rng
        if village.is_urban:
            return (
                f"{village.road}{rng.randint(1, 400)}号院{rng.randint(1, 30)}号楼"
                f"{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
            )
        return f"{rng.choice(names.LANES)}{rng.randint(1, 300)}号"

    def _members(self, size: int) -> list[tuple[int, str, str]]:
        """(age, sex, surname) of each member, the head first. Children take the father's
        surname; a spouse, a mother and a child's spouse keep their own."""
        rng = self.rng
        if size == 1:
            return [(self._age(_AGES_ADULT), _sex(rng, 0.5), names.surname(rng))]
        head_age = self._age(_AGES_HEAD)
        stage = "young" if head_age < 45 else ("middle" if head_age < 65 else "old")
        options = TEMPLATES[stage][size]
        head_sex = _sex(rng, 0.75)
        family = paternal = names.surname(rng)
        members = [(head_age, head_sex, family)]
        first_child = in_law = None
        for role in options[int(rng.random() * len(options))]:
            if role == "S":
                spouse = names.surname(rng)
                paternal = spouse if head_sex == "F" else family
                age = _clip(head_age + round(rng.gauss(-2 if head_sex == "M" else 2, 3)), 20)
                member = (age, _other(head_sex), spouse)
            elif role == "C":
                age = self._age_between(head_age - 40, head_age - 20, _AGES_CHILD)
                member = (age, _sex(rng, 0.52), paternal)
                first_child = first_child or member
            elif role == "P":  # the head's father first, then the mother
                sex = "F" if any(m[1] == "M" and m[0] > head_age + 15 for m in members) else "M"
                member = (
                    self._age_between(head_age + 20, head_age + 40),
                    sex,
                    family if sex == "M" else names.surname(rng),
                )
            elif role == "D":
                age, sex, _ = first_child
                member = (_clip(age + rng.randint(-3, 3), 20), _other(sex), names.surname(rng))
                in_law = member
            else:  # a grandchild
                age, sex, surname = first_child or (head_age - 28, "M", paternal)
                if sex == "F":
                    surname = in_law[2] if in_law else names.surname(rng)
                member = (self._age_between(age - 40, age - 20), _sex(rng, 0.52), surname)
            members.append(member)
        return members

    def _age(self, table: list[int]) -> int:
        return bisect(table, self.rng.random() * table[-1])

    def _age_between(self, low: int, high: int, table=_AGES_ALL) -> int:
        """An age in [low, high] (clipped to possible ages) drawn by the pyramid, so
        children, parents and grandchildren together keep the city's age structure."""
        low, high = max(0, low), max(0, min(_MAX_AGE - 1, high))
        start = table[low - 1] if low else 0
        return bisect(table, start + self.rng.random() * (table[high] - start))

    def _person(self, village, county, household_id, address, age, sex, family, foreign):
        rng = self.rng
        born = self.reference_ordinal - int((age + rng.random()) * 365.2425) - 1
        if foreign:
            birth_date = date.fromordinal(born)
            nationality, name = names.foreigner(rng)
            id_number, passport = None, f"{nationality[0]}{rng.randrange(10**7, 10**8)}"
        else:
            nationality, passport = "CHN", ""
            name = family + names.given_name(rng, sex, REFERENCE_DAY.year - age)
            origin = county.code if age < 18 else self._birth_region(county)
            birth_date, id_number = self.id_numbers.issue(origin, born, sex)
        person_id = self.next_person_id
        self.next_person_id += 1
        workplace = self.workplaces.pick(rng, village, age, sex)
        return (
            person_id,
            name,
            sex,
            birth_date,
            id_number,
            passport,
            nationality,
            self._phone(age),
            household_id,
            address,
            village.code,
            workplace,
            CREATED_AT,
            CREATED_AT,
        )

    def _birth_region(self, county: Place) -> str:
        draw = self.rng.random()
        own, city, hebei = ORIGIN_SHARES[county.is_urban]
        if draw < own:
            return county.code
        if draw < city:
            return self.rng.choice(self.city.children).code
        return self.rng.choice(HEBEI_ELSEWHERE if draw < hebei else OTHER_PROVINCES)

    def _phone(self, age: int) -> str:
        if age < 12 or (age >= 80 and self.rng.random() < 0.5):
            return ""
        return self.phones.issue()


def _sex(rng, male_share: float) -> str:
    return "M" if rng.random() < male_share else "F"


def _other(sex: str) -> str:
    return "F" if sex == "M" else "M"


def _clip(age: int, low: int) -> int:
    return max(low, min(_MAX_AGE - 1, age))
