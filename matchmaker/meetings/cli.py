"""`matchmaker expire-requests`: run every few minutes (cron, systemd timer)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..database import utcnow


@click.command("expire-requests")
@click.option("--event", "slug", default=None, help="Only this event (its slug).")
@with_appcontext
def expire_requests_command(slug: str | None) -> None:
    """Mark pending requests past their expiry as expired, in every event or one."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import Event
    from . import services

    query = select(Event).order_by(Event.id)
    if slug is not None:
        query = query.where(Event.slug == slug)
    events = list(db.session.scalars(query))
    if slug is not None and not events:
        raise click.ClickException(f"No event with the slug {slug!r}.")
    now = utcnow()
    expired = sum(services.expire_requests(db.session, event, now) for event in events)
    db.session.commit()
    click.echo(f"{expired} request{'s' if expired != 1 else ''} expired.")
