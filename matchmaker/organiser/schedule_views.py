"""The console's schedule pages: runs, compare and publish, locks and moves, why-not, downloads.

Only the event's organisers reach them (`organiser_required`). Views are thin: the
work happens in `runs`, `publishing`, `solving` and `matchmaker.exports`, which
the CLI calls too.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, url_for)
from flask_login import current_user
from sqlalchemy import func, select

from ..access import organiser_required
from ..database import utcnow
from ..domain import DomainError
from ..forms import attach_error
from ..extensions import db
from ..models import Meeting, RunKind, Slot, SolveRun, Table
from ..timeutil import format_time, to_local
from . import publishing, runs, solving
from .schedule_forms import ActionForm, MoveForm, StartRunForm

bp = Blueprint("schedule", __name__, url_prefix="/events/<slug>/console/schedule")

DOWNLOADS = {
    "tables.pdf": ("Table plan (PDF, a page per table)", "application/pdf"),
    "tables.html": ("Table plan (printable web page)", "text/html; charset=utf-8"),
    "tables.csv": ("Table plan (spreadsheet, CSV)", "text/csv; charset=utf-8"),
    "agendas.pdf": ("Every participant's agenda (PDF, a page each)", "application/pdf"),
    "event.ics": ("All meetings and dialogues (iCalendar)", "text/calendar; charset=utf-8"),
    "instance.json": ("Problem file for the command-line solver (matchmaker-instance/1)",
                      "application/json"),
}


def _run_of(event, run_id: int) -> SolveRun:
    run = db.session.get(SolveRun, run_id)
    if run is None or run.event_id != event.id:
        abort(404)
    return run


def _meeting_of(event, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        abort(404)
    return meeting


def _when(moment, event) -> str:
    return to_local(moment, event.timezone).strftime("%d %b %H:%M") if moment else ""


@bp.app_template_filter("schedule_when")
def schedule_when(moment, event) -> str:
    return _when(moment, event)


@bp.app_template_filter("slot_label")
def slot_label(slot, event) -> str:
    """'10:30–10:50', with the day in front when the event has meetings on several days."""
    tz = event.timezone
    text = f"{format_time(slot.starts_at, tz)}–{format_time(slot.ends_at, tz)}"
    if len({block.day for block in event.blocks}) > 1:
        text = f"{to_local(slot.starts_at, tz):%a %d %b} {text}"
    return text


@bp.route("/", endpoint="runs")
@organiser_required
def runs_page(event):
    return _runs_page(event, StartRunForm(kind="meetings", prefix="m"),
                      StartRunForm(kind="dialogues", prefix="d"))


def _runs_page(event, meetings_form, dialogues_form, status: int = 200):
    in_force = db.session.scalar(select(func.count()).select_from(Meeting)
                                 .where(Meeting.event_id == event.id))
    locked = db.session.scalar(select(func.count()).select_from(Meeting)
                               .where(Meeting.event_id == event.id, Meeting.locked))
    return render_template(
        "schedule/runs.html", event=event, runs=runs.event_runs(db.session, event),
        meetings_form=meetings_form, dialogues_form=dialogues_form, action_form=ActionForm(),
        in_force=in_force, locked=locked, downloads=DOWNLOADS, active=runs.ACTIVE,
        done=runs.DONE), status


@bp.route("/runs/<kind>", methods=["POST"])
@organiser_required
def start(event, kind: str):
    if kind not in ("meetings", "dialogues"):
        abort(404)
    meetings_form = StartRunForm(kind="meetings", prefix="m")
    dialogues_form = StartRunForm(kind="dialogues", prefix="d")
    form = meetings_form if kind == "meetings" else dialogues_form
    if not form.validate_on_submit():
        return _runs_page(event, meetings_form, dialogues_form, 400)
    try:
        run = runs.create_run(db.session, event, RunKind(kind),
                              time_limit_s=form.time_limit.data, user_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        form.time_limit.errors = [*form.time_limit.errors, error.message]
        return _runs_page(event, meetings_form, dialogues_form, 400)
    run_id, slug = run.id, event.slug
    db.session.commit()  # the job opens its own session; nothing may hold the write lock
    runs.submit_run(current_app._get_current_object(), run_id)
    flash(f"Run {run_id} started.", "success")
    return redirect(url_for("schedule.runs", slug=slug))


@bp.route("/runs/<int:run_id>/status.json")
@organiser_required
def run_status(event, run_id: int):
    response = jsonify(runs.run_status(_run_of(event, run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/runs/<int:run_id>/stop", methods=["POST"])
@organiser_required
def stop(event, run_id: int):
    run = _run_of(event, run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if runs.request_stop(db.session, run):
        db.session.commit()
        flash(f"Run {run_id} is stopping; its best result so far is kept.", "success")
    else:
        flash(f"Run {run_id} is not running.", "error")
    return redirect(url_for("schedule.runs", slug=event.slug))


@bp.route("/runs/<int:run_id>")
@organiser_required
def compare(event, run_id: int):
    run = _run_of(event, run_id)
    if run.status not in runs.DONE or run.result is None:
        flash(f"Run {run_id} has no result to compare ({run.status.value}).", "error")
        return redirect(url_for("schedule.runs", slug=event.slug))
    try:
        if run.kind is RunKind.MEETINGS:
            comparison = publishing.compare_schedule(db.session, event, run)
            template = "schedule/compare.html"
        else:
            comparison = publishing.compare_dialogues(db.session, event, run)
            template = "schedule/compare_dialogues.html"
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("schedule.runs", slug=event.slug))
    return render_template(template, event=event, run=run, comparison=comparison,
                           form=ActionForm())


@bp.route("/runs/<int:run_id>/publish", methods=["POST"])
@organiser_required
def publish(event, run_id: int):
    run = _run_of(event, run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    slug = event.slug
    try:
        if run.kind is RunKind.MEETINGS:
            comparison = publishing.publish_schedule(db.session, event, run)
            message = (f"Schedule published: {comparison.count('gained')} new, "
                       f"{comparison.count('moved')} moved, {comparison.count('lost')} dropped "
                       f"meetings; {len(comparison.affected)} participants notified.")
        else:
            comparison = publishing.publish_dialogues(db.session, event, run)
            message = (f"Dialogue seats published: {comparison.count('gained')} new, "
                       f"{comparison.count('moved')} moved, {comparison.count('lost')} dropped.")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("schedule.compare", slug=slug, run_id=run_id))
    except Exception:  # noqa: BLE001 - nothing is half-published; say so instead of a 500
        db.session.rollback()
        current_app.logger.exception("Publishing run %s failed", run_id)
        flash("Publishing failed; nothing was changed. Please try again.", "error")
        return redirect(url_for("schedule.compare", slug=slug, run_id=run_id))
    flash(message, "success")
    return redirect(url_for("schedule.runs", slug=slug))


@bp.route("/runs/<int:run_id>/why-not")
@organiser_required
def why_not(event, run_id: int):
    run = _run_of(event, run_id)
    if run.kind is not RunKind.MEETINGS or run.result is None:
        abort(404)
    items = publishing.why_not(db.session, event, run)
    try:
        advice = solving.plan_capacity(solving.build_problem(db.session, event).problem)
    except DomainError as error:
        advice, problem_error = None, error.message
    else:
        problem_error = None
    return render_template("schedule/why_not.html", event=event, run=run, items=items,
                           advice=advice, problem_error=problem_error)


@bp.route("/meetings")
@organiser_required
def meetings(event):
    rows = solving.meetings_in_force(db.session, event)
    rows.sort(key=lambda m: (m.slot.starts_at, m.table.number))
    return render_template("schedule/meetings.html", event=event, meetings=rows,
                           form=ActionForm())


@bp.route("/meetings/<int:meeting_id>/<any(lock, unlock):action>", methods=["POST"])
@organiser_required
def lock(event, meeting_id: int, action: str):
    meeting = _meeting_of(event, meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    publishing.set_locked(db.session, meeting, action == "lock")
    db.session.commit()
    flash(f"Meeting {'locked: a re-solve keeps it in place' if action == 'lock' else 'unlocked'}.",
          "success")
    return redirect(url_for("schedule.meetings", slug=event.slug) + f"#meeting-{meeting_id}")


def _move_choices(form: MoveForm, event) -> None:
    slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id)
                               .order_by(Slot.starts_at))
    form.slot.choices = [(s.id, slot_label(s, event)) for s in slots]
    tables = db.session.scalars(select(Table).where(Table.event_id == event.id)
                                .order_by(Table.number))
    form.table.choices = [(t.id, t.label + (" (spare)" if t.spare else "")
                           + (f", stand of {t.owner.user.name}" if t.owner else ""))
                          for t in tables]


@bp.route("/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@organiser_required
def move(event, meeting_id: int):
    meeting = _meeting_of(event, meeting_id)
    form = MoveForm()
    _move_choices(form, event)
    if not form.is_submitted():
        form.slot.data, form.table.data = meeting.slot_id, meeting.table_id
    status = 200
    if form.is_submitted():
        if form.validate():
            slot = db.session.get(Slot, form.slot.data)
            table = db.session.get(Table, form.table.data)
            try:
                publishing.move_meeting(db.session, event, meeting, slot, table)
            except DomainError as error:
                db.session.rollback()
                meeting = _meeting_of(event, meeting_id)
                attach_error(form, error, default=form.slot)
            else:
                db.session.commit()
                flash("Meeting moved and locked there; both participants were told.", "success")
                return redirect(url_for("schedule.meetings", slug=event.slug)
                                + f"#meeting-{meeting_id}")
        status = 400
    return render_template("schedule/move.html", event=event, meeting=meeting, form=form,
                           places=publishing.free_places(db.session, event, meeting)), status


@bp.route("/export/<name>")
@organiser_required
def download(event, name: str):
    if name not in DOWNLOADS:
        abort(404)
    from ..exports import agendas, ical, tables
    from ..exports.instance import instance_json
    from .schedule_cli import calendar_host

    if name.startswith("tables."):
        plan = tables.table_plan(db.session, event, now=utcnow())
        data = {"pdf": tables.to_pdf, "html": tables.to_html,
                "csv": tables.to_csv}[name.split(".")[1]](plan)
    elif name == "agendas.pdf":
        data = agendas.to_pdf(event, agendas.agendas(db.session, event))
    elif name == "event.ics":
        data = ical.event_calendar(db.session, event, calendar_host())
    else:
        try:
            data = instance_json(db.session, event)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("schedule.runs", slug=event.slug))
    response = Response(data, mimetype=DOWNLOADS[name][1])
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
