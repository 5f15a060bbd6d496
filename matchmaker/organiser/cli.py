"""`matchmaker import ...` and `matchmaker export ...`: the console's file commands.

`import_group` and `export_group` are the two click groups registered by
`matchmaker/cli.py`. Every subcommand runs inside the app context and calls the same
services as the organiser console. Other features add their subcommands to these
groups from their own modules, for instance in `matchmaker/exports/cli.py`::

    from matchmaker.organiser.cli import export_group, import_group

    @export_group.command("ical")
    ...

and import that module from `_register_solver_commands()`-style code in
`matchmaker/cli.py` so that the decorators run. Bad input exits with status 2 and
``Error: <what>`` on stderr.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext


class CommandError(click.ClickException):
    """Prints ``Error: message`` and exits 2, like a usage error without the usage text."""

    exit_code = 2


@click.group("import")
def import_group() -> None:
    """Import data into an event (attendees, ...)."""


@click.group("export")
def export_group() -> None:
    """Export an event's data (attendees, ...)."""


def event_or_exit(slug: str):
    """The event with `slug`, or exit 2 with a clear message."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import Event

    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise CommandError(f"No event with slug '{slug}'.")
    return event


__all__ = ["CommandError", "event_or_exit", "export_group", "import_group", "with_appcontext"]
