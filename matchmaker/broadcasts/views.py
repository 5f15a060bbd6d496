"""The organiser's broadcasts: write, preview (recipients and a sample), send, follow."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..access import organiser_required
from ..console.pages import CONSOLE, get_in_event
from ..database import utcnow
from ..domain import DomainError
from ..extensions import db
from ..forms import attach_error
from ..i18n import group_name
from ..models import Broadcast
from .. import duejobs
from . import services
from .forms import BroadcastForm

bp = Blueprint("broadcasts", __name__)


def _form(event) -> BroadcastForm:
    return BroadcastForm([(g.id, group_name(g)) for g in event.product_groups])


def _page(event, form, preview=None, status=200):
    return render_template("broadcasts/index.html", event=event, form=form, preview=preview,
                           broadcasts=services.event_broadcasts(db.session, event),
                           segments=services.SEGMENTS), status


@bp.route(CONSOLE + "/broadcasts", methods=["GET", "POST"])
@organiser_required
def index(event):
    form = _form(event)
    if not form.is_submitted():
        return _page(event, form)
    if not form.validate():
        return _page(event, form, status=400)
    group = next((g for g in event.product_groups if g.id == form.product_group.data), None)
    if form.segment.data == "group" and group is None:
        form.product_group.errors = [*form.product_group.errors, _("Choose a product group.")]
        return _page(event, form, status=400)
    if not form.send.data:
        try:
            preview = services.preview(db.session, event, form.segment.data, group)
        except DomainError as error:
            attach_error(form, error)
            return _page(event, form, status=400)
        return _page(event, form, preview=preview)
    try:
        broadcast = services.create_broadcast(
            db.session, event, author=current_user._get_current_object(),
            segment=form.segment.data, group=group, subject=form.subject.data,
            body=form.body.data, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _page(event, form, status=400)
    db.session.commit()
    duejobs.start(current_app._get_current_object())
    flash(ngettext("Sending to %(num)d person.", "Sending to %(num)d people.",
                   broadcast.total), "success")
    return redirect(url_for("broadcasts.progress", slug=event.slug, broadcast_id=broadcast.id))


@bp.route(CONSOLE + "/broadcasts/<int:broadcast_id>")
@organiser_required
def progress(event, broadcast_id: int):
    broadcast = get_in_event(Broadcast, event, broadcast_id)
    sent = services.sent_count(db.session, broadcast)
    return render_template("broadcasts/progress.html", event=event, broadcast=broadcast,
                           sent=sent, segments=services.SEGMENTS)


@bp.route(CONSOLE + "/broadcasts/<int:broadcast_id>/status")
@organiser_required
def status(event, broadcast_id: int):
    broadcast = get_in_event(Broadcast, event, broadcast_id)
    sent = services.sent_count(db.session, broadcast)
    return {"sent": sent, "total": broadcast.total, "finished": broadcast.finished_at is not None,
            "text": _("%(sent)s of %(total)s e-mails sent", sent=sent, total=broadcast.total)}
