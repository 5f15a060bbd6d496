from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, EmailField, HiddenField, PasswordField, SelectField,
                     StringField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import BaseForm
from ..i18n import LANGUAGES


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))


class RegisterForm(BaseForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             description=_l("At least 10 characters."),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(),
                                        EqualTo("password", _l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class LanguageForm(BaseForm):
    language = SelectField(_l("Language"),
                           choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
                           validators=[DataRequired()])


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class NewPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)],
                             description=_l("At least 10 characters."),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(),
                                        EqualTo("password", _l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=256)],
                                     render_kw={"autocomplete": "current-password"})


class ClaimAccountForm(BaseForm):
    """Confirming the address from another browser: the person chooses the password
    (the fields of the registration form, but the address)."""
    name = RegisterForm.name
    password = RegisterForm.password
    confirm = RegisterForm.confirm


class ConfirmForm(BaseForm):
    """A button that posts: only the CSRF token."""


class ResendForm(BaseForm):
    """Send the confirmation e-mail again, to an address typed in or known from the session."""
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    next = HiddenField(validators=[Length(max=2000)])
