"""`matchmaker export ical|tables|agendas|instance EVENT`: the files the console offers
for download, written by the same functions."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..commands import CommandError, event_or_exit, output_option, write_output
from ..database import utcnow
from ..domain import DomainError
from ..extensions import db
from ..models import Participation, Table, User
from . import agendas, ical, tables
from .instance import instance_json


@click.command("ical")
@click.argument("event")
@click.option("--participant", "email", help="Only this participant's agenda (e-mail).")
@click.option("--table", "table_number", type=int, help="Only the meetings at this table.")
@output_option
@with_appcontext
def export_ical(event: str, email: str | None, table_number: int | None, output: str) -> None:
    """Write EVENT's meetings as an iCalendar file (whole event, one person or one table)."""
    ev = event_or_exit(event)
    if email and table_number is not None:
        raise CommandError("Give --participant or --table, not both.")
    if email:
        participation = db.session.scalar(
            select(Participation).join(User).where(Participation.event_id == ev.id,
                                                   User.email == email.strip().lower()))
        if participation is None:
            raise CommandError(f"Nobody with e-mail '{email}' takes part in '{ev.slug}'.")
        data = ical.participant_calendar(db.session, participation, ical.host_from_config(current_app.config))
    elif table_number is not None:
        table = db.session.scalar(select(Table).where(Table.event_id == ev.id,
                                                      Table.number == table_number))
        if table is None:
            raise CommandError(f"Event '{ev.slug}' has no table {table_number}.")
        data = ical.table_calendar(db.session, table, ical.host_from_config(current_app.config))
    else:
        data = ical.event_calendar(db.session, ev, ical.host_from_config(current_app.config))
    write_output(output, data)


@click.command("tables")
@click.argument("event")
@click.option("--format", "fmt", type=click.Choice(["csv", "pdf", "html"]), default="pdf",
              show_default=True)
@output_option
@with_appcontext
def export_tables(event: str, fmt: str, output: str) -> None:
    """Write EVENT's table plan: the grid, a sheet per table, the dialogue tables."""
    ev = event_or_exit(event)
    plan = tables.table_plan(db.session, ev, now=utcnow())
    data = {"csv": tables.to_csv, "html": tables.to_html, "pdf": tables.to_pdf}[fmt](plan)
    write_output(output, data, f"{len(plan.sheets)} meeting tables, "
                               f"{len(plan.dialogues)} dialogue tables")


@click.command("agendas")
@click.argument("event")
@output_option
@with_appcontext
def export_agendas(event: str, output: str) -> None:
    """Write every participant's agenda of EVENT to one PDF, a page each."""
    ev = event_or_exit(event)
    items = agendas.agendas(db.session, ev)
    write_output(output, agendas.to_pdf(ev, items), f"{len(items)} agendas")


@click.command("instance")
@click.argument("event")
@output_option
@with_appcontext
def export_instance(event: str, output: str) -> None:
    """Write EVENT's one-to-one problem as matchmaker-instance/1 JSON."""
    ev = event_or_exit(event)
    try:
        text = instance_json(db.session, ev)
    except DomainError as exc:
        raise CommandError(exc.message) from None
    write_output(output, text)
