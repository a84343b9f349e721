"""Planning from files: ``logistics plan-file`` (the open postal-day format) and
``logistics bench vrptw`` (VRPLIB instances), both with the product's own planner."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from logistics.cli.output import console, fail

bench_app = typer.Typer(help="Benchmarks of the planner on standard instances.", no_args_is_help=True)


def _write_json(data: dict, target: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if target is None:
        console.print_json(text)
    else:
        target.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {target}")


def plan_file(
    day_file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="a day in the open format"),
    time_limit: float = typer.Option(20.0, "--time-limit", min=0.5, help="seconds the solver may search"),
    json_out: Path = typer.Option(None, "--json", help="where to write the plan (default: print it)"),
) -> None:
    """Plan one post office's day given in the open postal-day format and write the plan in that format."""
    from logistics.routing.postal_day import DayFormatError, day_to_problem, plan_to_day
    from logistics.routing.solver import solve

    try:
        day = json.loads(day_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"invalid_day_file: {day_file} is not JSON ({error})")
    try:
        problem = day_to_problem(day)
    except DayFormatError as error:
        fail(f"invalid_day: {error}")
    plan = solve(problem, time_limit_s=time_limit)
    _write_json(plan_to_day(plan, problem), json_out)
    served = len(problem.jobs) - len(plan.unserved)
    console.print(f"{served}/{len(problem.jobs)} items served on {len(plan.used_routes)} routes, "
                  f"{plan.duration_s / 3600:.1f} route hours, {plan.distance_m / 1000:.1f} km, {plan.seconds:.1f} s")


@bench_app.command("vrptw")
def vrptw(
    instance: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="a VRPLIB .vrp file"),
    time_limit: float = typer.Option(30.0, "--time-limit", min=0.5, help="seconds the solver may search"),
    json_out: Path = typer.Option(None, "--json", help="where to write the result (default: print it)"),
) -> None:
    """Solve one VRPTW instance (DIMACS convention) with the product's planner."""
    from logistics.routing.vrplib import InstanceError, solve_vrplib

    try:
        result = solve_vrplib(instance, time_limit)
    except InstanceError as error:
        fail(f"invalid_instance: {error}")
    _write_json({k: result[k] for k in ("routes", "distance", "vehicles", "seconds")}, json_out)
    if not result.get("feasible", True):
        fail(f"infeasible_solution: {result.get('violations')}", exit_code=1)
