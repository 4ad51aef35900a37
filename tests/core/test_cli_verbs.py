"""Every `epicommand` verb that `make demo` and the docs use names a command that exists:
a verb is a Django command name with hyphens (`seed-coldchain` runs `seed_coldchain`)."""

import re
from pathlib import Path

from django.core.management import get_commands

from epicommand.cli import command_name

ROOT = Path(__file__).resolve().parents[2]


def verbs_in(text: str) -> set[str]:
    return set(re.findall(r"epicommand ([a-z][a-z_-]+)", text))


def test_every_verb_of_make_demo_and_the_docs_is_a_command():
    used = verbs_in((ROOT / "Makefile").read_text())
    used |= verbs_in((ROOT / "docs" / "operator-guide.md").read_text())
    commands = get_commands()
    unknown = {
        verb
        for verb in used
        if command_name(verb) not in commands
        and verb not in ("serve", "make-keys")  # the cli's own verbs, before Django starts
    }
    assert unknown == set()
    assert {"seed-coldchain", "purge-coldchain-records", "worker"} <= used
