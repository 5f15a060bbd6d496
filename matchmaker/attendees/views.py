"""The organiser's attendee list: import from CSV, export, invitations; and the page where
an invited person accepts by setting a password."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..access import event_or_404, organiser_required
from ..auth.services import password_service
from ..console.pages import CONSOLE, get_in_event, page
from ..database import commit_and_pause
from ..domain import DomainError
from ..extensions import db
from ..forms import ActionForm, attach_error
from ..models import Event, Participation, PendingKind, PendingParticipation, Phase
from . import invitations, pending, services
from .forms import ImportConfirmForm, ImportForm, PeopleSearchForm, SetPasswordForm

bp = Blueprint("attendees", __name__)


@bp.route(CONSOLE + "/attendees")
@organiser_required
def index(event):
    search = PeopleSearchForm(request.args)
    query = (search.q.data or "").strip()[:100] if search.validate() else ""
    people = services.attendees(db.session, event, search=query)
    return render_template("attendees/attendees.html", event=event, people=people,
                           invited=pending.pending_in(db.session, event, PendingKind.INVITED,
                                                      search=query),
                           requests=pending.pending_in(db.session, event, PendingKind.REQUESTED),
                           search=search, query=query, invite_form=ActionForm(),
                           usable=services.has_usable_password)


@bp.route(CONSOLE + "/attendees/import", methods=["GET", "POST"])
@organiser_required
def import_attendees(event):
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read(services.MAX_BYTES + 1)
        try:
            text = services.decode_upload(data)
            parsed = services.parse_attendees(db.session, event, text)
        except DomainError as error:
            attach_error(form, error)
        else:
            confirm = ImportConfirmForm(formdata=None, data={
                "csv_text": text, "only_valid": form.only_valid.data,
                "invite": form.invite.data})
            return _preview(event, parsed, confirm)
    return page("attendees/import.html", form, event=event, form=form)


def _preview(event, parsed, confirm, message: str = ""):
    status = 200 if parsed.clean and not message else 400
    return render_template("attendees/import_preview.html", event=event, parsed=parsed,
                           confirm=confirm, message=message), status


@bp.route(CONSOLE + "/attendees/import/confirm", methods=["POST"])
@organiser_required
def confirm_import(event):
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("Nothing to import: upload the file again."), "error")
        return redirect(url_for("attendees.import_attendees", slug=event.slug))
    try:
        parsed = services.parse_attendees(db.session, event, form.csv_text.data)
        result = services.import_attendees(db.session, event, parsed,
                                           only_valid=form.only_valid.data,
                                           chunk_done=commit_and_pause(db.session))
    except DomainError as error:
        db.session.rollback()
        if error.field == "file":
            flash(error.message, "error")
            return redirect(url_for("attendees.import_attendees", slug=event.slug))
        return _preview(event, parsed, form, error.message)
    db.session.commit()
    imported = len(result.added) + len(result.invited)
    if result.unchanged or result.skipped_bad:
        summary = _("%(added)d attendee(s) imported, %(unchanged)d already on the list, "
                    "%(skipped)d bad row(s) skipped.", added=imported,
                    unchanged=result.unchanged, skipped=result.skipped_bad)
    else:
        summary = _("%(added)d attendee(s) imported.", added=imported)
    flash(summary, "success")
    if form.invite.data and (result.new_users or result.invited):
        sent, failed = invitations.send_invitations(result.new_users, event)
        sent_too, failed_too = pending.send_event_invitations(result.invited)
        sent, failed = sent + sent_too, failed + failed_too
        flash(_("%(num)d invitation(s) sent.", num=sent), "success")
        if failed:
            flash(_("%(num)d invitation(s) could not be sent; use 'invite again' later.",
                    num=len(failed)), "error")
    return redirect(url_for("attendees.index", slug=event.slug))


@bp.route(CONSOLE + "/attendees/export.csv")
@organiser_required
def export_attendees(event):
    body = services.export_csv(db.session, event)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-attendees.csv"',
        "Cache-Control": "no-store"})


@bp.route(CONSOLE + "/attendees/<int:participation_id>/invite", methods=["POST"])
@organiser_required
def invite_again(event, participation_id: int):
    participation = get_in_event(Participation, event, participation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    user = participation.user
    if services.has_usable_password(user):
        flash(_("%(name)s has set a password already; no invitation needed.", name=user.name),
              "info")
    else:
        sent, failed = invitations.send_invitations([user], event)
        flash(_("Invitation sent to %(email)s.", email=user.email) if sent else
              _("The invitation to %(email)s could not be sent; try again later.",
                email=user.email),
              "success" if sent else "error")
    return redirect(url_for("attendees.index", slug=event.slug))


@bp.route(CONSOLE + "/attendees/pending/<int:pending_id>/invite", methods=["POST"])
@organiser_required
def invite_pending_again(event, pending_id: int):
    row = get_in_event(PendingParticipation, event, pending_id)
    if row.kind is not PendingKind.INVITED or not ActionForm().validate_on_submit():
        abort(400)
    sent, _failed = pending.send_event_invitations([row])
    flash(_("Invitation sent to %(email)s.", email=row.email) if sent else
          _("The invitation to %(email)s could not be sent; try again later.", email=row.email),
          "success" if sent else "error")
    return redirect(url_for("attendees.index", slug=event.slug))


@bp.route(CONSOLE + "/attendees/pending/<int:pending_id>/<any(approve, refuse):decision>",
          methods=["POST"])
@organiser_required
def decide_request(event, pending_id: int, decision: str):
    row = get_in_event(PendingParticipation, event, pending_id)
    if row.kind is not PendingKind.REQUESTED or not ActionForm().validate_on_submit():
        abort(400)
    name = row.name
    if decision == "approve":
        pending.admit(db.session, row)
        message = _("%(name)s takes part in the event now.", name=name)
    else:
        pending.drop(db.session, row)
        message = _("The request of %(name)s is refused.", name=name)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("attendees.index", slug=event.slug))


@bp.route("/events/<slug>/invitation")
@login_required
def invitation(slug: str):
    event = event_or_404(slug)
    row = pending.pending_of_user(db.session, event, current_user)
    if row is None or row.kind is not PendingKind.INVITED:
        abort(404)
    return render_template("attendees/event_invitation.html", event=event, invitation=row,
                           form=ActionForm())


@bp.route("/events/<slug>/invitation/<any(accept, decline):answer>", methods=["POST"])
@login_required
def answer_invitation(slug: str, answer: str):
    event = event_or_404(slug)
    row = pending.pending_of_user(db.session, event, current_user)
    if row is None or row.kind is not PendingKind.INVITED:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if answer == "accept":
        pending.admit(db.session, row)
        db.session.commit()
        flash(_("You take part in %(event)s now.", event=event.name), "success")
        return redirect(url_for("profiles.home", slug=event.slug))
    pending.drop(db.session, row)
    db.session.commit()
    flash(_("Invitation to %(event)s declined.", event=event.name), "info")
    return redirect(url_for("auth.my_events"))


@bp.app_context_processor
def _invitation_helpers():
    def my_invitations():
        if not getattr(current_user, "is_authenticated", False):
            return []
        return pending.invitations_of(db.session, current_user)

    return {"my_invitations": my_invitations}


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    config = current_app.config
    try:
        invitation = invitations.read_token(db.session, token, secret_key=config["SECRET_KEY"],
                                            max_age_days=invitations.max_age_days(config))
    except DomainError as error:
        return render_template("attendees/invite_invalid.html", message=error.message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(db.session, invitation, form.password.data,
                                      passwords=password_service(),
                                      min_length=config["PASSWORD_MIN_LENGTH"])
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your password is set; welcome."), "success")
            event = db.session.get(Event, invitation.event_id) if invitation.event_id else None
            if event is not None and event.phase is Phase.DRAFT:
                return redirect(url_for("profiles.home", slug=event.slug))
            if event is not None:
                return redirect(url_for("public.event_page", slug=event.slug))
            return redirect(url_for("public.home"))
    return page("attendees/invite.html", form, form=form, user=invitation.user)

