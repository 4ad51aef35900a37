from django.core.management.base import BaseCommand, CommandError

from epicommand.simulation.supplies_demo import (
    CityMissing,
    SuppliesAlreadySeeded,
    seed_supplies,
    supplies_exist,
)


class Command(BaseCommand):
    help = (
        "Set up the demo's necessities and medical materials: a supply enterprise and a "
        "market in every district with a month of prices (pork spiking on the last day in "
        "the first district, raising alerts), and the city's materials warehouse stocked "
        "from the testing rounds' forecast, with sampling sites' requests allocated. "
        "Needs seed-city, demo-accounts and seed-testing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when seeded")

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and supplies_exist():
            self.stdout.write("The database already has supplies; nothing to do.")
            return
        try:
            counts = seed_supplies(seed)
        except SuppliesAlreadySeeded:
            raise CommandError("The database already has supplies: use --if-empty.") from None
        except CityMissing as missing:
            raise CommandError(f"Run seed-city and demo-accounts first ({missing}).") from None
        warnings = ", ".join(counts.warnings) or "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {counts.enterprises} supply enterprises, {counts.reports:,} daily "
                f"reports, {counts.alerts} price alerts; {counts.lots} lots in the city "
                f"warehouse, {counts.requests} requests; stock-out warnings: {warnings}. "
                f"Account: supply_enterprise (demo password)."
            )
        )
