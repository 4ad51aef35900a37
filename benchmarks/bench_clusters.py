"""Clusters at the size where SORMAS and Go.Data give up: 5,000 cases and 20,000 contacts,
on each database.

In a child process on the seeded city it writes 5,000 cases and 20,000 contacts straight to
the tables (a chain of 3,000 cases, where each case after the first was a contact of an
earlier one, and small household groups for the rest; 1,000 contacts are themselves cases,
the others plain contacts) and 1,000 who-infected-whom links. Then, `--runs` times each:

- `recompute_all()`: every cluster rebuilt in one pass (union-find over all edges, the
  summaries, index cases and shared places, the Cluster rows and every Case.cluster),
  beside the bare SELECT of all the edges it reads;
- `update_for([a case of the biggest cluster])`: what a registration pays;
- the chain JSON of the biggest cluster (3,000 nodes with positions);
- first paint of the chain view for the biggest cluster in Chromium (Playwright, from the
  navigation until ECharts has drawn the graph) beside a blank page's paint in the same
  browser, the page served by Django's own threaded server in the child.

Everything written is removed after.

    python -m benchmarks --only clusters --people 100000
"""

import json
import os
import random
import time
from datetime import timedelta

from . import databases
from .measure import median

ORDER = 75
CHAIN = 3000  # cases in the biggest cluster
TAG = "bench-clusters"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--cluster-cases", type=int, default=5000, help="cases for clusters (default 5,000)"
    )
    parser.add_argument(
        "--cluster-contacts", type=int, default=20000, help="contacts (default 20,000)"
    )
    parser.add_argument(
        "--cluster-runs", type=int, default=3, help="runs of each measure (default 3)"
    )


def run(args) -> list[str]:
    lines = []
    runs = str(args.cluster_runs)
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database,
            "benchmarks.bench_clusters",
            "--child",
            str(args.cluster_cases),
            str(args.cluster_contacts),
            runs,
        )
        r = json.loads(output.strip().splitlines()[-1])
        s = r["samples"]
        edges = median(s["edges"])
        lines.append(
            f"{database.label:<11} {r['cases']:,} cases, {r['contacts']:,} contacts, "
            f"{r['links']:,} links: {r['clusters']:,} clusters, biggest {r['biggest']:,} cases"
        )
        for key, title in [
            ("recompute", "recompute_all (every cluster)"),
            ("update", "update_for one case of the biggest"),
            ("graph", "chain JSON of the biggest cluster"),
        ]:
            lines.append(
                f"{'':<11} {title:<38} median {median(s[key]):8.1f} ms"
                f"  = {median(s[key]) / edges:6.1f}x SELECT of all edges"
            )
        lines.append(f"{'':<11} {'baseline: bare SELECT of all edges':<38} median {edges:8.1f} ms")
        if s.get("paint"):
            blank = median(s["blank"])
            lines.append(
                f"{'':<11} {'chain view first paint, biggest cluster':<38} median "
                f"{median(s['paint']):8.1f} ms  = {median(s['paint']) / blank:6.1f}x a blank page "
                f"({blank:.1f} ms); graph JSON {r['graph_bytes'] / 1024:,.0f} KiB"
            )
        else:
            lines.append(f"{'':<11} chain view first paint: not measured ({r['paint_skipped']})")
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(cases: int, contacts: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop beside the ORM
    import django

    django.setup()
    world = _World(cases, contacts)
    try:
        world.build()
        result = world.measure(runs)
    finally:
        world.clean_up()
    print(json.dumps(result))


class _World:
    def __init__(self, cases: int, contacts: int):
        from django.utils import timezone

        self.cases_wanted, self.contacts_wanted = cases, contacts
        self.now = timezone.now()
        self.rng = random.Random(2021)
        self.case_ids: list[int] = []

    def build(self) -> None:
        from epicommand.people.models import Person
        from epicommand.tracing.models import Case, Contact, InfectionLink

        persons = list(
            Person.objects.order_by("pk").values_list("pk", "region_id")[
                : self.cases_wanted + self.contacts_wanted
            ]
        )
        case_persons = persons[: self.cases_wanted]
        others = persons[self.cases_wanted :] or persons
        day = self.now.date()
        rows = [
            Case(
                person_id=pk,
                region_id=region,
                classification="mild",
                detection_route="mass_testing",
                onset_date=day - timedelta(days=self.rng.randint(0, 20)),
                reported_at=self.now,
                source_key=f"{TAG}:{pk}",
            )
            for pk, region in case_persons
        ]
        Case.objects.bulk_create(rows, batch_size=1000)
        self.case_ids = list(
            Case.objects.filter(source_key__startswith=TAG)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        person_of = dict(zip(self.case_ids, case_persons, strict=True))
        pairs = set()
        # The chain: each case after the first was a contact of an earlier one.
        for n in range(1, min(CHAIN, len(self.case_ids))):
            pairs.add((self.case_ids[self.rng.randrange(n)], person_of[self.case_ids[n]]))
        # The rest in small groups: a case and the next one or two.
        rest = self.case_ids[CHAIN:]
        for n in range(0, len(rest) - 1, 3):
            pairs.add((rest[n], person_of[rest[n + 1]]))
        while len(pairs) < self.contacts_wanted:
            pairs.add((self.rng.choice(self.case_ids), self.rng.choice(others)))
        exposed = self.now - timedelta(days=1)
        Contact.objects.bulk_create(
            [
                Contact(
                    person_id=person[0],
                    region_id=person[1],
                    case_id=case_id,
                    degree="close",
                    setting="household",
                    found_by="interview",
                    last_exposure_at=exposed,
                    identified_at=self.now,
                    control_deadline=self.now + timedelta(hours=24),
                    note=TAG,
                )
                for case_id, person in pairs
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        links = set()
        while len(links) < 1000:
            a, b = sorted(self.rng.sample(self.case_ids, 2))  # earlier infects later: no cycle
            links.add((a, b))
        region = dict(Case.objects.filter(pk__in=self.case_ids).values_list("pk", "region_id"))
        InfectionLink.objects.bulk_create(
            [
                InfectionLink(source_id=a, target_id=b, region_id=region[b], confidence="possible")
                for a, b in links
            ],
            batch_size=1000,
        )
        self.links = len(links)

    def measure(self, runs: int) -> dict:
        from django.db import connection

        from epicommand.tracing.models import Case, Cluster
        from epicommand.tracing.queries import clusters as queries_clusters
        from epicommand.tracing.services import clusters

        samples = {"edges": [], "recompute": [], "update": [], "graph": []}

        def timed(key, call):
            started = time.perf_counter()
            value = call()
            samples[key].append((time.perf_counter() - started) * 1000)
            return value

        def select_edges():
            with connection.cursor() as cursor:
                cursor.execute(clusters.LINK_EDGES)
                cursor.fetchall()
                cursor.execute(clusters.CONTACT_EDGES)
                cursor.fetchall()

        for _ in range(runs):
            timed("edges", select_edges)
            count = timed("recompute", clusters.recompute_all)
        biggest = Cluster.objects.order_by("-cases_count").first()
        member = Case.objects.filter(cluster=biggest).order_by("pk").values_list("pk", flat=True)
        for n in range(runs):
            timed("update", lambda pk=member[n]: clusters.update_for([pk]))
        biggest = Cluster.objects.order_by("-cases_count").first()
        office = _bench_user()
        body = {}
        for _ in range(runs):
            body = timed("graph", lambda: queries_clusters.cluster_graph(office, biggest))
        result = {
            "cases": len(self.case_ids),
            "contacts": self.contacts_wanted,
            "links": self.links,
            "clusters": count,
            "biggest": biggest.cases_count,
            "graph_bytes": len(json.dumps(body)),
            "runs": runs,
            "samples": samples,
        }
        try:
            samples |= _paint(biggest.pk, runs)
        except Exception as exc:  # noqa: BLE001 - no browser here: the other figures stand
            result["paint_skipped"] = str(exc).splitlines()[0][:200]
        return result

    def clean_up(self) -> None:
        from epicommand.core.models import User
        from epicommand.tracing.models import Case, Cluster

        Case.objects.filter(source_key__startswith=TAG).delete()  # contacts, links cascade
        Cluster.objects.filter(cases__isnull=True).delete()
        # The audit log keeps the user it names: the account is closed, not deleted.
        User.objects.filter(username=BENCH_USER).update(is_active=False)


BENCH_USER = "bench_clusters_office"
BENCH_PASSWORD = "bench-clusters-2021"


def _bench_user():
    from epicommand.core.models import Region, Role, Unit, User

    city = Region.objects.get(level=Region.Level.CITY)
    user, _ = User.objects.update_or_create(
        username=BENCH_USER,
        defaults=dict(
            role=Role.CITY_OFFICE,
            scope_region=city,
            unit=Unit.objects.filter(region=city).first(),
            is_active=True,
        ),
    )
    user.set_password(BENCH_PASSWORD)
    user.save()
    _enrol_second_factor(user)
    return user


def _enrol_second_factor(user) -> None:
    """The city office logs in with a code (core.twofactor): a fresh authenticator whose
    key the browser step reads back to compute the code."""
    from epicommand.core import totp, twofactor
    from epicommand.core.models import TwoFactorDevice

    TwoFactorDevice.objects.filter(user=user).delete()
    secret = twofactor.begin_enrolment(user)
    twofactor.confirm_enrolment(user, totp.code_at(secret, time.time() - 30))
    BENCH_SECRET[user.username] = secret


BENCH_SECRET: dict[str, str] = {}


def _paint(cluster_id: int, runs: int) -> dict:
    """Milliseconds from navigation to the graph drawn, and to a blank page's load."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    url = f"http://127.0.0.1:{server.port}"
    found = {"paint": [], "blank": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_context(locale="en-US").new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{url}/login/")
            page.fill("#id_username", BENCH_USER)
            page.fill("#id_password", BENCH_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            if BENCH_USER in BENCH_SECRET:  # the second factor
                from epicommand.core import totp

                page.fill("#id_code", totp.code_at(BENCH_SECRET[BENCH_USER], time.time()))
                page.get_by_role("button", name="Verify").click()
            page.wait_for_selector(".who form.inline")  # the log-out button: signed in
            for _ in range(runs):
                started = time.perf_counter()
                page.goto(f"{url}/clusters/{cluster_id}/")
                page.wait_for_selector("#chain[data-drawn]")
                found["paint"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                page.goto("data:text/html,<!doctype html><title>blank</title><p>blank</p>")
                page.wait_for_load_state("load")
                found["blank"].append((time.perf_counter() - started) * 1000)
            browser.close()
    finally:
        server.terminate()
    return found


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, type=int, metavar=("CASES", "CONTACTS", "RUNS"))
    arguments = parser.parse_args()
    _child(*arguments.child)
