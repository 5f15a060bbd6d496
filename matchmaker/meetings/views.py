from flask import (Blueprint, abort, flash, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..access import participant_required, participation_of
from ..actions import attempt, commit_or_flash
from ..agenda.services import table_label
from ..database import reset_read_only, set_read_only, utcnow
from ..domain import DomainError, NotFound
from ..forms import attach_error
from ..extensions import db
from ..i18n import format_moment
from ..ids import db_int
from ..models import RequestStatus
from . import inbox, services, unscheduled
from .forms import ActionForm, BulkAnswerForm, DeclineForm, RequestForm

bp = Blueprint("meetings", __name__)


def profile_url(event, participation) -> str | None:
    """The counterpart's profile page."""
    if participation is None:
        return None
    return url_for("profiles.show", slug=event.slug, participation_id=participation.id)


def _find(event, me, request_id: int):
    try:
        return services.find_request(db.session, event, request_id, me)
    except NotFound:
        abort(404)


@bp.route("/events/<slug>/requests/new/<int:participation_id>", methods=["GET", "POST"])
@participant_required
def new_request(event, me, participation_id: int):
    return _new_request(event, me, participation_id)


@bp.route("/events/<slug>/requests/new", methods=["GET", "POST"])
@participant_required
def new_request_to(event, me):
    """The same form, addressed by `?to=<participation id>` (links from cards and profiles)."""
    recipient_id = request.args.get("to", type=db_int)
    if recipient_id is None:
        abort(404)
    return _new_request(event, me, recipient_id)


def _new_request(event, me, participation_id: int):
    try:
        recipient = services.participant_in_event(db.session, event, participation_id)
    except NotFound:
        abort(404)
    now = utcnow()
    refusal = services.why_not_requestable(db.session, event, me, recipient, now)
    form = RequestForm()
    if refusal is None and form.validate_on_submit():
        try:
            services.request_meeting(db.session, event, me, recipient,
                                     message=form.message.data or "",
                                     priority=form.priority.data, now=now)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Request sent to %(name)s. You will get an e-mail when they answer.",
                    name=recipient.user.name), "success")
            return redirect(url_for("meetings.requests", slug=event.slug, tab="sent"))
    elif refusal is not None and request.method == "POST":
        form.form_errors.append(refusal)
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/new_request.html", event=event, me=me,
                           recipient=recipient, form=form, refusal=refusal,
                           profile_url=profile_url(event, recipient)), status


def _tab_asked(counts: dict[str, inbox.TabCount]) -> str:
    tab = request.args.get("tab")
    if tab == "received":  # the name of the incoming tab in older links and e-mails
        return "incoming"
    if tab in inbox.TABS:
        return tab
    return "incoming" if counts["incoming"].total or not counts["all"].total else "all"


@bp.route("/events/<slug>/requests")
@participant_required
def requests(event, me):
    now = utcnow()
    counts = inbox.tab_counts(db.session, me, now)
    tab = _tab_asked(counts)
    page = inbox.request_page(db.session, me, tab, request.args.get("page", 1, type=int), now,
                              seen_at=me.requests_seen_at, total=counts[tab].total)
    no_time = unscheduled.why_no_time(
        db.session, me, [row.request for row in page.rows
                         if row.status is RequestStatus.ACCEPTED and row.request.meeting is None])
    # The navigation's badge: what is unread is on this very page, and seen by this visit.
    g.setdefault("unread_requests", {})[event.id] = 0
    html = render_template(
        "meetings/requests.html", event=event, me=me, tab=tab, tabs=inbox.TABS,
        counts=counts, page=page, rows=page.rows, waiting=counts["incoming"].total,
        action_form=ActionForm(), decline_form=DeclineForm(), bulk_form=BulkAnswerForm(),
        # the accepted tab counts what accepted_count does: accepted, sent or received
        accepted=counts["accepted"].total, cap=services.meeting_cap(me),
        no_time={key: unscheduled.no_time_text(value) for key, value in no_time.items()},
        profile_url=lambda p: profile_url(event, p), market_url=url_for("marketplace.market", slug=event.slug),
        when=lambda moment: format_moment(moment, event.timezone), table_label=table_label)
    if counts["all"].unread:
        _mark_seen(me, now)
    return html


def _back(event, tab: str):
    return redirect(url_for("meetings.requests", slug=event.slug, tab=tab))


def _mark_seen(me, now) -> None:
    """Write the visit down: a GET runs in a read transaction, so end it and write apart."""
    db.session.commit()
    token = set_read_only(False)
    try:
        inbox.mark_seen(db.session, me, now)
        db.session.commit()
    finally:
        reset_read_only(token)


@bp.route("/events/<slug>/requests/<int:request_id>/accept", methods=["POST"])
@participant_required
def accept(event, me, request_id: int):
    meeting_request = _find(event, me, request_id)
    if meeting_request.recipient_id != me.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = _back(event, "incoming")

    def accept_and_word() -> str:
        services.accept_request(db.session, meeting_request, me, utcnow())
        # Worded before the commit, while the meeting, its time and table are loaded:
        # after it they would be read again.
        meeting = meeting_request.meeting
        return (_("Booked: you meet %(name)s on %(when)s at %(table)s.",
                  name=meeting_request.sender.user.name, when=format_moment(
                      meeting.slot.starts_at, event.timezone), table=meeting.table.label)
                if meeting else
                _("Accepted: you will meet %(name)s.", name=meeting_request.sender.user.name))

    done, error = attempt(accept_and_word)
    if error is not None:
        flash(error.message, "error")
    else:
        flash(done, "success")
    return back


@bp.route("/events/<slug>/requests/<int:request_id>/decline", methods=["GET", "POST"])
@participant_required
def decline(event, me, request_id: int):
    meeting_request = _find(event, me, request_id)
    if meeting_request.recipient_id != me.id:
        abort(404)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline_request(db.session, meeting_request, me,
                                     reason=form.reason.data or "", now=utcnow())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Declined the request of %(name)s.", name=meeting_request.sender.user.name),
                  "info")
            return _back(event, "incoming")
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/decline.html", event=event, me=me, form=form,
                           meeting_request=meeting_request), status


@bp.route("/events/<slug>/requests/<int:request_id>/cancel", methods=["POST"])
@participant_required
def cancel(event, me, request_id: int):
    meeting_request = _find(event, me, request_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    commit_or_flash(lambda: services.cancel_request(db.session, meeting_request, me, utcnow()),
                    _("The request is cancelled."), "info")
    return _back(event, "all")


@bp.route("/events/<slug>/requests/answer", methods=["POST"])
@participant_required
def answer_selected(event, me):
    """Accept or decline the requests ticked on the incoming tab, each on its own merits."""
    form = BulkAnswerForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _back(event, "incoming")
    accept = bool(form.accept.data)
    outcomes = services.answer_many(db.session, event, me, form.ids.data, accept=accept,
                                    now=utcnow())
    db.session.commit()
    done = sum(1 for outcome in outcomes if outcome.done)
    if done:
        flash(ngettext("Accepted %(num)d request.", "Accepted %(num)d requests.", done)
              if accept else
              ngettext("Declined %(num)d request.", "Declined %(num)d requests.", done),
              "success" if accept else "info")
    for outcome in outcomes:
        if not outcome.done:
            flash(_("Not answered: %(name)s. %(reason)s",
                    name=outcome.name or "#%d" % outcome.request_id, reason=outcome.message),
                  "error")
    return _back(event, "incoming")


@bp.app_context_processor
def _navigation():
    def takes_meetings(event) -> bool:
        """Whether the navigation shows requests and agenda links for this event."""
        me = participation_of(current_user, event)
        return me is not None and me.role in services.REQUESTABLE_ROLES

    def unread_requests(event) -> int:
        """New requests and answers since the last visit: one query per page, remembered."""
        if not current_user.is_authenticated:
            return 0
        cache = g.setdefault("unread_requests", {})
        if event.id not in cache:
            cache[event.id] = inbox.unread_count_for_user(db.session, event.id,
                                                          current_user.id, utcnow())
        return cache[event.id]
    return {"takes_meetings": takes_meetings, "unread_requests": unread_requests}
