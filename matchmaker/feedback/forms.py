"""The participant's feedback on a meeting."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..forms import BaseForm
from ..ids import db_int


class FeedbackForm(BaseForm):
    useful = SelectField(_l("Was this meeting useful?"), coerce=db_int,
                         choices=[SelectChoice(5, _l("5 – very useful")), SelectChoice(4, "4"),
                                  SelectChoice(3, "3"), SelectChoice(2, "2"),
                                  SelectChoice(1, _l("1 – not useful"))],
                         validators=[InputRequired()])
    follow_up = SelectField(_l("Do you plan a follow-up?"),
                            choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                            validators=[InputRequired()])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
