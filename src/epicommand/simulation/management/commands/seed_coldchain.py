from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from epicommand.coldchain.models import Enterprise, Holding
from epicommand.coldchain.services import positives
from epicommand.core.models import User
from epicommand.simulation.accounts import DEMO_PASSWORD
from epicommand.simulation.coldchain_network import (
    ColdChainAlreadySeeded,
    demo_accounts,
    seed_coldchain,
    seeded,
)


class Command(BaseCommand):
    help = (
        "Set up the demo cold chain: 3 first-stop importers, 10 cold stores and 10 wholesale "
        "markets, 200 retailers and 2,000 coded batches moving between them, with staff; "
        "then record one positive environment sample at the busiest wholesale market, traced "
        "forward by the city command office. Needs seed-city and demo-accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", default="2021", help="random seed (default 2021)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when enterprises exist"
        )

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and seeded():
            self.stdout.write("The database already has a cold chain; nothing to do.")
            return
        office = User.objects.filter(username="city_office").first()
        if office is None:
            raise CommandError("Run `epicommand seed-city` and `epicommand demo-accounts` first.")
        try:
            network = seed_coldchain(seed)
        except ColdChainAlreadySeeded:
            raise CommandError("The database already has a cold chain: use --if-empty.") from None
        accounts = demo_accounts(network.enterprises, make_password(DEMO_PASSWORD))
        market = (
            Enterprise.objects.filter(kind=Enterprise.Kind.WHOLESALER)
            .annotate(n=Count("holdings"))
            .order_by("-n", "pk")
            .first()
        )
        result = positives.record_positive_sample(
            office,
            kind="environment",
            enterprise_id=market.pk,
            sampled_at=timezone.now(),
            lab_report="DEMO-ENV-0001",
        )
        sample = result.sample
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {network.batches:,} batches, {network.events:,} events in "
                f"{network.seconds:.1f} s. Positive environment sample at {market.name}: "
                f"{len(result.reached)} holders reached, {sample.packages_sealed:,} packages "
                f"sealed in {sample.batches_sealed} batches, {sample.staff_listed} staff "
                f"listed for testing, {len(result.tasks)} county tasks. Sealed holders now: "
                f"{Holding.objects.filter(sealed_at__isnull=False).count():,}. "
                f"Accounts: city_market, {', '.join(accounts)} (demo password)."
            )
        )
