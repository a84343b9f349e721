"""The ``logistics`` command line (typer + rich).

``logistics serve`` runs everything a province needs on one machine; ``seed``, ``db``,
``worker`` and ``beat`` are the pieces. Each command lives in its own module.
"""

from __future__ import annotations

import typer

from logistics.cli import db as db_commands
from logistics.cli import files as file_commands
from logistics.cli import plan as plan_commands
from logistics.cli import seed as seed_commands
from logistics.cli import serve as serve_commands

app = typer.Typer(
    name="logistics",
    help="bcci-logistics: carriage of administrative dossiers and results by the public postal service.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db_commands.app, name="db")
app.command("seed")(seed_commands.seed)
app.command("plan")(plan_commands.plan)
app.command("plan-file")(file_commands.plan_file)
app.add_typer(file_commands.bench_app, name="bench")
app.command("serve")(serve_commands.serve)
app.command("worker", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(serve_commands.worker)
app.command("beat", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(serve_commands.beat)


def main() -> None:
    app()
