from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from epicommand.core.models import Region, Role, Unit, User
from epicommand.simulation.accounts import DEMO_PASSWORD
from epicommand.simulation.vaccination_demo import (
    VaccinationAlreadySeeded,
    seed_vaccination,
    seeded,
)


class Command(BaseCommand):
    help = (
        "Set up the demo vaccination of key groups: 40 sites with a week of slots, rosters "
        "of the city's units over the nine key groups, and 200,000 doses over the last five "
        "months with a realistic overdue tail of second doses. Needs seed-city."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument("--doses", type=int, default=200_000, help="doses (200,000)")
        parser.add_argument("--sites", type=int, default=40, help="sites (default 40)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when seeded")

    def handle(self, *args, seed, doses, sites, if_empty, **options):
        if if_empty and seeded():
            self.stdout.write("The database already has vaccination sites; nothing to do.")
            return
        if not Unit.objects.exists():
            raise CommandError("Run `epicommand seed-city` first.")
        try:
            result = seed_vaccination(seed, doses=doses, sites=sites)
        except VaccinationAlreadySeeded:
            raise CommandError(
                "The database already has vaccination sites: use --if-empty."
            ) from None
        accounts = _demo_accounts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {result.seconds:.1f} s: {result.sites} sites, {result.rostered:,} "
                f"staff on rosters ({result.persons_created:,} new residents), "
                f"{result.doses:,} doses, {result.overdue:,} second doses overdue. "
                f"Accounts: {', '.join(accounts)} (demo password)."
            )
        )


def _demo_accounts() -> list[str]:
    """A vaccinator of Gaocheng (the county of the demo's other accounts) and the roster
    keeper of its public security bureau."""
    county = (
        Region.objects.filter(code="130109").first()
        or Region.objects.filter(level=Region.Level.COUNTY).first()
    )
    if county is None:
        return []
    made = []
    password = make_password(DEMO_PASSWORD)
    plan = (
        ("vaccinator", Role.VACCINATOR, Unit.Kind.CDC),
        ("police_roster", Role.DEPARTMENT_OFFICER, Unit.Kind.PUBLIC_SECURITY),
    )
    for username, role, kind in plan:
        unit = Unit.objects.filter(region=county, kind=kind).first()
        if unit is None:
            continue
        User.objects.update_or_create(
            username=username,
            defaults={"role": role, "scope_region": county, "unit": unit, "password": password},
        )
        made.append(username)
    return made
