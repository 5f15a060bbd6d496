"""Forms of attendee import and invitation acceptance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SearchField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..forms import BaseForm


class ImportForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     render_kw={"accept": ".csv,text/csv"},
                     description=_l("Columns: name, email, organisation, role, product_groups "
                                    "(codes or names separated by ; or |), optionally language "
                                    "(en, nl or fr). UTF-8, at most 1 MB."))
    only_valid = BooleanField(_l("Import only the valid rows"))
    invite = BooleanField(_l("Send invitations to new accounts"), default=True)


class ImportConfirmForm(BaseForm):
    csv_text = HiddenField(validators=[DataRequired()])
    only_valid = BooleanField(_l("Import only the valid rows"))
    invite = BooleanField(_l("Send invitations to new accounts"))


class SetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()],
                             description=_l("At least 10 characters."),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password",
                                                                _l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class PeopleSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Name, e-mail or organisation"), validators=[Optional(), Length(max=100)])
