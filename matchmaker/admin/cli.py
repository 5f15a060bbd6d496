"""`matchmaker admin ...`: the first administrator, and organiser rights from the shell."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..domain import DomainError
from ..extensions import db
from . import services


@click.group("admin", help="Administrators and organiser rights.")
def admin_group() -> None:
    pass


@admin_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="The administrator's name (default: the address).")
@click.password_option(help="The password (asked for when not given).")
@with_appcontext
def create_command(email: str, name: str, password: str) -> None:
    """Make EMAIL an administrator: a new account, or an existing one promoted."""
    try:
        user = services.account_by_email(db.session, email)
    except DomainError:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(password) < minimum:
            raise click.ClickException(f"The password needs at least {minimum} characters.")
        try:
            user = services.create_admin(
                db.session, email=email, name=name,
                password_hash=current_app.extensions["passwords"].hash(password))
        except DomainError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Administrator {user.email} created.")
        return
    services.make_admin(db.session, user)
    db.session.commit()
    click.echo(f"{user.email} is an administrator now.")


def _set_rights(email: str, granted: bool) -> None:
    try:
        user = services.account_by_email(db.session, email)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    services.set_organiser_rights(db.session, user, granted)
    db.session.commit()
    click.echo(f"{user.email} {'may' if granted else 'may no longer'} create events.")


@admin_group.command("grant-organiser")
@click.argument("email")
@with_appcontext
def grant_command(email: str) -> None:
    """Let the account EMAIL create events."""
    _set_rights(email, True)


@admin_group.command("revoke-organiser")
@click.argument("email")
@with_appcontext
def revoke_command(email: str) -> None:
    """Take back the right of the account EMAIL to create events."""
    _set_rights(email, False)
