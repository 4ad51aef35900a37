from django.core.management.base import BaseCommand, CommandError

from epicommand.simulation.inbound_travellers import (
    DemoMissing,
    InboundAlreadySeeded,
    flights_exist,
    seed_inbound,
)


class Command(BaseCommand):
    help = (
        "A week of inbound flights for the demo city: 30 flights, 6,000 passengers, 7 "
        "positives, one route suspended, a diversion, and the closed loop under way. Needs "
        "seed-city, demo-accounts and seed-quarantine."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when flights exist already"
        )

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and flights_exist():
            self.stdout.write("The database already has flights; nothing to do.")
            return
        try:
            counts = seed_inbound(seed, progress=self.stdout.write)
        except InboundAlreadySeeded:
            raise CommandError("The database already has flights. Use --if-empty.") from None
        except DemoMissing as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {counts.flights} flights, {counts.passengers:,} passengers, "
                f"{counts.positives} positives, {counts.in_loop:,} travellers in the closed "
                f"loop, {counts.alarms} alarms, in {counts.seconds:.1f} s."
            )
        )
