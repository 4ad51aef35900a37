from django.core.management.base import BaseCommand, CommandError

from epicommand.simulation.key_areas import (
    CityMissing,
    ControlAlreadySeeded,
    scans_exist,
    seed_control,
)


class Command(BaseCommand):
    help = (
        "Write a week of key-area control into the demo city (after seed-city and "
        "demo-accounts): every person's place-code scans, checkpoints on the roads out of "
        "Gaocheng and the passages through them, and Zengcun town designated high-risk. "
        "The same --seed gives the same week, ending now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="days of scans (default 7)")
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has scans",
        )

    def handle(self, *args, days, seed, if_empty, **options):
        if not 1 <= days <= 30:
            raise CommandError("--days must be between 1 and 30 (scans older are refused)")
        if if_empty and scans_exist():
            self.stdout.write("The database already has scans; nothing to do.")
            return
        self.stdout.write(f"Writing {days} days of scans, passages and risk areas (seed {seed})")
        try:
            counts = seed_control(seed, days=days, progress=self.stdout.write)
        except ControlAlreadySeeded:
            raise CommandError(
                "The database already has scans. Use --if-empty to leave it as it is."
            ) from None
        except CityMissing as exc:
            raise CommandError(
                f"The demo city is missing ({exc}): run `epicommand seed-city` and "
                "`epicommand demo-accounts` first."
            ) from None
        timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in counts.timings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {counts.scans:,} scans by {counts.persons:,} persons, "
                f"{counts.checkpoints} checkpoints, {counts.passages:,} passages "
                f"({counts.denied} denied, {counts.fevers} with fever); Zengcun high-risk: "
                f"{counts.risk_residents:,} residents, {counts.risk_visitors:,} visitors. "
                f"{counts.seconds:.1f} s ({timings})"
            )
        )
