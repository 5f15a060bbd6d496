"""`matchmaker send-due` and `matchmaker send-reminders`: run every minute (cron, systemd
timer) or with `--loop` beside the web process."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext


@click.command("send-due")
@click.option("--loop", is_flag=True, help="Keep running, looking every --every seconds.")
@click.option("--every", type=click.IntRange(5, 3600), default=60, show_default=True,
              help="Seconds between two looks with --loop.")
@with_appcontext
def send_due_command(loop: bool, every: int) -> None:
    """Send what is due: meeting reminders, broadcast batches, outcome questions."""
    from .duejobs import send_due
    from .extensions import db

    while True:
        report = send_due(db.session)
        click.echo(f"{report.reminders} reminder(s), {report.broadcast_mails} broadcast "
                   f"e-mail(s), {report.outcome_mails} outcome question e-mail(s) sent.")
        db.session.remove()
        if not loop:
            return
        time.sleep(every)


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Send the meeting reminders that are due (REMINDER_MINUTES before each meeting)."""
    from .database import utcnow
    from .duejobs import send_reminders
    from .extensions import db

    click.echo(f"{send_reminders(db.session, utcnow())} reminder(s) sent.")
