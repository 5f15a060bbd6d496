"""Broadcasts: choose a segment, preview it, send in batches.

Recipients are worked out when each batch is sent (`next_mails`): people who turned off
e-mails from organisers in the meantime are skipped. A `MailReceipt` (broadcast, person)
is written in the transaction that queues each e-mail (`claim`), so a batch sent again
after a restart skips everyone already served. `duejobs` sends a batch through one SMTP
connection, committing each e-mail's claim on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..i18n import in_language
from ..links import external_url
from ..mail import send_mail
from ..models import (Booking, Broadcast, Event, MailReceipt, Participation, ProductGroup, Role,
                      User, participation_product_group)

KIND = "broadcast"
SAMPLE_SIZE = 5

SEGMENTS = {
    "everyone": _l("Everyone"),
    "buyers": _l("Buyers"),
    "suppliers": _l("Suppliers"),
    "group": _l("A product group"),
    "checked_in": _l("Checked in"),
    "no_meetings": _l("No meetings yet"),
}


@dataclass(frozen=True)
class BroadcastMail:
    """One e-mail of a broadcast written out: plain data, which outlives the session's
    objects (each commit expires them)."""

    participation_id: int
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Preview:
    recipients: int
    opted_out: int
    sample: list[Participation]


def segment_query(event: Event, segment: str, group: ProductGroup | None) -> Select:
    """The participations of `segment`, opted-out people included."""
    if segment not in SEGMENTS:
        raise DomainError(_("Choose who receives the message."), field="segment")
    query = select(Participation).where(Participation.event_id == event.id)
    if segment == "buyers":
        query = query.where(Participation.role == Role.BUYER)
    elif segment == "suppliers":
        query = query.where(Participation.role == Role.SUPPLIER)
    elif segment == "group":
        if group is None:
            raise DomainError(_("Choose a product group."), field="product_group")
        query = query.where(exists().where(
            participation_product_group.c.participation_id == Participation.id,
            participation_product_group.c.product_group_id == group.id))
    elif segment == "checked_in":
        query = query.where(Participation.checked_in_at.is_not(None))
    elif segment == "no_meetings":
        query = query.where(Participation.role != Role.ORGANISER, ~exists().where(
            Booking.participation_id == Participation.id))
    return query


def _reachable(query: Select) -> Select:
    return query.join(User, Participation.user_id == User.id).where(User.organiser_mail.is_(True))


def preview(session: Session, event: Event, segment: str, group: ProductGroup | None) -> Preview:
    query = segment_query(event, segment, group)
    everyone = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    reachable = _reachable(query)
    count = session.execute(select(func.count()).select_from(reachable.subquery())).scalar_one()
    sample = list(session.scalars(reachable.options(selectinload(Participation.user),
                                                    selectinload(Participation.organisation))
                                  .order_by(User.name, Participation.id).limit(SAMPLE_SIZE)))
    return Preview(recipients=count, opted_out=everyone - count, sample=sample)


def create_broadcast(session: Session, event: Event, *, author: User | None, segment: str,
                     group: ProductGroup | None, subject: str, body: str,
                     now: datetime) -> Broadcast:
    """Save a broadcast ready to send; `duejobs.send_broadcasts` sends its batches."""
    if not subject.strip() or not body.strip():
        raise DomainError(_("Write a subject and a message."), field="body")
    counted = preview(session, event, segment, group)
    if counted.recipients == 0:
        raise DomainError(_("Nobody in this segment receives e-mails from organisers."),
                          field="segment")
    broadcast = Broadcast(event=event, segment=segment,
                          product_group=group if segment == "group" else None,
                          subject=" ".join(subject.split()), body=body.strip(),
                          author_id=author.id if author else None, created_at=now,
                          total=counted.recipients)
    session.add(broadcast)
    session.flush()
    return broadcast


def _waiting(broadcast: Broadcast) -> Select:
    query = _reachable(segment_query(broadcast.event, broadcast.segment, broadcast.product_group))
    return query.where(~exists().where(
        MailReceipt.kind == KIND, MailReceipt.ref_id == broadcast.id,
        MailReceipt.participation_id == Participation.id))


def next_mails(session: Session, broadcast: Broadcast, size: int) -> list[BroadcastMail]:
    """The e-mails of the next `size` people the broadcast has not reached yet (none
    once it is finished)."""
    if broadcast.finished_at is not None:
        return []
    batch = list(session.scalars(_waiting(broadcast).options(selectinload(Participation.user))
                                 .order_by(Participation.id).limit(size)))
    account = external_url("profiles.account") if batch else ""
    return [_compose(broadcast, person, account) for person in batch]


def claim(session: Session, broadcast_id: int, mail: BroadcastMail, now: datetime) -> None:
    """Write the receipt and queue the e-mail, which leaves when the transaction commits.
    Flushes only: a person another sender claimed first raises IntegrityError (the
    receipt's unique key)."""
    session.add(MailReceipt(kind=KIND, participation_id=mail.participation_id,
                            ref_id=broadcast_id, sent_at=now))
    send_mail(mail.to, mail.subject, mail.body)
    session.flush()


def finish(session: Session, broadcast: Broadcast, now: datetime) -> None:
    """Nobody is left to send to. Flushes only."""
    broadcast.finished_at = now
    session.flush()


def sent_count(session: Session, broadcast: Broadcast) -> int:
    return session.scalar(select(func.count()).select_from(MailReceipt).where(
        MailReceipt.kind == KIND, MailReceipt.ref_id == broadcast.id)) or 0


def unfinished(session: Session) -> list[Broadcast]:
    return list(session.scalars(select(Broadcast).where(Broadcast.finished_at.is_(None))
                                .order_by(Broadcast.id)))


def event_broadcasts(session: Session, event: Event) -> list[tuple[Broadcast, int]]:
    """The event's broadcasts, newest first, each with how many e-mails have left."""
    broadcasts = list(session.scalars(select(Broadcast).where(Broadcast.event_id == event.id)
                                      .order_by(Broadcast.id.desc())))
    counts = dict(session.execute(
        select(MailReceipt.ref_id, func.count()).where(
            MailReceipt.kind == KIND, MailReceipt.ref_id.in_([b.id for b in broadcasts]))
        .group_by(MailReceipt.ref_id)).all())
    return [(b, counts.get(b.id, 0)) for b in broadcasts]


def _compose(broadcast: Broadcast, person: Participation, account_link: str) -> BroadcastMail:
    user, event = person.user, broadcast.event
    with in_language(user.language):
        footer = ("\n\n-- \n"
                  + _("You receive this as a participant of %(event)s. No more e-mails from "
                      "the organisers: %(link)s", event=event.name, link=account_link) + "\n")
    return BroadcastMail(participation_id=person.id, to=user.email,
                         subject=f"{broadcast.subject} · {event.name}",
                         body=broadcast.body + footer)
