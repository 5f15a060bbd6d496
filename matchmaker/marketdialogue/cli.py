"""`dialogue` commands: solve, check and generate market-dialogue files.

The group is plain click; the app's `matchmaker` command registers it as
`matchmaker dialogue ...`. Bad input exits 2 with ``Error: <what and where>``.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TypedDict

import click

from .. import safejson
from .check import check
from .formats import DialogueFormatError, dumps_dialogue, dumps_plan, read_dialogue, read_plan
from .generate import generate
from .solve import solve


class InputError(click.ClickException):
    """Bad input: exit status 2, like click's usage errors."""

    exit_code = 2


def _load(loader, *args):
    try:
        safejson.check_file(args[0])
        return loader(*args)
    except (DialogueFormatError, safejson.JSONLimitError) as exc:
        raise InputError(str(exc)) from None


def _write(text: str, output: str) -> None:
    if output == "-":
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror})") from None


@click.group("dialogue")
def dialogue_group() -> None:
    """Market dialogues: seat buyers and suppliers at product-group tables."""


class _Shown(TypedDict):
    """The progress line last written: when, and its rounded (value, bound)."""

    at: float
    what: tuple[int, int] | None


@dialogue_group.command("solve")
@click.argument("dialogue", type=click.Path(dir_okay=True, path_type=str))
@click.option("-o", "--output", default="-", show_default=True, help="Plan file to write ('-' for stdout).")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
              help="Seconds to search.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Solver threads.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the solver.")
def solve_command(dialogue: str, output: str, time_limit: float, workers: int, seed: int) -> None:
    """Seat DIALOGUE.json's participants and write the plan."""
    problem = _load(read_dialogue, dialogue)
    live = sys.stderr.isatty()
    shown: _Shown = {"at": -10.0, "what": None}

    def progress(elapsed: float, value: float, bound: float) -> None:
        # Rewrite one line on a terminal; in a log, a line a second at most, and news only.
        news = (round(value), round(bound))
        if news == shown["what"] or (elapsed - shown["at"] < (0.1 if live else 1.0) and value < bound):
            return
        shown["at"], shown["what"] = elapsed, news
        share = f"{100 * value / bound:.1f}% of bound" if bound > 0 else "bound 0"
        line = f"{elapsed:7.1f} s  interest {value:.0f}  bound {bound:.0f}  ({share})"
        click.echo(("\r" + line) if live else line, err=True, nl=not live)

    stop = threading.Event()
    try:
        plan = solve(problem, time_limit_s=time_limit, num_workers=workers, seed=seed, progress=progress,
                     stop=stop)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        stop.set()
        raise
    if live:
        click.echo("", err=True)
    stats = plan.stats
    click.echo(f"{plan.status}: interest {stats['interest_value']} of bound {stats['upper_bound']}, "
               f"{stats['seated']} seats, {stats['open_tables']} open and {stats['closed_tables']} closed tables, "
               f"{len(plan.unseated)} interests unseated, {stats['solve_seconds']} s", err=True)
    _write(dumps_plan(plan), output)


@dialogue_group.command("check")
@click.argument("dialogue", type=click.Path(path_type=str))
@click.argument("plan", type=click.Path(path_type=str))
def check_command(dialogue: str, plan: str) -> None:
    """List every rule PLAN.json breaks; exit 1 if any."""
    problem = _load(read_dialogue, dialogue)
    loaded = _load(read_plan, plan, problem)
    violations = check(problem, loaded)
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"{len(violations)} violation(s)", err=True)
        sys.exit(1)
    click.echo(f"valid: {len(loaded.seats)} seats, status {loaded.status}", err=True)


@dialogue_group.command("generate")
@click.option("--participants", type=click.IntRange(min=0), required=True, help="Number of participants.")
@click.option("--seed", type=int, required=True, help="Random seed.")
@click.option("--rounds", type=click.IntRange(1, 6), default=2, show_default=True, help="Rounds of dialogues.")
@click.option("--parallel", type=click.IntRange(1, 13), default=None,
              help="Dialogues per round (default: by size, 6 to 13).")
@click.option("--tables", type=click.IntRange(1, 3), default=None, help="Most tables per dialogue (default 3).")
@click.option("-o", "--output", default="-", show_default=True, help="Dialogue file to write ('-' for stdout).")
def generate_command(participants: int, seed: int, rounds: int, parallel: int | None, tables: int | None,
                     output: str) -> None:
    """Write a realistic random dialogue problem."""
    problem = generate(participants, seed, rounds=rounds, parallel=parallel, tables=tables)
    _write(dumps_dialogue(problem), output)
