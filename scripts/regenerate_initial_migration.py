"""Rewrite migrations/versions/0001_initial_schema.py from the models.

Only until the first release lands: after that, schema changes are new revisions
(`alembic revision --autogenerate -m "..."`), never edits of 0001.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from logistics.migrate import alembic_config

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "migrations" / "versions" / "0001_initial_schema.py"


def main() -> None:
    TARGET.unlink(missing_ok=True)
    # Later revisions hang off 0001: park them while 0001 is regenerated from nothing.
    later = sorted(p for p in TARGET.parent.glob("*.py") if p != TARGET)
    parked = [p.rename(p.with_suffix(".parked")) for p in later]
    try:
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite:///{scratch}/empty.db"
            command.revision(alembic_config(url), message="initial schema", autogenerate=True, rev_id="0001")
    finally:
        for p in parked:
            p.rename(p.with_suffix(".py"))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
