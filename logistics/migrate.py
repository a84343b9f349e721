"""Run the Alembic migrations from code (the CLI, ``logistics serve`` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from logistics.exceptions import ConfigurationError


def _project_root_candidates() -> list[Path]:
    here = Path(__file__).resolve().parent.parent
    return [Path.cwd(), here]


def alembic_config(database_url: str | None = None) -> Config:
    for root in _project_root_candidates():
        if (root / "migrations" / "env.py").is_file():
            config = Config(str(root / "alembic.ini")) if (root / "alembic.ini").is_file() else Config()
            config.set_main_option("script_location", str(root / "migrations"))
            if database_url:
                config.attributes["database_url"] = database_url
            return config
    raise ConfigurationError("The migrations/ folder was not found next to the project.", code="no_migrations")


def upgrade(database_url: str | None = None, *, connection: Connection | None = None, revision: str = "head") -> None:
    config = alembic_config(database_url)
    if connection is not None:
        config.attributes["connection"] = connection
    command.upgrade(config, revision)


def downgrade(database_url: str | None = None, *, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
