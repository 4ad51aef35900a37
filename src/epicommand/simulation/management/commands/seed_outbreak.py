from django.core.management.base import BaseCommand, CommandError

from epicommand.simulation.movements import CityMissing
from epicommand.simulation.outbreak import OutbreakAlreadySeeded, cases_exist, seed_outbreak


class Command(BaseCommand):
    help = (
        "Seed an outbreak in Zengcun town over the demo week (after seed-city, "
        "demo-accounts and seed-control): cases registered day by day through the case "
        "service, with their contacts, links and clusters. The same --seed gives the same "
        "outbreak."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--cases", type=int, default=60, help="infections to aim for (default 60)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has cases"
        )

    def handle(self, *args, seed, cases, if_empty, **options):
        if not 2 <= cases <= 500:
            raise CommandError("--cases must be between 2 and 500")
        if if_empty and cases_exist():
            self.stdout.write("The database already has cases; nothing to do.")
            return
        try:
            counts = seed_outbreak(seed, cases=cases, progress=self.stdout.write)
        except OutbreakAlreadySeeded:
            raise CommandError(
                "The database already has cases. Use --if-empty to leave it as it is."
            ) from None
        except CityMissing as exc:
            raise CommandError(
                f"The demo city is missing ({exc}): run `epicommand seed-city`, "
                "`epicommand demo-accounts` and `epicommand seed-control` first."
            ) from None
        for line in counts.refused[:10]:
            self.stdout.write(f"  refused: {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {counts.cases} cases of {counts.infections} infections, "
                f"{counts.contacts} interview contacts, {counts.links} links, "
                f"{counts.clusters} clusters in {counts.seconds:.1f} s."
            )
        )
