from django.core.management.base import BaseCommand, CommandError

from epicommand.simulation.quarantine_sites import (
    CityMissing,
    QuarantineAlreadySeeded,
    seed_quarantine,
    sites_exist,
)


class Command(BaseCommand):
    help = (
        "Set up the demo city's quarantine sites around Gaocheng (a camp, hotels, an "
        "observation ward; a hotel in Chang'an) and fill them from its population: open "
        "close contacts if tracing recorded any, else Xiaoguozhuang village and Zengcun "
        "town (from a high-risk area), started over the last two weeks. Needs seed-city "
        "and demo-accounts. The same --seed gives the same sites and stays."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has quarantine sites",
        )

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and sites_exist():
            self.stdout.write("The database already has quarantine sites; nothing to do.")
            return
        try:
            counts = seed_quarantine(seed, progress=self.stdout.write)
        except QuarantineAlreadySeeded:
            raise CommandError(
                "The database already has quarantine sites. Use --if-empty to leave it as it is."
            ) from None
        except CityMissing as exc:
            raise CommandError(
                f"The demo city is missing ({exc}): run `epicommand seed-city` and "
                "`epicommand demo-accounts` first."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {counts.sites} sites, {counts.rooms:,} rooms, {counts.stays:,} stays "
                f"({counts.in_transfer} in transfer, {counts.home} released into home "
                f"monitoring) in {counts.seconds:.1f} s."
            )
        )
