"""Scheduling from the command line: the same services as the console's schedule pages.

`matchmaker schedule EVENT` and `matchmaker dialogues EVENT` solve (and with
`--publish`, publish); `matchmaker export ical|tables|agendas|instance EVENT` write
files; `matchmaker import schedule EVENT FILE.json` takes a schedule solved
elsewhere. An unknown event or unreadable file exits 2; a schedule that breaks the
rules exits 1 and changes nothing.
"""
from __future__ import annotations

import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..domain import DomainError
from ..extensions import db
from ..models import Participation, RunKind, RunStatus, SolveRun, Table, User
from .cli import CommandError, event_or_exit, export_group, import_group


def calendar_host() -> str:
    """The host part of iCalendar UIDs: the same for web downloads, feeds and CLI exports."""
    from ..exports.ical import host_from_config
    return host_from_config(current_app.config)


def _write(path: str, data: str | bytes) -> None:
    try:
        if isinstance(data, bytes):
            Path(path).write_bytes(data)
        else:
            Path(path).write_text(data, encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"{path}: cannot write file: {exc.strerror or exc}") from None


def _solve(slug: str, kind: RunKind, time_limit: float, publish: bool) -> None:
    from . import publishing, runs

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
    if run.status is RunStatus.FAILED:
        raise click.ClickException(f"Run {run_id} failed: {run.message}")
    click.echo(f"Run {run_id} {run.status.value}: {run.message}")
    if publish:
        try:
            if kind is RunKind.MEETINGS:
                comparison = publishing.publish_schedule(db.session, run.event, run)
                summary = (f"{comparison.count('gained')} new, {comparison.count('moved')} moved, "
                           f"{comparison.count('lost')} dropped meetings; "
                           f"{len(comparison.affected)} participants notified.")
            else:
                comparison = publishing.publish_dialogues(db.session, run.event, run)
                summary = (f"{comparison.count('gained')} new, {comparison.count('moved')} "
                           f"moved, {comparison.count('lost')} dropped seats.")
                for clash in comparison.clashes:
                    click.echo(f"Warning: {clash}", err=True)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(f"Published run {run_id}: {summary}")


@click.command("schedule")
@click.argument("event")
@click.option("--time-limit", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to search.")
@click.option("--publish", is_flag=True, help="Publish the result and notify participants.")
@with_appcontext
def schedule_command(event: str, time_limit: float, publish: bool) -> None:
    """Schedule the one-to-one meetings of EVENT (its slug)."""
    _solve(event, RunKind.MEETINGS, time_limit, publish)


@click.command("dialogues")
@click.argument("event")
@click.option("--time-limit", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to search.")
@click.option("--publish", is_flag=True, help="Publish the seating plan.")
@with_appcontext
def dialogues_command(event: str, time_limit: float, publish: bool) -> None:
    """Seat the participants of EVENT (its slug) at the market-dialogue tables."""
    _solve(event, RunKind.DIALOGUES, time_limit, publish)


@export_group.command("ical")
@click.argument("event")
@click.option("--participant", "email", help="Only this participant's agenda (e-mail).")
@click.option("--table", "table_number", type=int, help="Only the meetings at this table.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_ical(event: str, email: str | None, table_number: int | None, output: str) -> None:
    """Write EVENT's meetings as an iCalendar file (whole event, one person or one table)."""
    from ..exports import ical

    ev = event_or_exit(event)
    if email and table_number is not None:
        raise CommandError("Give --participant or --table, not both.")
    if email:
        participation = db.session.scalar(
            select(Participation).join(User).where(Participation.event_id == ev.id,
                                                   User.email == email.strip().lower()))
        if participation is None:
            raise CommandError(f"Nobody with e-mail '{email}' takes part in '{ev.slug}'.")
        data = ical.participant_calendar(db.session, participation, calendar_host())
    elif table_number is not None:
        table = db.session.scalar(select(Table).where(Table.event_id == ev.id,
                                                      Table.number == table_number))
        if table is None:
            raise CommandError(f"Event '{ev.slug}' has no table {table_number}.")
        data = ical.table_calendar(db.session, table, calendar_host())
    else:
        data = ical.event_calendar(db.session, ev, calendar_host())
    _write(output, data)
    click.echo(f"Wrote {output}.")


@export_group.command("tables")
@click.argument("event")
@click.option("--format", "fmt", type=click.Choice(["csv", "pdf", "html"]), default="pdf",
              show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_tables(event: str, fmt: str, output: str) -> None:
    """Write EVENT's table plan: the grid, a sheet per table, the dialogue tables."""
    from ..database import utcnow
    from ..exports import tables

    ev = event_or_exit(event)
    plan = tables.table_plan(db.session, ev, now=utcnow())
    data = {"csv": tables.to_csv, "html": tables.to_html, "pdf": tables.to_pdf}[fmt](plan)
    _write(output, data)
    click.echo(f"Wrote {output} ({len(plan.sheets)} meeting tables, "
               f"{len(plan.dialogues)} dialogue tables).")


@export_group.command("agendas")
@click.argument("event")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_agendas(event: str, output: str) -> None:
    """Write every participant's agenda of EVENT to one PDF, a page each."""
    from ..exports import agendas

    ev = event_or_exit(event)
    items = agendas.agendas(db.session, ev)
    _write(output, agendas.to_pdf(ev, items))
    click.echo(f"Wrote {output} ({len(items)} agendas).")


@export_group.command("instance")
@click.argument("event")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export_instance(event: str, output: str) -> None:
    """Write EVENT's one-to-one problem as matchmaker-instance/1 JSON."""
    from ..exports.instance import instance_json

    ev = event_or_exit(event)
    try:
        text = instance_json(db.session, ev)
    except DomainError as exc:
        raise CommandError(exc.message) from None
    _write(output, text)
    click.echo(f"Wrote {output}.")


class ScheduleRefused(click.ClickException):
    exit_code = 1


@import_group.command("schedule")
@click.argument("event")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish it at once (else it is kept as a draft).")
@with_appcontext
def import_schedule(event: str, file: str, publish: bool) -> None:
    """Take a matchmaker-schedule/1 FILE for EVENT, checked against the event first."""
    from ..scheduling import FormatError, dumps_schedule, read_schedule
    from . import publishing

    ev = event_or_exit(event)
    try:
        schedule = read_schedule(file)
    except FormatError as exc:
        raise CommandError(f"{file}: {exc}" if not str(exc).startswith(file) else str(exc)) \
            from None
    try:
        _, _, violations = publishing.check_against_event(db.session, ev, schedule, strict=True)
    except DomainError as exc:
        raise CommandError(exc.message) from None
    if violations:
        db.session.rollback()
        for line in violations:
            click.echo(f"  {line}", err=True)
        raise ScheduleRefused(f"{file}: {len(violations)} rule violation"
                              f"{'s' if len(violations) != 1 else ''}; nothing was changed.")
    from ..database import utcnow
    now = utcnow()
    run = SolveRun(event_id=ev.id, kind=RunKind.MEETINGS, status=RunStatus.FINISHED,
                   time_limit_s=1.0, progress=1.0, result=dumps_schedule(schedule),
                   value=float(schedule.stats.get("weighted_value", 0) or 0),
                   message=f"Imported from {Path(file).name}: {len(schedule.assignments)} "
                           "meetings placed.", created_at=now, started_at=now, finished_at=now)
    db.session.add(run)
    db.session.flush()
    click.echo(f"Imported as run {run.id}.")
    if publish:
        try:
            comparison = publishing.publish_schedule(db.session, ev, run)
        except DomainError as exc:
            db.session.rollback()
            raise ScheduleRefused(exc.message) from None
        click.echo(f"Published: {comparison.count('gained')} new, {comparison.count('moved')} "
                   f"moved, {comparison.count('lost')} dropped meetings.")
    db.session.commit()


def register(cli: click.Group) -> None:
    cli.add_command(schedule_command, "schedule")
    cli.add_command(dialogues_command, "dialogues")
