"""``logistics db ...``: schema migrations."""

from __future__ import annotations

import typer

from logistics import migrate
from logistics.cli.output import console
from logistics.config import get_settings
from logistics.db import get_engine

app = typer.Typer(help="Database schema: upgrade, downgrade, current revision.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    settings = get_settings()
    migrate.upgrade(settings.database_url, revision=revision)
    console.print(f"[green]database at {revision}[/] ({_safe_url(settings.database_url)})")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="target revision, e.g. base")) -> None:
    """Undo migrations down to REVISION."""
    migrate.downgrade(get_settings().database_url, revision=revision)
    console.print(f"[yellow]database at {revision}[/]")


@app.command()
def current() -> None:
    """Print the database's current revision."""
    with get_engine().connect() as connection:
        console.print(migrate.current_revision(connection) or "(empty database)")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
