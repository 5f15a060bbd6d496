"""Forms of the administrators' page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SearchField
from wtforms.validators import Length, NumberRange, Optional

from ..forms import BaseForm


class AccountSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Name or e-mail"), validators=[Optional(), Length(max=100)])
    page = IntegerField(validators=[Optional(), NumberRange(1, 100000)])
