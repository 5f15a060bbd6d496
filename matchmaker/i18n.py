"""Languages: English, Dutch and French, with dates and times per locale.

The language of a request is, in order: the signed-in user's saved choice, the choice
stored in the session (visitors), then the browser's Accept-Language, then English.
Catalogues live in `matchmaker/translations/<lang>/LC_MESSAGES/messages.po`; `make`
compiles them to `.mo` files (not committed). Strings are marked with
`flask_babel.gettext` (`_`) and, at import time, `lazy_gettext` (`_l`).

Product groups and circular strategies are reference data stored in the database with
English names; `group_name` and `strategy_name` translate the built-in ones by code and
leave names an organiser typed as they are.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.support import Translations
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, Domain, force_locale, get_locale, gettext
from flask_login import current_user

from . import reference_data
from .timeutil import format_time, to_local

LANGUAGES: dict[str, str] = {"en": "English", "nl": "Nederlands", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
SESSION_KEY = "language"



class _RequestDomain(Domain):
    """Flask-Babel's message domain, with the catalogue found once per request and
    language. Flask-Babel looks it up again for every string (and rebuilds the locale's
    name to do so): on a market place page, with a few hundred strings, that was a
    tenth of the page's time. `force_locale` (e-mails in the recipient's language)
    swaps the locale object, which the memo compares by identity."""

    def get_translations(self):
        locale = get_locale()
        known = g.get("_matchmaker_translations") if g else None
        if known is not None and known[0] is locale:
            return known[1]
        translations = super().get_translations()
        if g:
            g._matchmaker_translations = (locale, translations)
        return translations


babel = Babel()
babel.domain_instance = _RequestDomain()  # instead of Flask-Babel's plain Domain


def normalise_language(value: str | None) -> str | None:
    """'nl-BE' -> 'nl'; None for anything that is not one of ours."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def select_language() -> str:
    """The language of the current request (see the module docstring)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if getattr(current_user, "is_authenticated", False):
        chosen = normalise_language(getattr(current_user, "language", None))
        if chosen:
            return chosen
    chosen = normalise_language(session.get(SESSION_KEY))
    if chosen:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE)


def current_language() -> str:
    locale = get_locale()
    return normalise_language(str(locale)) if locale is not None else DEFAULT_LANGUAGE


def _dates_locale() -> Locale | str:
    """The request's locale for babel's date formats: the object itself, which babel
    would otherwise parse again from its name on every date of a page."""
    return get_locale() or DEFAULT_LANGUAGE


def in_language(language: str | None):
    """Context manager: translate in `language` (a recipient's), e.g. for an e-mail."""
    return force_locale(normalise_language(language) or DEFAULT_LANGUAGE)


# --- Dates and times ------------------------------------------------------------------------
# Times are shown on a 24-hour clock (the custom in Belgium in all three languages:
# `timeutil.format_time`); day and month names follow the language. The moment is converted to the event's zone first.

def _local(moment: datetime | date, tz_name: str | None) -> datetime | date:
    if isinstance(moment, datetime) and tz_name:
        return to_local(moment, tz_name)
    return moment


def format_day(moment: datetime | date, tz_name: str | None = None, style: str = "full") -> str:
    """'Tuesday 17 March 2026' / 'dinsdag 17 maart 2026' / 'mardi 17 mars 2026'.
    `style`: 'full' (with the weekday), 'long' (without), 'short' ('Tue 17 Mar')."""
    local = _local(moment, tz_name)
    day = local.date() if isinstance(local, datetime) else local
    patterns = {"full": "EEEE d MMMM y", "long": "d MMMM y", "short": "EEE d MMM",
                "short_year": "EEE d MMM y"}
    return _babel_date(day, patterns[style], locale=_dates_locale())


def format_moment(moment: datetime, tz_name: str | None = None) -> str:
    """'17 Mar 10:30' in the event's zone."""
    local = _local(moment, tz_name)
    return f"{_babel_date(local.date(), 'd MMM', locale=_dates_locale())} {format_time(local)}"


# --- Reference data -----------------------------------------------------------------------

def _translated(english: dict[str, str], code: str | None, name: str) -> str:
    """The translation of a built-in entry whose stored name is still the English one;
    a name an organiser typed is shown as it is."""
    if code in english and name == english[code]:
        return gettext(name)
    return name


def group_name(group) -> str:
    return _translated(reference_data.GROUP_NAMES, getattr(group, "code", None), group.name)


def strategy_name(strategy) -> str:
    return _translated(reference_data.STRATEGY_NAMES, getattr(strategy, "code", None),
                       strategy.name)


def strategy_category_name(strategy) -> str:
    return _translated(reference_data.STRATEGY_CATEGORIES, getattr(strategy, "category", None),
                       strategy.category_name)


TRANSLATIONS_DIRECTORY = Path(__file__).parent / "translations"


@lru_cache(maxsize=1)
def reference_names_in_all_languages() -> dict[str, tuple[str, ...]]:
    """The English name of every built-in product group and strategy -> its distinct names
    in all our languages, English first ('Furniture' -> ('Furniture', 'Meubilair',
    'Mobilier')). Read once per process from the compiled catalogues; a language whose
    catalogue is not compiled adds nothing."""
    catalogues = [Translations.load(str(TRANSLATIONS_DIRECTORY), [language])
                  for language in LANGUAGES if language != DEFAULT_LANGUAGE]
    names = [*reference_data.GROUP_NAMES.values(), *reference_data.STRATEGY_NAMES.values()]
    return {name: tuple(dict.fromkeys([name, *(c.gettext(name) for c in catalogues)]))
            for name in names}


def _in_all_languages(english: dict[str, str], code: str | None, name: str) -> str:
    """Like `_translated`, for search: a built-in entry in every language at once, a name
    an organiser typed as it is."""
    if code in english and name == english[code]:
        return " ".join(reference_names_in_all_languages().get(name, (name,)))
    return name


def group_name_in_all_languages(code: str | None, name: str) -> str:
    return _in_all_languages(reference_data.GROUP_NAMES, code, name)


def strategy_name_in_all_languages(code: str | None, name: str) -> str:
    return _in_all_languages(reference_data.STRATEGY_NAMES, code, name)


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.filters.update(
        day=format_day, group_name=group_name, strategy_name=strategy_name,
        strategy_category_name=strategy_category_name)

    @app.context_processor
    def _language_globals():
        return {"LANGUAGES": LANGUAGES, "current_language": current_language()}
