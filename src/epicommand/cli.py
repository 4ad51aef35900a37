"""The `epicommand` command: Django's manage.py with a few operator verbs.

epicommand migrate            apply database migrations
epicommand serve [ADDR:PORT]  run the web server (gunicorn)
epicommand worker             run the background task worker
epicommand seed-city ...      build the demo city (see --help)
epicommand demo-accounts      create the demo accounts and print them
epicommand recount            rebuild the dashboard counters from the tables
epicommand check-consistency  list persons and figures that disagree (--schedule: nightly)
epicommand daily-summary      generate the daily summaries (--day, --schedule)
epicommand check-overdue-tasks  note tasks past their deadline (cron; --schedule: worker)
epicommand seed-tasks         issue a demo day of tasks (after seed-city, demo-accounts)
epicommand seed-chain         name the demo responsibility chain (after seed-city)
epicommand seed-control       a demo week of scans, checkpoints, risk areas (after demo-accounts)
epicommand seed-quarantine    demo quarantine sites and stays (after seed-control)
epicommand seed-boundaries    generate region boundaries for the maps (seed-city does it)
epicommand seed-testing       demo sampling sites, labs, fever clinics and two rounds
epicommand seed-outbreak      a demo outbreak in Zengcun town: cases, contacts, clusters
epicommand recompute-clusters rebuild every cluster from the case-contact-case links
epicommand deliver-referrals  post referrals outside the city, escalate overdue ones (--schedule)
epicommand recompute-codes    recompute health codes whose colour is due to change (--schedule)
epicommand propose-risk-areas propose risk areas by the edition's rule
epicommand seed-inbound       a demo week of inbound flights, positives, a suspended route
epicommand check-inbound-loop raise closed-loop alarms of inbound travellers (--schedule)
epicommand purge-old-records  delete old scans and passages, anonymise closed records, delete
                              expired export files (--schedule: nightly and hourly)
epicommand make-keys          make the key files still missing (once, before production)
epicommand rotate-health-code-key  sign health codes with a new key; the old one verifies
                              the codes it signed until they expire
epicommand <any manage.py command>
"""

import os
import sys

# Verbs are Django's command names with hyphens (seed-city: seed_city); a few read better
# under another name.
ALIASES = {"worker": "db_worker"}


def command_name(verb: str) -> str:
    return ALIASES.get(verb, verb.replace("-", "_"))


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    if len(argv) > 1 and argv[1] == "serve":
        return serve(argv[2:])
    if len(argv) > 1 and argv[1] == "make-keys":
        return make_keys()
    if len(argv) > 1:
        argv[1] = command_name(argv[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def make_keys():
    """Before Django starts: the production settings refuse to load without the keys."""
    from epicommand import keys

    key_dir = keys.key_dir()
    for path in keys.make_all(key_dir):
        print(f"made {path} (readable by its owner only)")
    print(f"keys in {key_dir}: every web host and the worker must hold the same files")


def serve(args):
    bind = args[0] if args else os.environ.get("BIND", "127.0.0.1:8000")
    workers = os.environ.get("WEB_CONCURRENCY", "3")
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "epicommand.wsgi",
            "--bind",
            bind,
            "--workers",
            workers,
            "--access-logfile",
            "-",
            *args[1:],
        ],
    )


if __name__ == "__main__":
    main()
