"""Scheduling from the command line: the same services as the console's schedule pages.

`matchmaker schedule EVENT` and `matchmaker dialogues EVENT` solve (and with
`--publish`, publish); `matchmaker import schedule EVENT FILE.json` takes a schedule
solved elsewhere. An unknown event or unreadable file exits 2; a schedule that breaks the
rules exits 1 and changes nothing.
"""
from __future__ import annotations

import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import safejson
from ..domain import DomainError
from ..extensions import db
from ..models import RunKind, RunStatus, SolveRun
from ..commands import CommandError, event_or_exit
from ..database import utcnow
from ..scheduling import FormatError, dumps_schedule, read_schedule
from ..i18n import in_language
from . import reason_text, runs
from .compare import check_against_event
from .publish import publish_dialogues, publish_schedule


def _solve(slug: str, kind: RunKind, time_limit: float, publish: bool) -> None:
    event = event_or_exit(slug)
    try:
        run = runs.create_run(db.session, event, kind, time_limit_s=time_limit)
    except DomainError as exc:
        raise CommandError(exc.message) from None
    run_id = run.id
    # Commit, then touch no row until the job is done: a read would open a write
    # transaction (SQLite BEGIN IMMEDIATE) that the job would wait on.
    db.session.commit()
    click.echo(f"Run {run_id}: solving {'meetings' if kind is RunKind.MEETINGS else 'dialogues'} "
               f"of '{slug}' for up to {time_limit:g} s ...", err=True)
    runs.execute_run(current_app._get_current_object(), run_id, threading.Event())
    db.session.expire_all()
    run = db.session.get(SolveRun, run_id)
    with in_language("en"):
        message = runs.describe_message(run.message)
    if run.status is RunStatus.FAILED:
        raise click.ClickException(f"Run {run_id} failed: {message}")
    click.echo(f"Run {run_id} {run.status.value}: {message}")
    if publish:
        try:
            if kind is RunKind.MEETINGS:
                comparison = publish_schedule(db.session, run.event, run)
                summary = (f"{comparison.count('gained')} new, {comparison.count('moved')} moved, "
                           f"{comparison.count('lost')} dropped meetings; "
                           f"{len(comparison.affected)} participants notified.")
            else:
                comparison = publish_dialogues(db.session, run.event, run)
                summary = (f"{comparison.count('gained')} new, {comparison.count('moved')} "
                           f"moved, {comparison.count('lost')} dropped seats.")
                for clash in comparison.clashes:
                    click.echo(f"Warning: {clash}", err=True)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(f"Published run {run_id}: {summary}")


def _solve_command(name: str, kind: RunKind, description: str,
                   publish_help: str) -> click.Command:
    @click.command(name, help=description)
    @click.argument("event")
    @click.option("--time-limit", default=30.0, show_default=True,
                  type=click.FloatRange(min=0.1), help="Seconds to search.")
    @click.option("--publish", is_flag=True, help=publish_help)
    @with_appcontext
    def command(event: str, time_limit: float, publish: bool) -> None:
        _solve(event, kind, time_limit, publish)
    return command


schedule_command = _solve_command(
    "schedule", RunKind.MEETINGS, "Schedule the one-to-one meetings of EVENT (its slug).",
    "Publish the result and notify participants.")
dialogues_command = _solve_command(
    "dialogues", RunKind.DIALOGUES,
    "Seat the participants of EVENT (its slug) at the market-dialogue tables.",
    "Publish the seating plan.")


class ScheduleRefused(click.ClickException):
    exit_code = 1


@click.command("schedule")
@click.argument("event")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish it at once (else it is kept as a draft).")
@with_appcontext
def import_schedule(event: str, file: str, publish: bool) -> None:
    """Take a matchmaker-schedule/1 FILE for EVENT, checked against the event first."""
    ev = event_or_exit(event)
    try:
        safejson.check_file(file)
        schedule = read_schedule(file)
    except (FormatError, safejson.JSONLimitError) as exc:
        raise CommandError(f"{file}: {exc}" if not str(exc).startswith(file) else str(exc)) \
            from None
    try:
        _, _, violations = check_against_event(db.session, ev, schedule, strict=True)
    except DomainError as exc:
        raise CommandError(exc.message) from None
    if violations:
        db.session.rollback()
        for line in violations:
            click.echo(f"  {line}", err=True)
        raise ScheduleRefused(f"{file}: {len(violations)} rule violation"
                              f"{'s' if len(violations) != 1 else ''}; nothing was changed.")
    now = utcnow()
    run = SolveRun(event_id=ev.id, kind=RunKind.MEETINGS, status=RunStatus.FINISHED,
                   time_limit_s=1.0, progress=1.0, result=dumps_schedule(schedule),
                   value=float(schedule.stats.get("weighted_value", 0) or 0),
                   message=reason_text.encode_message(
                       reason_text.IMPORTED, file=Path(file).name[:200],
                       placed=len(schedule.assignments)), created_at=now, started_at=now, finished_at=now)
    db.session.add(run)
    db.session.flush()
    click.echo(f"Imported as run {run.id}.")
    if publish:
        try:
            comparison = publish_schedule(db.session, ev, run)
        except DomainError as exc:
            db.session.rollback()
            raise ScheduleRefused(exc.message) from None
        click.echo(f"Published: {comparison.count('gained')} new, {comparison.count('moved')} "
                   f"moved, {comparison.count('lost')} dropped meetings.")
    db.session.commit()
