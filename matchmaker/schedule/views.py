"""The console's schedule pages: runs, compare and publish, locks and moves, why-not, downloads.

Only the event's organisers reach them (`organiser_required`). Views are thin: the
work happens in `runs`, `publishing`, `solving`, `capacity` and `matchmaker.exports`, which
the CLI calls too.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, url_for)
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy import func, select

from ..access import organiser_required
from ..database import utcnow
from ..domain import DomainError
from ..forms import attach_error
from ..extensions import db
from ..i18n import format_day, format_moment
from ..models import Meeting, RunKind, RunStatus, Slot, SolveRun, Table
from ..scheduling.progress import COMPACTING, PLACING
from ..timeutil import format_time
from ..exports import agendas, ical, tables
from ..exports.instance import instance_json
from ..forms import ActionForm
from . import capacity, explain, moves, runs, solving
from .compare import compare_dialogues, compare_schedule, draft_verdicts
from .publish import publish_dialogues, publish_schedule
from .forms import MoveForm, StartRunForm

bp = Blueprint("schedule", __name__, url_prefix="/events/<slug>/console/schedule")

DOWNLOADS = {
    "tables.pdf": (_l("Table plan (PDF, a page per table)"), "application/pdf"),
    "tables.html": (_l("Table plan (printable web page)"), "text/html; charset=utf-8"),
    "tables.csv": (_l("Table plan (spreadsheet, CSV)"), "text/csv; charset=utf-8"),
    "agendas.pdf": (_l("Every participant's agenda (PDF, a page each)"), "application/pdf"),
    "event.ics": (_l("All meetings and dialogues (iCalendar)"), "text/calendar; charset=utf-8"),
    "instance.json": (_l("Problem file for the command-line solver (matchmaker-instance/1)"),
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
    return format_moment(moment, event.timezone) if moment else ""


@bp.app_template_filter("schedule_when")
def schedule_when(moment, event) -> str:
    return _when(moment, event)


@bp.app_template_filter("slot_label")
def slot_label(slot, event) -> str:
    """'10:30–10:50', with the day in front when the event has meetings on several days."""
    tz = event.timezone
    text = f"{format_time(slot.starts_at, tz)}–{format_time(slot.ends_at, tz)}"
    if len({block.day for block in event.blocks}) > 1:
        text = f"{format_day(slot.starts_at, tz, 'short')} {text}"
    return text


@bp.app_template_filter("side_label")
def side_label(side: str) -> str:
    return tables.side_in_sentence(side)


@bp.app_template_filter("run_message")
def run_message(message: str | None) -> str:
    return runs.describe_message(message)


@bp.app_template_filter("run_numbers")
def run_numbers(run: SolveRun) -> str:
    """'12.3 s of 60 s · value 40 · bound 42 · gap 4.8% · 9 idle gaps (at least 6
    unavoidable)' in the reader's language."""
    if run.elapsed_s is not None:
        parts = [_("%(elapsed)s s of %(limit)s s", elapsed=f"{run.elapsed_s:.1f}",
                   limit=f"{run.time_limit_s:g}")]
    else:
        parts = [_("limit %(limit)s s", limit=f"{run.time_limit_s:g}")]
    if run.value is not None:
        parts.append(_("value %(value)s", value=f"{run.value:g}"))
    if run.bound is not None:
        parts.append(_("bound %(bound)s", bound=f"{run.bound:g}"))
    if run.gap is not None:
        parts.append(_("gap %(gap)s", gap=f"{run.gap * 100:.1f}%"))
    if run.idle_gaps is not None:
        parts.append(idle_gaps_text(run.idle_gaps, run.idle_gaps_bound))
    return " · ".join(_unbroken(part) for part in parts)


def _unbroken(part: str) -> str:
    """A part of the numbers line that a narrow column breaks only before a bracket."""
    return part.replace(" ", "\u00a0").replace("\u00a0(", " (")


def idle_gaps_text(gaps: int, bound: int | None) -> str:
    """The idle gaps with what their proven bound says (a bound of 0 says nothing)."""
    if bound is None or (bound <= 0 < gaps):
        return ngettext("%(num)d idle gap", "%(num)d idle gaps", gaps)
    if gaps <= bound:
        return ngettext("%(num)d idle gap (the fewest possible)",
                        "%(num)d idle gaps (the fewest possible)", gaps)
    return ngettext("%(num)d idle gap (at least %(bound)d unavoidable)",
                    "%(num)d idle gaps (at least %(bound)d unavoidable)", gaps, bound=bound)


PHASES = {PLACING: _l("placing meetings"), COMPACTING: _l("closing idle gaps")}


@bp.app_template_filter("run_phase")
def run_phase(run: SolveRun) -> str:
    """What an active run is doing, in words; '' when it is not running or does not say."""
    if run.status is not RunStatus.RUNNING or run.phase not in PHASES:
        return ""
    return str(PHASES[run.phase])


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
    listed = runs.event_runs(db.session, event)
    return render_template(
        "schedule/runs.html", event=event, runs=listed,
        verdicts=draft_verdicts(db.session, event, listed),
        meetings_form=meetings_form, dialogues_form=dialogues_form, action_form=ActionForm(),
        in_force=in_force, locked=locked, downloads=DOWNLOADS, active=runs.ACTIVE,
        queue_positions=runs.queue_positions(db.session),
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
                              time_limit_s=form.time_limit.data, user_id=current_user.id,
                              include_spare=bool(form.include_spare.data),
                              max_time_limit_s=runs.max_run_seconds(current_app))
    except DomainError as error:
        db.session.rollback()
        form.time_limit.errors = [*form.time_limit.errors, error.message]
        return _runs_page(event, meetings_form, dialogues_form, 400)
    run_id, slug = run.id, event.slug
    db.session.commit()  # the job opens its own session; nothing may hold the write lock
    runs.submit_run(current_app._get_current_object(), run_id)
    flash(_("Run %(id)s started.", id=run_id), "success")
    return redirect(url_for("schedule.runs", slug=slug))


@bp.route("/runs/<int:run_id>/status.json")
@organiser_required
def run_status(event, run_id: int):
    run = _run_of(event, run_id)
    data = runs.run_status(run, runs.queue_positions(db.session).get(run.id))
    data.update(status_label=run.status.label.lower(), numbers=run_numbers(run),
                phase_label=run_phase(run), message=run_message(run.message))
    response = jsonify(data)
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
        flash(_("Run %(id)s is stopping; its best result so far is kept.", id=run_id),
              "success")
    else:
        flash(_("Run %(id)s is not running.", id=run_id), "error")
    return redirect(url_for("schedule.runs", slug=event.slug))


@bp.route("/runs/<int:run_id>")
@organiser_required
def compare(event, run_id: int):
    run = _run_of(event, run_id)
    if run.status not in runs.DONE or run.result is None:
        flash(_("Run %(id)s has no result to compare (%(status)s).", id=run_id,
                status=run.status.label.lower()), "error")
        return redirect(url_for("schedule.runs", slug=event.slug))
    try:
        if run.kind is RunKind.MEETINGS:
            comparison = compare_schedule(db.session, event, run)
            template = "schedule/compare.html"
        else:
            comparison = compare_dialogues(db.session, event, run)
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
            comparison = publish_schedule(db.session, event, run)
            message = _("Schedule published: %(gained)d new, %(moved)d moved, %(lost)d "
                        "dropped meetings; %(notified)d participants notified.",
                        gained=comparison.count("gained"), moved=comparison.count("moved"),
                        lost=comparison.count("lost"), notified=len(comparison.affected))
        else:
            comparison = publish_dialogues(db.session, event, run)
            message = _("Dialogue seats published: %(gained)d new, %(moved)d moved, "
                        "%(lost)d dropped.", gained=comparison.count("gained"),
                        moved=comparison.count("moved"), lost=comparison.count("lost"))
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("schedule.compare", slug=slug, run_id=run_id))
    except Exception:  # noqa: BLE001 - nothing is half-published; say so instead of a 500
        db.session.rollback()
        current_app.logger.exception("Publishing run %s failed", run_id)
        flash(_("Publishing failed; nothing was changed. Please try again."), "error")
        return redirect(url_for("schedule.compare", slug=slug, run_id=run_id))
    flash(message, "success")
    return redirect(url_for("schedule.runs", slug=slug))


@bp.route("/runs/<int:run_id>/why-not")
@organiser_required
def why_not(event, run_id: int):
    run = _run_of(event, run_id)
    if run.kind is not RunKind.MEETINGS or run.result is None:
        abort(404)
    items = explain.why_not(db.session, event, run)
    try:
        advice = capacity.plan_capacity(solving.build_problem(db.session, event).problem)
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
    moves.set_locked(db.session, meeting, action == "lock")
    db.session.commit()
    flash(_("Meeting locked: a re-solve keeps it in place.") if action == "lock"
          else _("Meeting unlocked."), "success")
    return redirect(url_for("schedule.meetings", slug=event.slug) + f"#meeting-{meeting_id}")


def _move_choices(form: MoveForm, event) -> None:
    slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id)
                               .order_by(Slot.starts_at))
    form.slot.choices = [(s.id, slot_label(s, event)) for s in slots]
    tables = db.session.scalars(select(Table).where(Table.event_id == event.id)
                                .order_by(Table.number))
    form.table.choices = [(t.id, _table_choice(t)) for t in tables]


def _table_choice(table: Table) -> str:
    text = _("%(table)s (spare)", table=table.label) if table.spare else table.label
    if table.owner:
        text = _("%(table)s, stand of %(name)s", table=text, name=table.owner.user.name)
    return text


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
                moves.move_meeting(db.session, event, meeting, slot, table)
            except DomainError as error:
                db.session.rollback()
                meeting = _meeting_of(event, meeting_id)
                attach_error(form, error, default=form.slot)
            else:
                db.session.commit()
                flash(_("Meeting moved and locked there; both participants were told."),
                      "success")
                return redirect(url_for("schedule.meetings", slug=event.slug)
                                + f"#meeting-{meeting_id}")
        status = 400
    return render_template("schedule/move.html", event=event, meeting=meeting, form=form,
                           places=moves.free_places(db.session, event, meeting)), status


@bp.route("/export/<name>")
@organiser_required
def download(event, name: str):
    if name not in DOWNLOADS:
        abort(404)

    if name.startswith("tables."):
        plan = tables.table_plan(db.session, event, now=utcnow())
        data = {"pdf": tables.to_pdf, "html": tables.to_html,
                "csv": tables.to_csv}[name.split(".")[1]](plan)
    elif name == "agendas.pdf":
        data = agendas.to_pdf(event, agendas.agendas(db.session, event))
    elif name == "event.ics":
        data = ical.event_calendar(db.session, event, ical.host_from_config(current_app.config))
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
