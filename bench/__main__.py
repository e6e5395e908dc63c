"""Run every benchmark module (`bench/*_bench.py`); print one JSON object per line.

Each module defines `run() -> list[dict]`. Modules that need the database get a fresh
SQLite file (or DATABASE_URL), migrated and seeded with the demo data, set up here once.
Usage: `make bench` or `python -m bench [name ...]` to run only some modules.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wpl.settings.test")
    var = Path(__file__).resolve().parent.parent / "var"
    var.mkdir(exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        db = var / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from wpl.demo import seed_demo

    seed_demo()


def main(argv: list[str]) -> int:
    wanted = set(argv)
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.endswith("_bench")
    )
    if wanted:
        names = [n for n in names if n in wanted or n.removesuffix("_bench") in wanted]
        unknown = wanted - set(names) - {n.removesuffix("_bench") for n in names}
        if unknown:
            print(f"No benchmark named {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
    # stdout carries only the JSON figures: anything else printed while setting up or
    # benchmarking (commands, libraries, stray prints) goes to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        setup_django()
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            print(f"# {name}", file=sys.stderr)
            for figure in module.run():
                print(json.dumps(figure), file=out, flush=True)
    finally:
        sys.stdout = out
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
