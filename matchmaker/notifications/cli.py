"""`matchmaker send-digests`: run every few minutes (cron, systemd timer)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from ..database import utcnow


@click.command("send-digests")
@click.option("--min-interval", type=click.IntRange(0, 24 * 60), default=None,
              help="Minutes between two e-mails to one person "
                   "(default: NOTIFICATION_DIGEST_MINUTES, 30).")
@with_appcontext
def send_digests_command(min_interval: int | None) -> None:
    """E-mail waiting notifications, one e-mail (or digest) per person."""
    from ..extensions import db
    from . import services

    interval = services.default_interval() if min_interval is None else \
        timedelta(minutes=min_interval)
    sent = services.send_digests(db.session, utcnow(), interval)
    db.session.commit()
    click.echo(f"{sent} e-mail{'s' if sent != 1 else ''} sent.")
