"""The `matchmaker` command: Flask's commands plus the web and solver commands."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False,
             help="Buyer meets Supplier events: matchmaking, market dialogues, market place.")
def cli() -> None:
    pass


@cli.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database and load the reference data."""
    from .extensions import db
    from .maintenance import init_db

    added = init_db()
    db.session.commit()
    click.echo(f"Database is up to date ({_safe_url()}); {added} reference rows added.")


@cli.command("seed-demo")
@click.option("--attendees", default=200, show_default=True, type=click.IntRange(8, 20000),
              help="How many participants the demo event gets.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has the demo event.")
@click.option("--reset", is_flag=True,
              help="Delete the demo event, its accounts and organisations, then seed again.")
@with_appcontext
def seed_demo_command(attendees: int, seed: int, if_empty: bool, reset: bool) -> None:
    """Load the realistic demo event (slug `demo`) and print its accounts."""
    from .demo import demo_accounts, demo_exists, remove_demo, seed_demo
    from .extensions import db

    if reset and if_empty:
        raise click.UsageError("Use either --reset or --if-empty, not both.")
    password = current_app.config["DEMO_PASSWORD"]
    if reset and demo_exists(db.session):
        remove_demo(db.session)
        click.echo("The old demo event is deleted.")
    if demo_exists(db.session):
        if not if_empty:
            raise click.ClickException(
                "The demo event exists already; use --reset to start it over.")
        click.echo("The demo event is loaded.")
    else:
        summary = seed_demo(db.session, attendees=attendees, seed=seed,
                            password_hash=current_app.extensions["passwords"].hash(password))
        db.session.commit()
        click.echo(f"Demo event '{summary.event.name}' loaded: {summary.participants} "
                   f"participants, {summary.requests} meeting requests.")
    click.echo("Demo accounts:")
    for email, role in demo_accounts(password):
        click.echo(f"  {email:<28} {role}")
    click.echo("  ... and buyer2, supplier2, facilitator2 ... with the same password.")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(
        hide_password=True)


def _register_commands() -> None:
    """The solver, console, notification and worker commands, each from its feature."""
    from .admin.cli import admin_group
    from .marketdialogue.cli import dialogue_group
    from .due_cli import send_due_command, send_reminders_command
    from .notifications.cli import send_digests_command
    from .meetings.cli import expire_requests_command
    from .attendees.cli import export_attendees_command, import_attendees_command
    from .commands import export_group, import_group
    from .exports.cli import export_agendas, export_ical, export_instance, export_tables
    from .schedule.cli import dialogues_command, import_schedule, schedule_command
    from .schedule.queue_rq import worker_command

    import_group.add_command(import_attendees_command, "attendees")
    import_group.add_command(import_schedule, "schedule")
    for command, name in ((export_attendees_command, "attendees"), (export_ical, "ical"),
                          (export_tables, "tables"), (export_agendas, "agendas"),
                          (export_instance, "instance")):
        export_group.add_command(command, name)
    from .scheduling.cli import check_command, generate_command, solve_command

    cli.add_command(solve_command, "solve")
    cli.add_command(check_command, "check")
    cli.add_command(generate_command, "generate")
    cli.add_command(dialogue_group, "dialogue")
    cli.add_command(import_group, "import")
    cli.add_command(export_group, "export")
    cli.add_command(send_digests_command)
    cli.add_command(expire_requests_command)
    cli.add_command(send_due_command)
    cli.add_command(send_reminders_command)
    cli.add_command(worker_command)
    cli.add_command(schedule_command, "schedule")
    cli.add_command(dialogues_command, "dialogues")
    cli.add_command(admin_group, "admin")


_register_commands()


def main() -> None:
    cli.main(args=sys.argv[1:], prog_name="matchmaker")
