"""Accounts, organisations, and a person's participation in an event."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (CheckConstraint, Column, Enum, ForeignKey, String, Table as SATable,
                        Text, UniqueConstraint, false, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_babel import lazy_gettext as _l

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .event import Event
from .reference import ProductGroup


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Role(str, enum.Enum):
    BUYER = "buyer"
    SUPPLIER = "supplier"
    FACILITATOR = "facilitator"
    ORGANISER = "organiser"
    MODERATOR = "moderator"

    @property
    def label(self) -> str:
        return str({"buyer": _l("Buyer"), "supplier": _l("Supplier"),
                    "facilitator": _l("Facilitator"), "organiser": _l("Organiser"),
                    "moderator": _l("Moderator")}[self.value])


# who takes part in the matchmaking (meetings, dialogues, the market place); organisers
# and moderators run the event
MEETING_ROLES = (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR)


def enum_column(enum_class: type[enum.Enum], name: str):
    return Enum(enum_class, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda e: [m.value for m in e], name=name)


class User(db.Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # granted by an administrator: may create events (see console.views.may_create_events)
    can_organise: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 'en', 'nl' or 'fr' once chosen; None: follow the browser.
    language: Mapped[str | None] = mapped_column(String(8))
    # False only for an account made on the registration form, until its owner follows
    # the link sent to the address (or a password reset link). Accounts an organiser
    # imports or invites, and demo accounts, come from someone who knows the address.
    email_verified: Mapped[bool] = mapped_column(default=True, server_default=true())
    # E-mails the person may turn off: organisers' broadcasts (account page), meeting
    # reminders and outcome questions (a signed link in each of those e-mails).
    organiser_mail: Mapped[bool] = mapped_column(default=True, server_default=true())
    meeting_reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    outcome_questions: Mapped[bool] = mapped_column(default=True, server_default=true())

    participations: Mapped[list["Participation"]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    # Flask-Login protocol. The id handed to the session carries a token that is
    # rotated on logout and password change, so copied cookies stop working.
    is_active = True
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = new_token()

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)  # case-folded name
    website: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2), default="BE")
    is_public: Mapped[bool] = mapped_column(default=False)  # a public buyer

    @staticmethod
    def key_for(name: str) -> str:
        return " ".join(name.split()).casefold()


participation_product_group = SATable(
    "participation_product_group",
    db.metadata,
    Column("participation_id", ForeignKey("participation.id", ondelete="CASCADE"),
           primary_key=True),
    Column("product_group_id", ForeignKey("product_group.id", ondelete="CASCADE"),
           primary_key=True),
)


class Participation(db.Model):
    """A person taking part in one event, with one role."""

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        UniqueConstraint("feed_token"),
        CheckConstraint("max_meetings IS NULL OR max_meetings >= 0",
                        name="max_meetings_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    pitch: Mapped[str] = mapped_column(String(200), default="")
    max_meetings: Mapped[int | None] = mapped_column(default=None)
    share_contact: Mapped[bool] = mapped_column(default=False)
    logo: Mapped[str] = mapped_column(String(80), default="")  # file name under instance/uploads
    feed_token: Mapped[str] = mapped_column(String(64), default=new_token)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # when the person last opened their requests: newer requests and answers are unread
    requests_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(back_populates="participations")
    organisation: Mapped[Organisation | None] = relationship()
    product_groups: Mapped[list[ProductGroup]] = relationship(
        secondary=participation_product_group, order_by=ProductGroup.sort_order)
    absences: Mapped[list["Absence"]] = relationship(
        back_populates="participation", cascade="all, delete-orphan")

    @property
    def display_name(self) -> str:
        org = f" ({self.organisation.name})" if self.organisation else ""
        return f"{self.user.name}{org}"


class Absence(db.Model):
    """A slot in which a participant is not available for meetings."""

    __tablename__ = "absence"

    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)

    participation: Mapped[Participation] = relationship(back_populates="absences")


class PendingKind(str, enum.Enum):
    INVITED = "invited"  # an organiser's import named an existing account
    REQUESTED = "requested"  # the person asked to join an event that admits by approval


class PendingParticipation(db.Model):
    """Someone who does not take part in an event yet: invited by an import, or asking to join.

    It keeps only what its maker gave (the CSV row, or the join form), so that the
    organiser never sees more of an existing account than their own file said. Accepting
    (the invited person) or approving (an organiser) turns it into a Participation.
    """

    __tablename__ = "pending_participation"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PendingKind] = mapped_column(enum_column(PendingKind, "pending_kind"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "pending_role"))
    product_groups: Mapped[str] = mapped_column(Text, default="")  # codes, ';'-separated
    language: Mapped[str | None] = mapped_column(String(8))
    pitch: Mapped[str] = mapped_column(String(200), default="")
    share_contact: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()

    @property
    def group_codes(self) -> list[str]:
        return [c for c in self.product_groups.split(";") if c]
