from django.core.management.base import BaseCommand, CommandError

from epicommand.core.models import Role
from epicommand.simulation.accounts import DEMO_PASSWORD, CityNotSeeded, ensure_demo_accounts


class Command(BaseCommand):
    help = (
        "Create (or reset) one demo account per role in the demo city and print them "
        "with the shared demo password. Demo credentials: never on a real deployment."
    )

    def handle(self, *args, **options):
        try:
            accounts = ensure_demo_accounts()
        except CityNotSeeded as exc:
            raise CommandError(
                f"The demo city is missing regions ({exc}); run `epicommand seed-city` first."
            ) from None
        self.stdout.write(
            self.style.WARNING(
                "WARNING: demo credentials. Anyone who reads this can sign in with them; "
                "do not use them on a deployment holding real persons."
            )
        )
        self.stdout.write(f"Password for every account: {DEMO_PASSWORD}\n")
        roles = dict(Role.choices)
        rows = [("Username", "Role", "Scope", "Unit")] + [
            (
                a.username,
                str(roles[a.role]),
                f"{a.scope.code} {a.scope.name}",
                a.unit.name if a.unit else "-",
            )
            for a in accounts
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        for *padded, unit in rows:
            cells = [
                cell + " " * (width - _width(cell))
                for cell, width in zip(padded, widths, strict=True)
            ]
            self.stdout.write("  ".join([*cells, unit]))


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
