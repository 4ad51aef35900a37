"""The checkpoint verdict over HTTP on loopback, paced at --checkpoint-rate requests a second
(default 200) from a few client threads against a real server: `epicommand serve` (gunicorn
sync workers, --checkpoint-workers of them) on 127.0.0.1 serving the seeded city, each
request a device's POST /api/v1/checkpoints/
{id}/passages with a bearer token (person by ID number; about 3% with fever, which records
a health-code fact, recomputes the code and lists the person for priority testing). p50
and p99 in milliseconds, counted from the moment each request was due (a client that
falls behind its schedule shows it, rather than hiding the wait).

The baseline is the same server at the same pace answering GET /healthz (one SELECT 1 on
its connection): the price of the network, the WSGI server and Django's middleware. The
two are run in alternating slices of a few seconds each, so that a noisy neighbour hits
both alike. The benchmark's passages, facts, list entries and counters are removed
afterwards (and the counters rebuilt), so later benchmarks see the city as seeded.

    python -m benchmarks --only checkpoints --people 100000
"""

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection

from . import databases

ORDER = 65
PREFIX = "bench-cp-"
SLICES = 4  # alternating baseline / verdict slices per run
THREADS = 8  # client threads: enough that the client never limits the pace
WARM_UP = 100
SAMPLE = 20_000  # ID numbers the devices present


def add_arguments(parser) -> None:
    parser.add_argument(
        "--checkpoint-rate", type=int, default=200, help="requests a second (default 200)"
    )
    parser.add_argument(
        "--checkpoint-workers",
        type=int,
        default=4,
        help="gunicorn workers of the server (WEB_CONCURRENCY; default 4)",
    )
    parser.add_argument(
        "--checkpoint-seconds",
        type=int,
        default=30,
        help="seconds of verdicts, and as many of baseline (default 30)",
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database,
            "benchmarks.bench_checkpoints",
            "--child",
            "--rate",
            str(args.checkpoint_rate),
            "--seconds",
            str(args.checkpoint_seconds),
            "--workers",
            str(args.checkpoint_workers),
        )
        r = json.loads(output.strip().splitlines()[-1])
        base, verdict = r["healthz"], r["verdict"]
        lines.append(
            f"{database.label:<11} {r['persons']:,} persons; {r['rate']} requests/s from "
            f"{THREADS} client threads; `epicommand serve` with {r['workers']} workers"
        )
        for title, m in (("GET /healthz (baseline)", base), ("POST verdict", verdict)):
            lines.append(
                f"{'':<11} {title:<24} {m['count']:>6,} requests  p50 {m['p50']:6.1f} ms  "
                f"p99 {m['p99']:6.1f} ms  achieved {m['achieved']:5.0f}/s  errors {m['errors']}  "
                f"server CPU {m['cpu_ms']:.1f} ms/request"
            )
        lines.append(
            f"{'':<11} verdict over baseline: p50 +{verdict['p50'] - base['p50']:.1f} ms, "
            f"p99 +{verdict['p99'] - base['p99']:.1f} ms, server CPU "
            f"{verdict['cpu_ms'] / max(base['cpu_ms'], 0.01):.1f}x; verdicts {r['verdicts']}; "
            f"load average {r['load'][0]:.1f} before, {r['load'][1]:.1f} after"
        )
    return lines + databases.skipped_lines(args)


# The child: inside the benchmark database's environment ----------------------------------


def _child(rate: int, seconds: int, workers: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    try:
        result = _measure(rate, seconds, workers)
    finally:
        _clean_up()
    print(json.dumps(result))


def _measure(rate: int, seconds: int, workers: int) -> dict:
    checkpoint, secret, id_numbers, persons = _set_up()
    load_before = os.getloadavg()[0]
    port = _free_port()
    server = _start_server(port, workers)
    try:
        _wait_until_up(port)
        rng = random.Random(2021)
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        path = f"/api/v1/checkpoints/{checkpoint}/passages"

        def verdict_request(n: int):
            fever = rng.random() < 0.03
            temperature = rng.uniform(37.4, 39.0) if fever else min(rng.gauss(36.5, 0.2), 37.2)
            body = {
                "client_id": f"{PREFIX}{uuid.uuid4().hex[:20]}",
                "id_number": rng.choice(id_numbers),
                "temperature": round(temperature, 1),
                "direction": rng.choice(("in", "out")),
            }
            return "POST", path, json.dumps(body).encode(), headers

        def health_request(n: int):
            return "GET", "/healthz", None, {}

        _paced(port, health_request, rate, WARM_UP / rate)
        _paced(port, verdict_request, rate, WARM_UP / rate)
        healthz, verdicts = _Samples(), _Samples()
        for _ in range(SLICES):
            for samples, request in ((healthz, health_request), (verdicts, verdict_request)):
                cpu = _server_cpu_seconds(server.pid)
                part = _paced(port, request, rate, seconds / SLICES)
                part["cpu"] = _server_cpu_seconds(server.pid) - cpu
                samples.add(part)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    from epicommand.control.models import Passage

    counts = {
        v: Passage.objects.filter(client_id__startswith=PREFIX, verdict=v).count()
        for v in ("pass", "restricted", "deny")
    }
    return {
        "persons": persons,
        "rate": rate,
        "workers": workers,
        "healthz": healthz.summary(),
        "verdict": verdicts.summary(),
        "verdicts": ", ".join(f"{v} {n:,}" for v, n in counts.items()),
        "load": [load_before, os.getloadavg()[0]],
    }


class _Samples:
    def __init__(self):
        self.ms, self.errors, self.seconds, self.cpu = [], 0, 0.0, 0.0

    def add(self, part: dict) -> None:
        self.ms += part["ms"]
        self.errors += part["errors"]
        self.seconds += part["seconds"]
        self.cpu += part["cpu"]

    def summary(self) -> dict:
        ordered = sorted(self.ms)

        def at(q: float) -> float:
            return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

        return {
            "count": len(ordered),
            "p50": statistics.median(ordered),
            "p99": at(0.99),
            "errors": self.errors,
            "achieved": len(ordered) / self.seconds,
            "cpu_ms": self.cpu * 1000 / len(ordered),
        }


def _paced(port: int, make_request, rate: int, seconds: float) -> dict:
    """Requests due every 1/rate s for `seconds`, request i sent by thread i % THREADS on
    its own keep-alive connection; each latency counted from the moment it was due."""
    total = max(1, round(rate * seconds))
    interval = 1 / rate
    start = time.perf_counter() + 0.05
    lock = threading.Lock()
    ms, errors = [], [0]
    requests = [make_request(n) for n in range(total)]  # bodies built before the clock

    def worker(offset: int) -> None:
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        for n in range(offset, total, THREADS):
            due = start + n * interval
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            method, path, body, headers = requests[n]
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 300:
                    failed += 1
            except OSError:
                failed += 1
                connection.close()
                connection = HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - due) * 1000)
        connection.close()
        with lock:
            ms.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {"ms": ms, "errors": errors[0], "seconds": max(elapsed, total * interval)}


def _set_up():
    """A checkpoint in Gaocheng staffed by its public security unit, a device token of a
    checkpoint officer's role, and a sample of the city's ID numbers."""
    from django.db.models import Max

    from epicommand.control.models import Checkpoint
    from epicommand.control.services import checkpoints as services
    from epicommand.core.models import Region, Role, Unit, User
    from epicommand.people.models import Person

    from .tokens import live_token

    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    township = Region.objects.filter(parent=county).order_by("code").first() or county
    unit, _ = Unit.objects.get_or_create(
        region=county,
        kind=Unit.Kind.PUBLIC_SECURITY,
        defaults={"name": f"{county.name}公安分局"},
    )
    office, _ = User.objects.update_or_create(
        username="bench_checkpoints_office",
        defaults={"role": Role.COUNTY_OFFICE, "scope_region": county, "unit": unit},
    )
    checkpoint = Checkpoint.objects.filter(name="基准测试检查站", region=township).first()
    if checkpoint is None:
        checkpoint = services.create_checkpoint(
            office,
            name="基准测试检查站",
            kind=Checkpoint.Kind.ROAD,
            region_id=township.code,
            latitude=38.0,
            longitude=114.8,
            unit_ids=[unit.pk],
        )
    _, secret = live_token(
        office,
        name="bench checkpoint device",
        role=Role.CHECKPOINT_OFFICER,
        unit=unit,
        region=county,
    )
    # A scattered sample of the city's persons, drawn alike on both databases.
    top = Person.objects.aggregate(top=Max("id"))["top"] or 0
    picked = random.Random(2021).sample(range(1, top + 1), min(SAMPLE, top))
    id_numbers = []
    for start in range(0, len(picked), 2000):
        id_numbers += Person.objects.filter(
            pk__in=picked[start : start + 2000], id_number__isnull=False
        ).values_list("id_number", flat=True)
    persons = Person.objects.count()
    return checkpoint.pk, secret, id_numbers, persons


def _clean_up() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from epicommand.control.models import HealthFact
    from epicommand.control.services import healthcode
    from epicommand.core.models import ApiToken
    from epicommand.core.recount import recount
    from epicommand.testing.models import PriorityTest

    high = PREFIX[:-1] + chr(ord(PREFIX[-1]) + 1)
    key_low, key_high = f"passage:{PREFIX}", f"passage:{high}"
    with transaction.atomic():
        facts = HealthFact.objects.filter(source_key__gte=key_low, source_key__lt=key_high)
        touched = set(facts.values_list("person_id", flat=True))
        facts.delete()
        PriorityTest.objects.filter(source_key__gte=key_low, source_key__lt=key_high).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM control_passage WHERE client_id >= %s AND client_id < %s",
                [PREFIX, high],
            )
        healthcode.recompute(touched)
        ApiToken.objects.filter(name="bench checkpoint device", revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    recount()


def _server_cpu_seconds(master: int) -> float:
    """CPU seconds the server's processes (gunicorn's master and workers) have used: what
    a request costs the web tier, which a busy neighbour slows but does not add to."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        # After the command: state, ppid, ... utime and stime are fields 14 and 15.
        if int(entry) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int, workers: int) -> subprocess.Popen:
    """The platform's own `epicommand serve` (gunicorn, sync workers, access log), as a
    city runs it, on a free loopback port."""
    return subprocess.Popen(
        [sys.executable, "-m", "epicommand.cli", "serve", f"127.0.0.1:{port}"],
        env={**os.environ, "WEB_CONCURRENCY": str(workers), "ALLOWED_HOSTS": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped whole, workers and all
    )


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not come up within 60 s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    _child(options.rate, options.seconds, options.workers)
