"""The registry's cases as the daily bulletin counts them (the information app): every
figure of a day by region of residence, in ONE query over the cases and their
classification history, whatever the size of the outbreak.

Each case's moments come from its history before the day's end: first confirmed (fc),
first asymptomatic while not yet confirmed (fa), reclassified (its first confirmation was
from asymptomatic), registered as suspected (sa), and its classification at the end (lc).
A case ruled out before a moment counts in nothing at that moment."""

from datetime import datetime

from django.db import connection

from ..models import CONFIRMED, Case, ClassificationChange

SEVERITIES = tuple(str(c) for c in CONFIRMED)

# name -> SQL condition on one case row (c: the case, h: its moments), with %(s)s / %(e)s
# the day's start and end. The "prev_" figures are the cumulative ones at the start.
_ALIVE = "NOT (c.outcome = 'ruled_out' AND c.outcome_at < {t})"
_CONF = "h.fc IS NOT NULL AND h.fc < {t}"
_ASYM = "h.fa IS NOT NULL AND h.fa < {t} AND NOT (h.fc IS NOT NULL AND h.fc < {t})"
_DONE = "c.outcome IN ('recovered', 'died', 'ruled_out') AND c.outcome_at < %(e)s"


def _cumulative(t: str) -> dict[str, str]:
    alive = _ALIVE.format(t=t)
    return {
        "cum_confirmed": f"{alive} AND {_CONF.format(t=t)}",
        "cum_asymptomatic": f"{alive} AND {_ASYM.format(t=t)}",
        "cum_deaths": f"{alive} AND c.outcome = 'died' AND c.outcome_at < {t}",
        "cum_recovered": f"{alive} AND c.outcome = 'recovered' AND c.outcome_at < {t} "
        f"AND {_CONF.format(t=t)}",
    }


def _today(column: str) -> str:
    return f"{column} >= %(s)s AND {column} < %(e)s"


_ALIVE_E = _ALIVE.format(t="%(e)s")
CONDITIONS = {
    **_cumulative("%(e)s"),
    **{f"prev_{k}": v for k, v in _cumulative("%(s)s").items()},
    "new_confirmed": f"{_ALIVE_E} AND {_today('h.fc')}",
    "reclassified": f"{_ALIVE_E} AND h.ra = h.fc AND {_today('h.fc')}",
    "new_asymptomatic": f"{_ALIVE_E} AND {_today('h.fa')}",
    "new_suspected": f"{_ALIVE_E} AND {_today('h.sa')}",
    "new_deaths": f"{_ALIVE_E} AND c.outcome = 'died' AND {_today('c.outcome_at')}",
    "new_recovered": f"{_ALIVE_E} AND c.outcome = 'recovered' AND {_today('c.outcome_at')} "
    "AND h.fc IS NOT NULL",
    "current_confirmed": f"NOT ({_DONE}) AND h.lc IN ({', '.join(repr(s) for s in SEVERITIES)})",
    "current_asymptomatic": f"NOT ({_DONE}) AND h.lc = 'asymptomatic'",
    "current_suspected": f"NOT ({_DONE}) AND h.lc = 'suspected'",
    **{f"severity_{s}": f"NOT ({_DONE}) AND h.lc = '{s}'" for s in SEVERITIES},
}


def _sql() -> str:
    changes = ClassificationChange._meta.db_table
    cases = Case._meta.db_table
    confirmed = ", ".join(repr(s) for s in SEVERITIES)
    sums = ",\n".join(
        f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {name}"
        for name, condition in CONDITIONS.items()
    )
    return f"""
WITH ordered AS (
    SELECT case_id, at, classification_from AS f, classification_to AS t,
           ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY at DESC, id DESC) AS latest
    FROM {changes} WHERE at < %(e)s
), firsts AS (
    SELECT case_id,
           MIN(CASE WHEN t IN ({confirmed}) THEN at END) AS fc,
           MIN(CASE WHEN t = 'asymptomatic' THEN at END) AS fa0,
           MIN(CASE WHEN f = 'asymptomatic' AND t IN ({confirmed}) THEN at END) AS ra,
           MIN(CASE WHEN f = '' AND t = 'suspected' THEN at END) AS sa,
           MAX(CASE WHEN latest = 1 THEN t END) AS lc
    FROM ordered GROUP BY case_id
), h AS (
    SELECT case_id, fc, ra, sa, lc,
           CASE WHEN fc IS NULL OR fa0 < fc THEN fa0 END AS fa
    FROM firsts
)
SELECT c.region_id,
{sums}
FROM {cases} c JOIN h ON h.case_id = c.id
WHERE c.reported_at < %(e)s
GROUP BY c.region_id
"""


def counts_by_region(start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """{region code of residence: {figure: count}} for the day [start, end). Not scoped:
    the bulletin is the city's published figures, counted over all cases (the caller's
    right to draft it is checked by the information service)."""
    adapt = connection.ops.adapt_datetimefield_value
    names = list(CONDITIONS)
    with connection.cursor() as cursor:
        cursor.execute(_sql(), {"s": adapt(start), "e": adapt(end)})
        rows = cursor.fetchall()
    return {row[0]: {n: int(v or 0) for n, v in zip(names, row[1:], strict=True)} for row in rows}
