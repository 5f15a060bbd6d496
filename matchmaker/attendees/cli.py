"""`matchmaker import attendees` and `matchmaker export attendees`: the attendee list as
a file, through the same services as the console."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..database import commit_and_pause
from ..domain import DomainError
from ..extensions import db
from . import invitations, services
from ..commands import CommandError, event_or_exit


@click.command("attendees")
@click.argument("event_slug", metavar="EVENT")
@click.argument("file", metavar="FILE.csv", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--only-valid", is_flag=True, help="Import the valid rows, skip the bad ones.")
@click.option("--no-invite", is_flag=True, help="Do not e-mail invitations to new accounts.")
@with_appcontext
def import_attendees_command(event_slug: str, file: str, only_valid: bool,
                             no_invite: bool) -> None:
    """Add the attendees of FILE.csv to EVENT (columns: name, email, organisation, role,
    product_groups). Bad rows are reported by line; nothing is imported while there are
    any, unless --only-valid."""

    event = event_or_exit(event_slug)
    try:
        if file == "-":
            data = click.get_binary_stream("stdin").read(services.MAX_BYTES + 1)
        else:
            with open(file, "rb") as handle:
                data = handle.read(services.MAX_BYTES + 1)
    except OSError as error:
        raise CommandError(f"{file}: cannot read the file: {error.strerror or error}") from None
    try:
        parsed = services.parse_attendees(db.session, event, services.decode_upload(data))
    except DomainError as error:
        raise CommandError(f"{file}: {error.message}") from None
    for line in parsed.report():
        click.echo(f"{file}: {line}", err=True)
    if parsed.bad and not only_valid:
        raise CommandError(f"{len(parsed.bad)} bad row(s) in {file}; nothing imported. Correct "
                           "them, or use --only-valid to import the other rows.")
    result = services.import_attendees(db.session, event, parsed, only_valid=only_valid,
                                       chunk_done=commit_and_pause(db.session))
    db.session.commit()
    click.echo(f"{len(result.added)} attendee(s) added to '{event.slug}', "
               f"{len(result.new_users)} new account(s), {result.unchanged} already registered, "
               f"{result.skipped_bad} bad row(s) skipped.")
    if result.new_users and not no_invite:
        base_url = current_app.config.get("BASE_URL") or "http://localhost:5000"
        with current_app.test_request_context("/", base_url=base_url):
            sent, failed = invitations.send_invitations(result.new_users, event)
        click.echo(f"{sent} invitation(s) sent (links on {base_url}).")
        for email in failed:
            click.echo(f"Invitation to {email} not sent; retry from the console.", err=True)


@click.command("attendees")
@click.argument("event_slug", metavar="EVENT")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The CSV file to write ('-' for standard output).")
@with_appcontext
def export_attendees_command(event_slug: str, output: str) -> None:
    """Write EVENT's attendee list as CSV (formula-like cells neutralised)."""

    event = event_or_exit(event_slug)
    text = services.export_csv(db.session, event)
    if output == "-":
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise CommandError(f"{output}: cannot write the file: {error.strerror or error}") from None
    click.echo(f"{text.count(chr(10)) - 1} attendee(s) written to {output}.", err=True)
