"""Suggestion reasons in the reader's language.

The scorer (`suggestions`) stays free of Flask: its reasons read in English and keep
their message and values. Here the message is translated and the values are shown the
way the rest of the site shows them: built-in product groups and strategies by their
translated names, lists joined the way the language joins them ("A, B en C").
"""
from __future__ import annotations

from babel.lists import format_list
from flask_babel import gettext

from ..i18n import current_language, strategy_name
from ..reference_data import GROUP_NAMES
from .suggestions import Reason, Strategy

_BUILT_IN_GROUPS = frozenset(GROUP_NAMES.values())
# Belgian and British conventions: "A, B and C" without a serial comma.
_LIST_LOCALES = {"en": "en_GB", "nl": "nl_BE", "fr": "fr_BE"}


def _group(name: str) -> str:
    """Built-in product groups are stored under their English name; others as typed."""
    return gettext(name) if name in _BUILT_IN_GROUPS else name


def _strategy(strategy: Strategy) -> str:
    return f"{strategy.code} {strategy_name(strategy)}"


def _value(key: str, value: object) -> str:
    if isinstance(value, Strategy):
        return _strategy(value)
    if isinstance(value, (list, tuple)):
        words = [_group(v) for v in value] if key == "groups" else [str(v) for v in value]
        locale = _LIST_LOCALES.get(current_language(), "en_GB")
        return format_list(words, locale=locale) if words else ""
    if key == "group":
        return _group(str(value))
    return str(value)


def in_words(reason: str) -> str:
    """`reason` in the current language; a plain string is returned as it is."""
    if not isinstance(reason, Reason):
        return reason
    return gettext(reason.message, **{k: _value(k, v) for k, v in reason.values.items()})
