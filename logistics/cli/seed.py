"""``logistics seed``: a realistic demo province from the real commune geography."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.table import Table

from logistics.cli.output import console, fail, progress_bars
from logistics.config import get_settings
from logistics.db import session_scope
from logistics.exceptions import ConfigurationError, DomainError


def demo_day(today: date | None = None) -> date:
    """The day the demo plans: today if it is a working day, else the next one."""
    from logistics.workdays import WorkCalendar

    settings = get_settings()
    today = today or datetime.now(settings.tz).date()
    calendar = WorkCalendar.default()
    return today if calendar.is_working_day(today) else calendar.next_working_day(today)


def seed_demo(*, province: str, seed: int, day: date | None, volume: int) -> None:
    from logistics.demo import DEMO_SECRET, seed_province

    if get_settings().sms_backend != "console":
        # Generated phone numbers are valid Vietnamese mobiles and may belong to real people.
        raise ConfigurationError("Demo data may only be seeded with SMS_BACKEND=console: its generated phone "
                                 "numbers could belong to real people.", code="demo_needs_console_sms")
    day = day or demo_day()
    with progress_bars() as progress, session_scope() as session:
        summary = seed_province(session, province=province, seed=seed, day=day, volume=volume, progress=progress)
    table = Table(title=f"Seeded {province} for {day.isoformat()}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in summary.as_rows():
        table.add_row(name, str(value))
    console.print(table)
    console.print(f"Demo users sign in with the PIN [bold]{DEMO_SECRET}[/] (admin: [bold]{summary.admin_username}[/]).")


def seed(
    province: str = typer.Option(None, help="province name or code, e.g. 'Gia Lai' (default: DEMO_PROVINCE)"),
    seed: int = typer.Option(None, help="random seed: the same seed gives the same data"),
    day: datetime = typer.Option(None, "--date", formats=["%Y-%m-%d"], help="the day to fill (default: next working day)"),
    volume: int = typer.Option(600, min=1, max=50_000, help="items in the day"),
) -> None:
    """Fill the database with a demo province: counters, agencies, post offices, postmen and a day of items."""
    settings = get_settings()
    try:
        seed_demo(
            province=province or settings.demo_province,
            seed=settings.demo_seed if seed is None else seed,
            day=day.date() if day else None,
            volume=volume,
        )
    except DomainError as error:
        fail(error)
