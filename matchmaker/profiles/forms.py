from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, PasswordField, RadioField, SelectMultipleField, StringField,
                     TelField)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm
from ..ids import db_int
from ..models import MEETING_ROLES, Role

SELF_CHOSEN_ROLES = MEETING_ROLES
ROLE_HELP = {
    Role.BUYER: _l("Buyer: I procure and post queries"),
    Role.SUPPLIER: _l("Supplier: I offer circular products or services"),
    Role.FACILITATOR: _l("Expert or facilitator: I advise buyers and suppliers"),
}


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; `_forms.html` renders it inside a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(BaseForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "organization"})
    role = RadioField(_l("I take part as"),
                      choices=[SelectChoice(r.value, ROLE_HELP[r]) for r in SELF_CHOSEN_ROLES],
                      validators=[DataRequired(_l("Choose how you take part."))])
    product_groups = MultiCheckboxField(
        _l("Product groups that interest you"), coerce=db_int,
        validators=[DataRequired(_l("Choose at least one product group."))])
    pitch = StringField(_l("Your pitch in one line"), validators=[Length(max=200)],
                        description=_l("What you offer or look for, in at most 200 characters."))
    phone = TelField(_l("Phone"), validators=[
        Optional(), Length(max=40),
        Regexp(r"^\+?[0-9 ()./-]{6,40}$", message=_l("Use digits, spaces and + ( ) . / - only."))],
        render_kw={"autocomplete": "tel"})
    share_contact = BooleanField(_l("Show my e-mail address and phone to other participants"))
    join_code = StringField(_l("Invitation code"), validators=[DataRequired(), Length(max=40)],
                            render_kw={"autocomplete": "off"},
                            description=_l("The organisers gave it to the people they invite."))
    logo = FileField(_l("Logo (optional)"), description=_l("PNG, JPEG or WebP, at most 1 MB."),
                     render_kw={"accept": "image/png,image/jpeg,image/webp"})


class DeleteAccountForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(_l("I understand that my account and everything in it will be deleted"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class PostForm(BaseForm):
    """A form with only the CSRF token, for POST-only actions."""
