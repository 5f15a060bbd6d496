from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import BaseForm
from ..i18n import LANGUAGES


class LoginForm(BaseForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this device")


class RegisterForm(BaseForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", validators=[DataRequired()],
                             description="At least 10 characters.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
                            render_kw={"autocomplete": "new-password"})


class LanguageForm(BaseForm):
    language = SelectField("Language", choices=list(LANGUAGES.items()),
                           validators=[DataRequired()])
