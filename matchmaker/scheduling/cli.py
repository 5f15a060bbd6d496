"""Click commands for the one-to-one scheduler; the app's `matchmaker` CLI registers them.

Bad input exits with status 2 and ``Error: <what and where>`` on stderr, never
a traceback; `check` exits 1 when the schedule breaks a rule.
"""
from __future__ import annotations

import sys
import time

import click

from .. import safejson
from .check import check, schedule_metrics
from .formats import FormatError, read_instance, read_schedule, write_instance, write_schedule
from .generate import generate
from .reasons import describe
from .solve import solve

UNSCHEDULED_LISTED = 10


class _PlainError(click.ClickException):
    """Prints ``Error: message`` and exits 2, like a usage error but without usage text."""

    exit_code = 2


def _load_instance(path: str):
    try:
        safejson.check_file(path)
        return read_instance(path)
    except (FormatError, safejson.JSONLimitError) as exc:
        raise _PlainError(f"{path}: {exc}" if not str(exc).startswith(path) else str(exc)) from None


class _ProgressLine:
    """One self-overwriting line on stderr: elapsed, best value, bound, gap, and in the
    second phase idle gaps with their bound."""

    def __init__(self) -> None:
        self.last = 0.0
        self.tty = sys.stderr.isatty()
        self.gaps: int | None = None
        self.gaps_bound: int | None = None

    def __call__(self, elapsed: float, value: float, bound: float, *, idle_gaps: int | None = None,
                 idle_gaps_bound: int | None = None, phase: str | None = None) -> None:
        if idle_gaps is not None:
            self.gaps = idle_gaps
        if idle_gaps_bound is not None:
            self.gaps_bound = idle_gaps_bound
        now = time.monotonic()
        if now - self.last < 0.5 and self.tty:
            return
        self.last = now
        gap = 100.0 * (bound - value) / bound if bound else 0.0
        line = f"{elapsed:7.1f}s  value {value:.0f}  bound {bound:.0f}  gap {gap:.2f}%"
        if self.gaps is not None:
            line += f"  idle gaps {self.gaps}"
            if self.gaps_bound is not None:
                line += f" (bound {self.gaps_bound})"
        if self.tty:
            click.echo("\r" + line + "\x1b[K", err=True, nl=False)
        else:
            click.echo(line, err=True)

    def close(self) -> None:
        if self.tty:
            click.echo("", err=True)


@click.command("solve")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the schedule (matchmaker-schedule/1).")
@click.option("--time-limit", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to search.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Search workers; 1 with a seed gives the same schedule every run.")
@click.option("--seed", default=0, show_default=True, type=int)
def solve_command(instance: str, output: str, time_limit: float, workers: int, seed: int) -> None:
    """Schedule the one-to-one meetings of INSTANCE.json."""
    problem = _load_instance(instance)
    line = _ProgressLine()
    try:
        schedule = solve(problem, time_limit_s=time_limit, num_workers=workers, seed=seed,
                         progress=line)
    except FormatError as exc:
        raise _PlainError(f"{instance}: {exc}") from None
    finally:
        line.close()
    try:
        write_schedule(schedule, output)
    except OSError as exc:
        raise _PlainError(f"{output}: cannot write file: {exc.strerror or exc}") from None
    s = schedule.stats
    click.echo(f"{schedule.status}: {s['scheduled']} of {s['requested']} meetings, value "
               f"{s['weighted_value']} (bound {s['upper_bound']}), {s['idle_gaps']} idle gaps "
               f"(bound {s['idle_gaps_bound']}), {s['solve_seconds']:.1f}s -> {output}", err=True)
    for left in schedule.unscheduled[:UNSCHEDULED_LISTED]:
        click.echo(f"  {left.meeting}: {describe(left.code, left.params) if left.code else left.reason}",
                   err=True)
    if len(schedule.unscheduled) > UNSCHEDULED_LISTED:
        click.echo(f"  ... {len(schedule.unscheduled) - UNSCHEDULED_LISTED} more unscheduled "
                   f"(see {output})", err=True)


@click.command("check")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.argument("schedule", type=click.Path(dir_okay=False))
def check_command(instance: str, schedule: str) -> None:
    """List every rule SCHEDULE.json breaks for INSTANCE.json (exit 1 if any)."""
    problem = _load_instance(instance)
    try:
        safejson.check_file(schedule)
        result = read_schedule(schedule)
    except (FormatError, safejson.JSONLimitError) as exc:
        raise _PlainError(f"{schedule}: {exc}" if not str(exc).startswith(schedule)
                          else str(exc)) from None
    violations = check(problem, result)
    for v in violations:
        click.echo(str(v))
    m = schedule_metrics(problem, result)
    if violations:
        click.echo(f"{len(violations)} violation(s)", err=True)
        sys.exit(1)
    click.echo(f"valid: {m['scheduled']} of {m['requested']} meetings, value "
               f"{m['weighted_value']}, {m['idle_gaps']} idle gaps ({m['idle_slots']} idle slots), "
               f"{m['table_changes']} table changes, {m['moved_from_previous']} moved")


@click.command("generate")
@click.option("--attendees", required=True, type=click.IntRange(min=3))
@click.option("--seed", required=True, type=int)
@click.option("--days", default=1, show_default=True, type=click.IntRange(1, 2))
@click.option("--slots", default=16, show_default=True, type=click.IntRange(min=1))
@click.option("--stands", is_flag=True, help="Some suppliers have their own stand.")
@click.option("--scarce-tables", is_flag=True, help="Fewer shared tables than meetings need.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def generate_command(attendees: int, seed: int, days: int, slots: int, stands: bool,
                     scarce_tables: bool, output: str) -> None:
    """Write a random, realistic instance (matchmaker-instance/1)."""
    if slots < days:
        raise _PlainError("--slots must be at least --days")
    problem = generate(attendees, seed, days=days, slots=slots, stands=stands,
                       scarce_tables=scarce_tables)
    try:
        write_instance(problem, output)
    except OSError as exc:
        raise _PlainError(f"{output}: cannot write file: {exc.strerror or exc}") from None
    click.echo(f"{len(problem.participants)} participants, {len(problem.meetings)} meetings, "
               f"{len(problem.slots)} slots, {len(problem.tables)} tables -> {output}", err=True)


@click.group()
def cli() -> None:
    """One-to-one meeting scheduler."""


cli.add_command(solve_command)
cli.add_command(check_command)
cli.add_command(generate_command)

if __name__ == "__main__":
    cli()
