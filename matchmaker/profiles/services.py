"""Joining an event, editing one's profile, logos, and the account's personal data."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ..domain import DomainError
from ..models import (Event, Listing, Meeting, MeetingFeedback, MeetingRequest, Notification,
                      Organisation, Participation, ProductGroup, Role, Slot, User)
from ..security import PasswordService
from .logos import MAX_LOGO_PIXELS, LogoError, redraw_logo

MAX_LOGO_BYTES = 1024 * 1024
SELF_CHOSEN_ROLES = frozenset({Role.BUYER, Role.SUPPLIER, Role.FACILITATOR})


@dataclass(frozen=True)
class ProfileData:
    organisation: str
    role: Role | None  # None keeps the current role (organisers and moderators)
    product_group_ids: list[int]
    pitch: str
    phone: str
    share_contact: bool


def logo_kind(data: bytes) -> str | None:
    """The image type from the file's signature ('png', 'jpeg', 'webp'), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


LOGO_MIMETYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def check_logo(data: bytes) -> bytes:
    """The logo decoded and redrawn as PNG (`logos.redraw_logo`), or DomainError on the
    `logo` field."""
    if len(data) > MAX_LOGO_BYTES:
        raise DomainError(_("The logo is larger than 1 MB; please choose a smaller file."),
                          field="logo")
    if logo_kind(data) is None:
        raise DomainError(_("The logo must be a PNG, JPEG or WebP image."), field="logo")
    try:
        return redraw_logo(data)
    except LogoError as error:
        if error.reason == "pixels":
            raise DomainError(_("The logo has more than %(millions)s million pixels; please "
                                "choose a smaller image.", millions=MAX_LOGO_PIXELS // 10**6),
                              field="logo") from None
        if error.reason == "broken":
            raise DomainError(_("The logo could not be read; the file may be damaged."),
                              field="logo") from None
        raise DomainError(_("The logo must be a PNG, JPEG or WebP image."),
                          field="logo") from None


def organisation_named(session: Session, name: str) -> Organisation | None:
    """The organisation of this name, matched case- and space-insensitively, or a new one;
    None for no name. Profiles, imports, invitations and walk-ins all find it here."""
    if not name:
        return None
    key = Organisation.key_for(name)
    organisation = session.scalar(select(Organisation).where(Organisation.name_key == key))
    if organisation is None:
        organisation = Organisation(name=name, name_key=key)
        session.add(organisation)
        session.flush()
    return organisation


def organisation_for(session: Session, name: str) -> Organisation:
    """The organisation a participant types in their profile: required, spaces tidied."""
    organisation = organisation_named(session, " ".join(name.split()))
    if organisation is None:
        raise DomainError(_("Enter your organisation."), field="organisation")
    return organisation


def event_groups(event: Event, ids: list[int]) -> list[ProductGroup]:
    """The event's product groups of these ids, or DomainError on `product_groups`."""
    allowed = {g.id: g for g in event.product_groups}
    if not allowed and not ids:
        return []  # the organisers have not chosen product groups yet
    if not ids:
        raise DomainError(_("Choose at least one product group."), field="product_groups")
    if any(i not in allowed for i in ids):
        raise DomainError(_("Choose product groups of this event."), field="product_groups")
    return [allowed[i] for i in sorted(set(ids), key=lambda i: allowed[i].sort_order)]


def save_profile(session: Session, *, event: Event, user: User, data: ProfileData,
                 participation: Participation | None = None) -> Participation:
    """Create the user's participation in `event`, or update it when given."""
    if participation is None:
        existing = session.scalar(select(Participation).where(
            Participation.event_id == event.id, Participation.user_id == user.id))
        if existing is not None:
            raise DomainError(_("You take part in this event already."))
        if data.role not in SELF_CHOSEN_ROLES:
            raise DomainError(_("Choose buyer, supplier or facilitator."), field="role")
        participation = Participation(event=event, user=user, role=data.role)
        session.add(participation)
    elif data.role is not None:
        if participation.role not in SELF_CHOSEN_ROLES:
            raise DomainError(_("Your role in this event is set by the organisers."), field="role")
        if data.role not in SELF_CHOSEN_ROLES:
            raise DomainError(_("Choose buyer, supplier or facilitator."), field="role")
        participation.role = data.role
    groups = event_groups(event, data.product_group_ids)
    participation.organisation = organisation_for(session, data.organisation)
    participation.product_groups = groups
    participation.pitch = data.pitch.strip()
    participation.share_contact = data.share_contact
    user.phone = data.phone.strip()
    session.flush()
    return participation


def store_logo(participation: Participation, data: bytes, upload_dir: Path) -> str | None:
    """Write a checked logo under `upload_dir` and point the participation at it.

    Returns the previous logo's file name, for the caller to remove once the change is
    committed (so that a failed commit never leaves a profile pointing at a deleted file).
    """
    png = check_logo(data)
    upload_dir.mkdir(parents=True, exist_ok=True)
    name = f"logo-{participation.id}-{secrets.token_hex(8)}.png"
    (upload_dir / name).write_bytes(png)
    old = participation.logo or None
    participation.logo = name
    return old


def remove_upload(upload_dir: Path, name: str) -> None:
    path = upload_dir / Path(name).name
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def logo_path(participation: Participation, upload_dir: Path) -> tuple[Path, str] | None:
    """Where the logo of `participation` is stored and its mimetype, if it has one."""
    if not participation.logo:
        return None
    path = upload_dir / Path(participation.logo).name
    if not path.is_file():
        return None
    suffix = path.suffix.lstrip(".")
    kind = "jpeg" if suffix == "jpg" else suffix
    mimetype = LOGO_MIMETYPES.get(kind)
    return (path, mimetype) if mimetype else None


def participation_in(session: Session, event: Event, participation_id: int) -> Participation | None:
    part = session.get(Participation, participation_id)
    if part is None or part.event_id != event.id:
        return None
    return part


def listings_of(session: Session, participation: Participation) -> list[Listing]:
    return list(session.scalars(select(Listing).where(
        Listing.participation_id == participation.id).order_by(Listing.kind, Listing.created_at)))


# --- Personal data (GDPR) ---------------------------------------------------------------

def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _listing_data(listing: Listing) -> dict:
    return {"id": listing.id, "kind": listing.kind.value,
            "product_group": listing.product_group.name, "title": listing.title,
            "text": listing.text, "strategies": [s.label for s in listing.strategies],
            "created_at": _iso(listing.created_at), "updated_at": _iso(listing.updated_at)}


def _request_data(req: MeetingRequest) -> dict:
    return {"id": req.id, "from": req.sender.display_name, "to": req.recipient.display_name,
            "message": req.message, "priority": req.priority, "status": req.status.value,
            "decline_reason": req.decline_reason, "created_at": _iso(req.created_at),
            "responded_at": _iso(req.responded_at)}


def export_personal_data(session: Session, user: User) -> dict:
    """Everything the app keeps about `user`, as JSON-ready data."""
    participations = []
    for part in sorted(user.participations, key=lambda p: p.id):
        sent = session.scalars(select(MeetingRequest).where(
            MeetingRequest.sender_id == part.id).order_by(MeetingRequest.id))
        received = session.scalars(select(MeetingRequest).where(
            MeetingRequest.recipient_id == part.id).order_by(MeetingRequest.id))
        meetings = session.scalars(select(Meeting).join(MeetingRequest).where(
            or_(MeetingRequest.sender_id == part.id, MeetingRequest.recipient_id == part.id))
            .order_by(Meeting.id))
        participations.append({
            "event": {"name": part.event.name, "slug": part.event.slug},
            "role": part.role.value,
            "organisation": part.organisation.name if part.organisation else None,
            "pitch": part.pitch,
            "product_groups": [g.name for g in part.product_groups],
            "share_contact": part.share_contact,
            "has_logo": bool(part.logo),
            "max_meetings": part.max_meetings,
            "absent_slots": [_iso(slot.starts_at) for slot in _absent_slots(session, part)],
            "checked_in_at": _iso(part.checked_in_at),
            "joined_at": _iso(part.created_at),
            "listings": [_listing_data(item) for item in listings_of(session, part)],
            "requests_sent": [_request_data(r) for r in sent],
            "requests_received": [_request_data(r) for r in received],
            "meetings": [{
                "id": m.id, "with": (m.request.recipient if m.request.sender_id == part.id
                                     else m.request.sender).display_name,
                "starts_at": _iso(m.slot.starts_at), "ends_at": _iso(m.slot.ends_at),
                "table": m.table.label, "status": m.status.value} for m in meetings],
            "meeting_feedback": [{
                "meeting_id": f.meeting_id, "useful": f.useful, "follow_up": f.follow_up,
                "comment": f.comment, "created_at": _iso(f.created_at)}
                for f in session.scalars(select(MeetingFeedback).where(
                    MeetingFeedback.participation_id == part.id).order_by(MeetingFeedback.id))],
            "notifications": [{
                "kind": n.kind, "text": n.text, "created_at": _iso(n.created_at),
                "sent_at": _iso(n.sent_at)}
                for n in session.scalars(select(Notification).where(
                    Notification.participation_id == part.id).order_by(Notification.id))],
        })
    return {
        "format": "matchmaker-personal-data/1",
        "account": {"name": user.name, "email": user.email, "phone": user.phone,
                    "created_at": _iso(user.created_at),
                    "last_login_at": _iso(user.last_login_at)},
        "participations": participations,
    }


def _absent_slots(session: Session, part: Participation) -> list[Slot]:
    ids = [a.slot_id for a in part.absences]
    if not ids:
        return []
    return list(session.scalars(select(Slot).where(Slot.id.in_(ids)).order_by(Slot.starts_at)))


def delete_account(session: Session, user: User, *, password: str,
                   passwords: PasswordService) -> list[str]:
    """Delete `user` after checking the password; return the upload names to remove.

    Participations go with the account, and with them their listings, requests,
    meetings, bookings and seats (foreign keys ON DELETE CASCADE).
    """
    if not passwords.verify(user.password_hash, password):
        raise DomainError(_("The password is not right."), field="password")
    logos = [p.logo for p in user.participations if p.logo]
    # A plain DELETE lets the database cascade everything hanging off the account,
    # whatever relationships later features add on the Python side.
    session.execute(delete(User).where(User.id == user.id))
    session.expunge_all()
    return logos
