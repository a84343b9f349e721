"""``logistics plan``: plan a post office's day with a progress bar and a summary."""

from __future__ import annotations

import time
from datetime import datetime

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import select

from logistics.cli.output import console, fail
from logistics.db import session_scope
from logistics.exceptions import DomainError, NotFound
from logistics.models import PostOffice


def plan(
    post_office: str = typer.Option(..., "--post-office", help="post office code"),
    day: datetime = typer.Option(..., "--date", formats=["%Y-%m-%d"], help="the day to plan"),
    time_limit: float = typer.Option(20.0, "--time-limit", min=1.0, help="seconds the solver may search"),
    reoptimise: bool = typer.Option(False, "--reoptimise", help="re-plan a day in progress from now: done stops "
                                    "and pins kept, postmen from where they are"),
) -> None:
    """Plan a post office's day (routes, stops, arrival windows) and print a summary."""
    from logistics.routing.reoptimise import reoptimise_post_office_day
    from logistics.routing.service import plan_post_office_day

    planner = reoptimise_post_office_day if reoptimise else plan_post_office_day

    try:
        with session_scope() as session:
            office = session.exec(select(PostOffice).where(PostOffice.code == post_office)).first()
            if office is None:
                raise NotFound(f"No post office with code {post_office!r}.", code="post_office_not_found")
            with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bars:
                task = bars.add_task(f"{'re-planning' if reoptimise else 'planning'} {office.code} {day.date()}",
                                     total=time_limit)
                started = time.monotonic()

                def progress(_info: dict) -> None:
                    bars.update(task, completed=min(time.monotonic() - started, time_limit))

                summary = planner(session, post_office_id=office.id, day=day.date(),
                                  time_limit_s=time_limit, progress=progress)
                bars.update(task, completed=time_limit)
    except DomainError as error:
        fail(error)
    table = Table(title=f"Plan of {summary.post_office_code} on {summary.day}")
    for column in ("routes", "stops", "items", "km", "hours", "unserved (mandatory)", "seconds"):
        table.add_column(column, justify="right")
    mandatory = sum(u.mandatory for u in summary.unserved)
    table.add_row(str(summary.routes), str(summary.stops), str(summary.items), f"{summary.distance_m / 1000:.1f}",
                  f"{summary.duration_s / 3600:.1f}", f"{len(summary.unserved)} ({mandatory})", f"{summary.seconds:.1f}")
    console.print(table)
    if summary.unserved:
        reasons = Table(title="Unserved items")
        reasons.add_column("S10")
        reasons.add_column("reason")
        reasons.add_column("mandatory")
        for u in summary.unserved[:50]:
            reasons.add_row(u.s10, u.reason, "yes" if u.mandatory else "no")
        console.print(reasons)
