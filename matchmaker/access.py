"""Who may see what: the one place for event membership and organiser checks.

Views call these; services receive the objects they return. Objects of another
participant are reported as missing (404) rather than forbidden, so that nobody can
probe which ids exist.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, has_request_context, request
from flask_login import current_user, login_required
from sqlalchemy import select

from .extensions import db
from .models import Event, Participation, Phase, Role


def event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def visible_event_or_404(slug: str) -> Event:
    """The event, or 404 when it is a draft and the current user is not its organiser.

    A draft's name is its maker's choice until it opens: nobody else sees it.
    """
    event = event_or_404(slug)
    if event.phase is Phase.DRAFT and not is_organiser(current_user, event):
        abort(404)
    return event


def participation_of(user, event: Event) -> Participation | None:
    """The user's participation in `event`. Found once per request: the access check and
    the navigation of an event page ask for it five times."""
    if not getattr(user, "is_authenticated", False):
        return None
    memo = request.environ.setdefault("matchmaker.participations", {}) \
        if has_request_context() else {}
    key = (user.id, event.id)
    if key in memo:
        return memo[key]
    found = db.session.scalar(select(Participation).where(
        Participation.event_id == event.id, Participation.user_id == user.id))
    if found is not None:  # not a miss: a view may create the participation
        memo[key] = found
    return found


def admin_emails(config) -> set[str]:
    """The addresses named administrators in `ADMIN_EMAILS` (a list or comma-separated)."""
    raw = config.get("ADMIN_EMAILS") or ""
    items = raw.split(",") if isinstance(raw, str) else raw
    return {str(e).strip().lower() for e in items if str(e).strip()}


def is_admin(user) -> bool:
    """An administrator: flagged on the account, or named in `ADMIN_EMAILS`."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin) or user.email in admin_emails(current_app.config)


def may_create_events(user) -> bool:
    """Organiser rights are granted by an administrator, unless `OPEN_EVENT_CREATION`."""
    if not getattr(user, "is_authenticated", False):
        return False
    if current_app.config.get("OPEN_EVENT_CREATION"):
        return True
    return bool(user.can_organise) or is_admin(user)


def admin_required(view):
    """Logged in and an administrator; others get 403."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def is_organiser(user, event: Event) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_admin(user):
        return True
    participation = participation_of(user, event)
    return participation is not None and participation.role is Role.ORGANISER


def require_participation(event: Event) -> Participation:
    """The current user's participation in `event`, or 403 if they have none."""
    participation = participation_of(current_user, event)
    if participation is None:
        abort(403)
    return participation


def organiser_required(view):
    """For views under /events/<slug>/...: logged in and an organiser of that event.

    Anonymous users are sent to log in; others get 403. The view receives `event`.
    """
    @wraps(view)
    @login_required
    def wrapper(slug: str, *args, **kwargs):
        event = event_or_404(slug)
        if not is_organiser(current_user, event):
            abort(403)
        return view(event, *args, **kwargs)
    return wrapper


def participant_required(view):
    """For views under /events/<slug>/...: logged in and taking part in that event.

    The view receives `event` and `me` (the current user's participation).
    """
    @wraps(view)
    @login_required
    def wrapper(slug: str, *args, **kwargs):
        event = event_or_404(slug)
        me = require_participation(event)
        return view(event, me, *args, **kwargs)
    return wrapper
