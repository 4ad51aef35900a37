"""Times for tests that count "today" (counters by day, days of a stay): a moment a little
while ago that never crosses Beijing's midnight, so a test run just after 16:00 UTC reads
the same figures as one at noon."""

from datetime import datetime, timedelta

from django.utils import timezone


def earlier_today(ago: timedelta = timedelta(hours=1)) -> datetime:
    """`ago` before now if that is still today (local time), else halfway between midnight
    and now."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - ago, midnight + (now - midnight) / 2)
