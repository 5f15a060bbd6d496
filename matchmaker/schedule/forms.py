"""Forms of the console's schedule pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from ..forms import BaseForm
from ..ids import db_int


class StartRunForm(BaseForm):
    kind = HiddenField(validators=[DataRequired()])
    time_limit = FloatField(_l("Time limit (seconds)"), default=60,
                            validators=[InputRequired(_l("Give a time limit in seconds.")),
                                        NumberRange(min=1, message=_l(
                                            "The time limit must be positive."))],
                            description=_l("The solver stops after this time with the best "
                                           "result found; you can stop it earlier."))
    include_spare = BooleanField(_l("Also use spare tables"), default=False,
                                 description=_l("Spare tables stay free for changes on the "
                                                "day unless you allow them for this run."))

    def validate_time_limit(self, field) -> None:
        """At most `MAX_RUN_SECONDS`, which the site's administrator sets: one organiser's
        long runs must not hold the solver for everyone."""
        from flask import current_app
        from wtforms import ValidationError
        from .runs import max_run_seconds
        most = max_run_seconds(current_app)
        if field.data is not None and field.data > most:
            raise ValidationError(_l("Between 1 and %(max)s seconds.", max=f"{most:g}"))

    def validate_kind(self, field) -> None:
        from wtforms import ValidationError
        if field.data not in ("meetings", "dialogues"):
            raise ValidationError(_l("Unknown kind of run."))


class MoveForm(BaseForm):
    slot = SelectField(_l("Slot"), coerce=db_int, validators=[InputRequired(_l("Choose a slot."))])
    table = SelectField(_l("Table"), coerce=db_int,
                        validators=[InputRequired(_l("Choose a table."))])
