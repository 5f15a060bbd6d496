"""Notifications: queue what a person should hear about, e-mail it without flooding them.

Every notification is a row. A person who has not been e-mailed within the digest
interval gets their unsent notifications at once; otherwise they wait and
`send_digests` (the `matchmaker send-digests` command, run every few minutes) groups
them into one e-mail when the interval has passed. One waiting notification goes out
as a plain e-mail, several as a digest.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Iterable

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..database import utcnow
from ..i18n import in_language
from ..mail import send_mail
from ..models import Event, Notification, Participation

DEFAULT_INTERVAL = timedelta(minutes=30)

REQUEST_RECEIVED = "request_received"
REQUEST_ACCEPTED = "request_accepted"
REQUEST_DECLINED = "request_declined"
REQUEST_CANCELLED = "request_cancelled"
SCHEDULE_PUBLISHED = "schedule_published"
SCHEDULE_CHANGED = "schedule_changed"
MEETING_BOOKED = "meeting_booked"
MEETING_MOVED = "meeting_moved"
MEETING_REMINDER = "meeting_reminder"

SUBJECTS = {
    REQUEST_RECEIVED: _l("New meeting request"),
    REQUEST_ACCEPTED: _l("Your meeting request was accepted"),
    REQUEST_DECLINED: _l("Your meeting request was declined"),
    REQUEST_CANCELLED: _l("A meeting was cancelled"),
    SCHEDULE_PUBLISHED: _l("Your meeting schedule is ready"),
    SCHEDULE_CHANGED: _l("Your meeting schedule changed"),
    MEETING_BOOKED: _l("A meeting was added to your agenda"),
    MEETING_MOVED: _l("A meeting moved to another time"),
    MEETING_REMINDER: _l("Your next meeting"),
}
LINKS = {
    REQUEST_RECEIVED: "requests", REQUEST_ACCEPTED: "agenda", REQUEST_DECLINED: "requests",
    REQUEST_CANCELLED: "agenda", SCHEDULE_PUBLISHED: "agenda", SCHEDULE_CHANGED: "agenda",
    MEETING_BOOKED: "agenda", MEETING_MOVED: "agenda",
    MEETING_REMINDER: "agenda",
}


def default_interval() -> timedelta:
    minutes = current_app.config.get("NOTIFICATION_DIGEST_MINUTES")
    return DEFAULT_INTERVAL if minutes is None else timedelta(minutes=int(minutes))


def queue(session: Session, participation: Participation, kind: str, text: str,
          now: datetime) -> Notification:
    if kind not in SUBJECTS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(participation=participation, kind=kind, text=text,
                                created_at=now)
    session.add(notification)
    session.flush()
    return notification


def record_sent(session: Session, participation_id: int, kind: str, text: str,
                now: datetime) -> Notification:
    """A notice whose e-mail went out on its own (a meeting reminder): shown in the app,
    never repeated by a digest."""
    if kind not in SUBJECTS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(participation_id=participation_id, kind=kind, text=text,
                                created_at=now, sent_at=now)
    session.add(notification)
    return notification


def notify(session: Session, participation: Participation, kind: str, text: str,
           now: datetime, min_interval: timedelta | None = None) -> Notification:
    """Queue a notification and e-mail it now unless the person was e-mailed recently."""
    notification = queue(session, participation, kind, text, now)
    deliver(session, [participation.user_id], now, min_interval)
    return notification


def notify_schedule_changed(session: Session, event: Event,
                            participations: Iterable[Participation], kind: str,
                            now: datetime | None = None,
                            min_interval: timedelta | None = None) -> int:
    """Tell participants their schedule was published or changed; returns e-mails sent.

    `kind` is "published" or "changed". For the organiser console after a
    (re)publication.
    """
    kinds = {"published": SCHEDULE_PUBLISHED, "changed": SCHEDULE_CHANGED}
    if kind not in kinds:
        raise ValueError("kind is 'published' or 'changed'")
    now = now or utcnow()
    users = []
    for participation in participations:
        # The text is stored as it will be e-mailed: in the recipient's language.
        with in_language(participation.user.language):
            text = (_("The meeting schedule of %(event)s is published: see your meetings, "
                      "times and tables in your agenda.", event=event.name)
                    if kind == "published" else
                    _("Your meetings at %(event)s changed: check the new times and tables "
                      "in your agenda.", event=event.name))
        queue(session, participation, kinds[kind], text, now)
        users.append(participation.user_id)
    return deliver(session, users, now, min_interval)


def _last_sent(session: Session, user_ids: Iterable[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(Participation.user_id, func.max(Notification.sent_at))
        .join(Notification.participation)
        .where(Participation.user_id.in_(list(user_ids)), Notification.sent_at.is_not(None))
        .group_by(Participation.user_id))
    return {user_id: _aware(sent) for user_id, sent in rows if sent is not None}


def _aware(moment: datetime) -> datetime:
    # func.max() bypasses the column type, so SQLite returns a naive (UTC) value or text.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _unsent(session: Session, user_ids: Iterable[int] | None) -> dict[int, list[Notification]]:
    query = (select(Notification).join(Notification.participation)
             .where(Notification.sent_at.is_(None))
             .options(selectinload(Notification.participation).selectinload(Participation.user),
                      selectinload(Notification.participation).selectinload(Participation.event))
             .order_by(Notification.created_at, Notification.id))
    if user_ids is not None:
        query = query.where(Participation.user_id.in_(list(user_ids)))
    grouped: dict[int, list[Notification]] = defaultdict(list)
    for notification in session.scalars(query):
        grouped[notification.participation.user_id].append(notification)
    return grouped


def deliver(session: Session, user_ids: Iterable[int] | None, now: datetime,
            min_interval: timedelta | None = None) -> int:
    """E-mail the unsent notifications of these users (all users if None), one e-mail
    each, skipping those e-mailed within `min_interval`. Returns the e-mails sent."""
    interval = default_interval() if min_interval is None else min_interval
    if user_ids is None:
        pending = _unsent(session, None)
        last = _last_sent(session, pending.keys())
    else:  # most were e-mailed a moment ago: read what waits only for those due
        user_ids = list(user_ids)
        last = _last_sent(session, user_ids)
        due = [u for u in user_ids if u not in last or now - last[u] >= interval]
        pending = _unsent(session, due) if due else {}
    sent = 0
    for user_id, notifications in pending.items():
        if user_id in last and now - last[user_id] < interval:
            continue
        _send(notifications)
        for notification in notifications:
            notification.sent_at = now
        sent += 1
    session.flush()
    return sent


def send_digests(session: Session, now: datetime, min_interval: timedelta) -> int:
    """Send every person's waiting notifications whose interval has passed."""
    return deliver(session, None, now, min_interval)


def _base_url() -> str:
    """Where the site lives, for links in e-mails: BASE_URL, else SERVER_NAME."""
    config = current_app.config
    if config.get("BASE_URL"):
        return config["BASE_URL"].rstrip("/")
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME', 'https')}://{config['SERVER_NAME']}"
    return ""


def _link(notification: Notification) -> str:
    base = _base_url()
    page = LINKS[notification.kind]
    return f"{base}/events/{notification.participation.event.slug}/{page}"


def _send(notifications: list[Notification]) -> None:
    """One e-mail in the recipient's language. A notification's text was written in
    that language when it was queued."""
    user = notifications[0].participation.user
    with in_language(user.language):
        greeting = _("Hello %(name)s,", name=user.name) + "\n\n"
        footer = "\n\n-- \n" + _("matchmaker, Buyer meets Supplier events") + "\n"
        if len(notifications) == 1:
            only = notifications[0]
            subject = f"{SUBJECTS[only.kind]} · {only.participation.event.name}"
            body = greeting + only.text + "\n\n" + _("Open: %(link)s", link=_link(only)) + footer
        else:
            subject = ngettext("%(num)d update from matchmaker", "%(num)d updates from matchmaker",
                               len(notifications))
            items = "\n\n".join(
                f"* {SUBJECTS[n.kind]} ({n.participation.event.name})\n  {n.text}\n  "
                + _("Open: %(link)s", link=_link(n)) for n in notifications)
            body = (greeting + _("Here is what happened since our last e-mail:") + "\n\n"
                    + items + footer)
    send_mail(user.email, subject, body)
