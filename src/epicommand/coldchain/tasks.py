"""The cold chain's recurring round: the nightly purge of records past their keeping."""

from datetime import date

from epicommand.core import periodic

from .services import retention

# 02:00 Beijing: after the day's last receipts, before the 03:00 consistency check.
NIGHTLY = periodic.DailyAt(hour=lambda: 2)


@periodic.recurring(NIGHTLY)
def purge_nightly(day: str) -> int:
    """The worker's nightly run (`epicommand purge-coldchain-records --schedule` queues the
    first): purges as of `day`. Returns how many batches went."""
    return retention.purge_expired(today=date.fromisoformat(day)).batches
