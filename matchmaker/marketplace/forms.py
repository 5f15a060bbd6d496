from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from ..forms import BaseForm
from ..ids import db_int
from ..profiles.forms import MultiCheckboxField, PostForm

__all__ = ["ListingForm", "MarketFilters", "PostForm", "ShortlistForm", "parse_filters"]


class ListingForm(BaseForm):
    product_group = SelectField(_l("Product group"), coerce=db_int,
                                validators=[InputRequired(_l("Choose a product group."))])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give a short title.")),
                                                 Length(max=160)],
                        description=_l("One line that says what you offer or look for."))
    text = TextAreaField(_l("Description"), validators=[Length(max=4000)],
                         description=_l("A few sentences: what, for whom, when. "
                                        "At most 4,000 characters."))
    strategies = MultiCheckboxField(_l("Circular strategies"), coerce=db_int,
                                    description=_l("Tick the strategies that apply."))


class ShortlistForm(BaseForm):
    """The star on a card or profile: add to or remove from one's shortlist."""

    action = HiddenField(validators=[AnyOf(("add", "remove"),
                                           message=_l("Choose to add or to remove."))])
    next = HiddenField(validators=[Length(max=2000)])


MAX_QUERY = 200
BOTH = "both"  # the kind filter's value for offers and queries alike


@dataclass(frozen=True)
class MarketFilters:
    """The market place's search and filters, read leniently from the query string."""

    q: str = ""
    group: str = ""  # product group code
    strategy: str = ""  # strategy code, e.g. "C5"
    kind: str = ""  # "offer", "query" or "" (both)
    organisation: int | None = None
    page: int = 1
    kind_chosen: bool = False  # False: `kind` is the reader's role default
    shortened: bool = False  # the typed query was longer than MAX_QUERY

    def args(self, **changes) -> dict:
        """Query-string arguments for a link that keeps these filters."""
        values = {"q": self.q, "group": self.group, "strategy": self.strategy,
                  "kind": (self.kind or BOTH) if self.kind_chosen else "",
                  "organisation": self.organisation, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and not (
            k == "page" and v == 1)}

    @property
    def active(self) -> bool:
        return bool(self.q or self.group or self.strategy or self.kind_chosen
                    or self.organisation)


def _int(value: str | None, default: int | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if 0 < number < 10**9 else default


def parse_filters(args: MultiDict, *, groups: set[str], strategies: set[str],
                  default_kind: str = "") -> MarketFilters:
    """Unknown values are ignored rather than refused: a stale link still shows results.

    Without a valid `kind` the reader sees `default_kind` (what their side looks for);
    `kind=both` shows offers and queries alike.
    """
    group = args.get("group", "")
    strategy = args.get("strategy", "")
    kind = args.get("kind", "")
    kind_chosen = kind in ("offer", "query", BOTH)
    q = " ".join(args.get("q", "").replace("\x00", "").split())
    return MarketFilters(
        q=q[:MAX_QUERY],
        shortened=len(q) > MAX_QUERY,
        group=group if group in groups else "",
        strategy=strategy if strategy in strategies else "",
        kind=("" if kind == BOTH else kind) if kind_chosen else default_kind,
        kind_chosen=kind_chosen,
        organisation=_int(args.get("organisation"), None),
        page=_int(args.get("page"), 1) or 1)
