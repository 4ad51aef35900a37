from django.core.management.base import BaseCommand, CommandError

from epicommand.simulation.testing_demo import (
    CityMissing,
    TestingAlreadySeeded,
    seed_testing,
    testing_exists,
)


class Command(BaseCommand):
    help = (
        "Mass testing on the demo city: sampling sites (two per township), the labs (city, "
        "county, the mobile air-dome lab), a fever clinic per county with two days of "
        "visits, a finished round 1 and a round 2 in progress. Needs seed-city and "
        "demo-accounts (and reads seed-control's risk areas and seed-quarantine's stays "
        "for the pool sizes). The same --seed gives the same demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has testing rounds or sites",
        )

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and testing_exists():
            self.stdout.write("The database already has testing rounds or sites; nothing to do.")
            return
        try:
            counts = seed_testing(seed, progress_line=self.stdout.write)
        except TestingAlreadySeeded:
            raise CommandError(
                "The database already has testing rounds or sites. Use --if-empty to leave "
                "it as it is."
            ) from None
        except CityMissing as exc:
            raise CommandError(
                f"The demo city is missing ({exc}): run `epicommand seed-city` and "
                "`epicommand demo-accounts` first."
            ) from None
        rounds = ", ".join(f"{name}: {n:,} samples" for name, n in counts.samples.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {counts.sites} sites, {counts.labs} labs, {counts.clinics} fever "
                f"clinics ({counts.visits} visits); {rounds}; {counts.positive_pools} positive "
                f"pools, in {counts.seconds:.1f} s."
            )
        )
