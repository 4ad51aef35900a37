"""The platform's secrets on disk: Django's SECRET_KEY and the health-code signing key.

A fresh install makes its own on first run, each in a file only its owner can read, so no
two installs share a key and none runs on a key printed in the source. In production
(`EPICOMMAND_PRODUCTION=1`) nothing is made on the fly, for every web host must hold the
same keys: `epicommand make-keys` makes them once, or the environment gives them, and the
settings refuse to start without them.

Read by the settings, before Django is set up: no Django imports here.
"""

import os
import secrets
from collections.abc import Callable
from pathlib import Path

SECRET_KEY_FILE = "secret-key"
SIGNING_KEY_FILE = "health-code-signing-key"
# Health-code public keys retired by `epicommand rotate-health-code-key`, one JSON line
# each, kept while codes they signed may still be shown.
RETIRED_KEYS_FILE = "health-code-retired-keys"

# The key the source once carried: refused wherever it is still set.
KNOWN_DEFAULT_SECRET = "dev-only-insecure-key-change-me-in-production"
MIN_SECRET_LENGTH = 50


def var_dir() -> Path:
    """Where the install keeps its files: the database, media, keys."""
    default = Path(__file__).resolve().parent.parent.parent / "var"
    return Path(os.environ.get("EPICOMMAND_VAR_DIR", default))


def key_dir() -> Path:
    return Path(os.environ.get("EPICOMMAND_KEY_DIR", var_dir() / "keys"))


class MissingKey(Exception):
    """A production host without its keys, or with a weak one."""


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_signing_key() -> str:
    return secrets.token_hex(32)  # an Ed25519 seed, 32 bytes


def kept(path: Path, make: Callable[[], str] | None) -> str:
    """The secret in `path`, made by `make` first when there is none (and `make` is
    given). Written owner-only, and whole or not at all: a second process starting at the
    same moment reads the first one's key rather than writing its own."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        if make is None:
            raise MissingKey(f"{path} is missing: run `epicommand make-keys` once") from None
    write_secret(path, make(), replace=False)
    return path.read_text().strip()


def write_secret(path: Path, value: str, *, replace: bool) -> None:
    """`value` into `path`, readable by the owner only; an existing file is kept unless
    `replace` (a rotation, which swaps the file in one rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(value + "\n")
    try:
        if replace:
            os.replace(draft, path)
        else:
            os.link(draft, path)  # fails if another process got there first
    except FileExistsError:
        pass
    finally:
        if draft.exists():
            draft.unlink()


def secret_key(key_dir: Path, *, production: bool) -> str:
    """SECRET_KEY: from the environment, else the key file (made on first run outside
    production). Refused in production when it is the old default or too short."""
    given = os.environ.get("SECRET_KEY") or kept(
        key_dir / SECRET_KEY_FILE, None if production else new_secret_key
    )
    if production and (given == KNOWN_DEFAULT_SECRET or len(given) < MIN_SECRET_LENGTH):
        raise MissingKey(
            f"SECRET_KEY is a default or shorter than {MIN_SECRET_LENGTH} characters: "
            "run `epicommand make-keys` or set a long random one"
        )
    return given


def signing_key_file(key_dir: Path, *, production: bool) -> Path:
    """The file of the health-code signing key, made on first run outside production."""
    path = key_dir / SIGNING_KEY_FILE
    kept(path, None if production else new_signing_key)
    return path


def make_all(key_dir: Path) -> list[Path]:
    """`epicommand make-keys`: every key file still missing, made; the paths made."""
    made = []
    for name, make in ((SECRET_KEY_FILE, new_secret_key), (SIGNING_KEY_FILE, new_signing_key)):
        path = key_dir / name
        if not path.exists():
            write_secret(path, make(), replace=False)
            made.append(path)
    return made
