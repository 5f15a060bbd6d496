"""The organiser's attendee list: import from CSV, export, invitations; and the page where
an invited person accepts by setting a password."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import login_user

from ..access import organiser_required
from ..auth.services import password_service
from ..console.pages import CONSOLE, get_in_event, page
from ..database import commit_and_pause
from ..domain import DomainError
from ..extensions import db
from ..forms import ActionForm, attach_error
from ..models import Event, Participation
from . import invitations, services
from .forms import ImportConfirmForm, ImportForm, PeopleSearchForm, SetPasswordForm

bp = Blueprint("attendees", __name__)


@bp.route(CONSOLE + "/attendees")
@organiser_required
def index(event):
    search = PeopleSearchForm(request.args)
    query = (search.q.data or "").strip()[:100] if search.validate() else ""
    people = services.attendees(db.session, event, search=query)
    return render_template("attendees/attendees.html", event=event, people=people,
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
    if result.unchanged or result.skipped_bad:
        summary = _("%(added)d attendee(s) added, %(new)d new account(s), %(unchanged)d already "
                    "registered, %(skipped)d bad row(s) skipped.", added=len(result.added),
                    new=len(result.new_users), unchanged=result.unchanged,
                    skipped=result.skipped_bad)
    else:
        summary = _("%(added)d attendee(s) added, %(new)d new account(s).",
                    added=len(result.added), new=len(result.new_users))
    flash(summary, "success")
    if form.invite.data and result.new_users:
        sent, failed = invitations.send_invitations(result.new_users, event)
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
            if event is not None:
                return redirect(url_for("public.event_page", slug=event.slug))
            return redirect(url_for("public.home"))
    return page("attendees/invite.html", form, form=form, user=invitation.user)

