from django.core.management.base import BaseCommand, CommandError

from epicommand.simulation.city import CityAlreadySeeded, city_exists, seed_city


class Command(BaseCommand):
    help = (
        "Build the demo city (Shijiazhuang: 22 counties, townships, villages, units, "
        "venues, households and persons) into an empty database. The same --people and "
        "--seed always give the same city."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            default=100_000,
            help="number of persons (default 100,000; the real city: 11M)",
        )
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has regions",
        )

    def handle(self, *args, people, seed, if_empty, **options):
        if people < 1:
            raise CommandError("--people must be at least 1")
        if if_empty and city_exists():
            self.stdout.write("The database already has regions; nothing to do.")
            return
        self.stdout.write(f"Building a city of {people:,} persons (seed {seed})")
        try:
            counts = seed_city(people, seed, progress=self.stdout.write)
        except CityAlreadySeeded:
            raise CommandError(
                "The database already has regions. Use an empty database, "
                "or --if-empty to leave it as it is."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {counts.regions:,} regions, {counts.units:,} units, "
                f"{counts.venues:,} venues, {counts.households:,} households, "
                f"{counts.persons:,} persons in {counts.seconds:.1f} s "
                f"({counts.persons_per_second:,.0f} persons/s)"
            )
        )
