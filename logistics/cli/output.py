"""Console output shared by the commands: one rich console, errors as one red line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from logistics.exceptions import DomainError

console = Console(stderr=False)
err_console = Console(stderr=True)


def fail(error: DomainError | str, *, exit_code: int = 2) -> None:
    message = f"{error.code}: {error.detail}" if isinstance(error, DomainError) else error
    err_console.print(f"[bold red]error[/] {message}")
    raise typer.Exit(exit_code)


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int, int], None]]:
    """Yield a ``progress(stage, done, total)`` callback drawing one bar per stage."""
    tasks: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as bars:

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=max(total, 1))
            bars.update(tasks[stage], completed=done, total=max(total, 1))

        yield report
