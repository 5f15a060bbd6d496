"""Pages reached from e-mail links, without logging in: the answer to an outcome
question and the opt-out of reminders or outcome questions. The signed token in the
link is the authorisation; GET shows a page, only the button (POST, with CSRF) writes."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l

from ..database import utcnow
from ..extensions import db
from ..forms import ActionForm
from ..links import unsign
from ..models import Outcome, User
from ..notifications.reminders import OPT_OUT
from . import services
from .forms import OutcomeForm

bp = Blueprint("outcomes", __name__)

OPT_OUTS = {"reminders": ("meeting_reminders", _l("meeting reminders")),
            "outcomes": ("outcome_questions", _l("questions about what came of your meetings"))}


@bp.route("/outcome/<token>", methods=["GET", "POST"])
def answer(token: str):
    found = services.read_answer_token(db.session, token)
    if found is None:
        abort(404)
    meeting, person = found
    form = OutcomeForm()
    saved = None
    status = 200
    if form.is_submitted():
        if form.validate():
            saved = Outcome(form.outcome.data)
            services.record_answer(db.session, meeting, person, saved, utcnow())
            db.session.commit()
        else:
            status = 400
    return render_template(
        "outcomes/answer.html", form=form, meeting=meeting, person=person,
        event=meeting.slot.event, other=services.counterpart(meeting, person), saved=saved,
        current=saved or services.answer_of(db.session, meeting, person),
        outcomes=list(Outcome)), status


@bp.route("/mail/opt-out/<token>", methods=["GET", "POST"])
def opt_out(token: str):
    data = unsign(OPT_OUT, token)
    if not isinstance(data, dict) or data.get("k") not in OPT_OUTS:
        abort(404)
    user = db.session.get(User, data.get("u"))
    if user is None:
        abort(404)
    attribute, what = OPT_OUTS[data["k"]]
    form = ActionForm()
    done = False
    status = 200
    if form.is_submitted():
        if form.validate():
            setattr(user, attribute, False)
            db.session.commit()
            done = True
        else:
            status = 400
    return render_template("outcomes/opt_out.html", form=form, what=str(what), done=done,
                           already=not getattr(user, attribute) and not done), status
