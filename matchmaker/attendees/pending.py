"""People who do not take part in an event yet: invited by an import, or asking to join.

An import that names an existing account never enrols it: it leaves a pending
invitation holding the CSV row, which the account holder accepts or declines. Until
then the organiser sees only the row they imported, and the person is in no market
place, suggestion or schedule (those read participations only). A request to join an
event that admits by approval waits the same way for an organiser.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..i18n import current_language, in_language
from ..mail import send_each, send_mail
from ..models import (Event, Organisation, Participation, PendingKind, PendingParticipation,
                      ProductGroup, Role, User)
from ..profiles.services import organisation_named


def invite_existing(session: Session, event: Event, user: User, *, name: str, email: str,
                    organisation: str, role: Role, groups: list[ProductGroup],
                    language: str | None) -> PendingParticipation:
    pending = PendingParticipation(
        event=event, user=user, kind=PendingKind.INVITED, name=name, email=email,
        organisation=organisation, role=role, language=language,
        product_groups=";".join(g.code for g in groups))
    session.add(pending)
    session.flush()
    return pending


def request_to_join(session: Session, event: Event, user: User, *, organisation: str,
                    role: Role, groups: list[ProductGroup], pitch: str,
                    share_contact: bool) -> PendingParticipation:
    """A join request for an event that admits by approval (the form checked the fields)."""
    if pending_of_user(session, event, user) is not None:
        raise DomainError(_("Your request to join this event is waiting for the organisers."))
    pending = PendingParticipation(
        event=event, user=user, kind=PendingKind.REQUESTED, name=user.name, email=user.email,
        organisation=" ".join(organisation.split()), role=role, pitch=pitch.strip(),
        share_contact=share_contact, product_groups=";".join(g.code for g in groups))
    session.add(pending)
    session.flush()
    return pending


def pending_of_user(session: Session, event: Event, user) -> PendingParticipation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(select(PendingParticipation).where(
        PendingParticipation.event_id == event.id, PendingParticipation.user_id == user.id))


def invitations_of(session: Session, user: User) -> list[PendingParticipation]:
    """The user's open invitations, for their 'My events' page."""
    return list(session.scalars(
        select(PendingParticipation).where(PendingParticipation.user_id == user.id,
                                           PendingParticipation.kind == PendingKind.INVITED)
        .options(selectinload(PendingParticipation.event))
        .order_by(PendingParticipation.created_at)))


def pending_in(session: Session, event: Event, kind: PendingKind, *,
               search: str = "") -> list[PendingParticipation]:
    rows = list(session.scalars(
        select(PendingParticipation).where(PendingParticipation.event_id == event.id,
                                           PendingParticipation.kind == kind)
        .order_by(PendingParticipation.name, PendingParticipation.email)))
    if search:
        needle = search.casefold()
        rows = [p for p in rows if needle in p.name.casefold() or needle in p.email.casefold()
                or needle in p.organisation.casefold()]
    return rows


def admit(session: Session, pending: PendingParticipation) -> Participation:
    """Turn the pending row into a participation: the person accepted, or was approved."""
    existing = session.scalar(select(Participation).where(
        Participation.event_id == pending.event_id, Participation.user_id == pending.user_id))
    if existing is not None:
        session.delete(pending)
        session.flush()
        return existing
    codes = pending.group_codes
    groups = list(session.scalars(select(ProductGroup).where(ProductGroup.code.in_(codes))
                                  .order_by(ProductGroup.sort_order))) if codes else []
    organisation: Organisation | None = organisation_named(session, pending.organisation)
    participation = Participation(event_id=pending.event_id, user_id=pending.user_id,
                                  role=pending.role, organisation=organisation,
                                  product_groups=groups, pitch=pending.pitch,
                                  share_contact=pending.share_contact)
    session.add(participation)
    session.delete(pending)
    session.flush()
    return participation


def drop(session: Session, pending: PendingParticipation) -> None:
    """Declined by the person, or refused by an organiser."""
    session.delete(pending)
    session.flush()


def send_event_invitation(pending: PendingParticipation, link: str) -> None:
    """Ask an existing account holder to accept; written in their own language."""
    user, event = pending.user, pending.event
    with in_language(user.language or current_language()):
        body = (_("Hello %(name)s,", name=user.name) + "\n\n"
                + _("The organisers of %(event)s invite you to take part.", event=event.name)
                + "\n"
                + _("You are not registered until you accept. Log in and accept or decline "
                    "here:") + "\n\n" + link + "\n")
        subject = _("Your invitation to %(event)s", event=event.name)
    send_mail(user.email, subject, body)


def send_event_invitations(pendings: list[PendingParticipation]) -> tuple[int, list[str]]:
    """Mail each invited account holder; call after the commit. Returns (sent, failed)."""
    from flask import url_for

    return send_each(pendings, lambda pending: send_event_invitation(
        pending, url_for("attendees.invitation", slug=pending.event.slug, _external=True)),
        lambda pending: pending.email)
