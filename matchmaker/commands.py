"""The `matchmaker import ...` and `matchmaker export ...` groups and what their
subcommands share.

Each feature defines its subcommands in its own `cli.py` (`attendees/cli.py`,
`exports/cli.py`, `schedule/cli.py`); `matchmaker/cli.py` adds them to these groups. Every subcommand runs inside the app context and calls the
same services as the console. Bad input exits with status 2 and ``Error: <what>``.
"""
from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from .extensions import db
from .models import Event


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
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise CommandError(f"No event with slug '{slug}'.")
    return event


def write_output(path: str, data: str | bytes, contents: str = "") -> None:
    """Write a command's output file and say so ("Wrote PATH (contents)."), or exit 2
    saying why it cannot be written."""
    try:
        if isinstance(data, bytes):
            Path(path).write_bytes(data)
        else:
            Path(path).write_text(data, encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"{path}: cannot write file: {exc.strerror or exc}") from None
    click.echo(f"Wrote {path} ({contents})." if contents else f"Wrote {path}.")


# The file option of every `matchmaker export` subcommand.
output_option = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
