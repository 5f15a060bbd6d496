from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..access import participant_required
from ..auth.services import safe_next
from ..database import utcnow
from ..domain import DomainError
from ..forms import attach_error
from ..extensions import db
from ..i18n import group_name, strategy_name
from ..meetings.services import open_requests_of
from ..models import Event, Listing, ListingKind, Participation
from ..reference_data import STRATEGY_CATEGORIES
from . import cache, services, shortlist as shortlists
from .forms import ListingForm, PostForm, ShortlistForm, parse_filters

bp = Blueprint("marketplace", __name__)

SUGGESTIONS_SHOWN = 30


def _listing_form(event: Event, listing: Listing | None) -> tuple[ListingForm, list]:
    form = ListingForm(obj=None)
    form.product_group.choices = [SelectChoice(g.id, group_name(g)) for g in event.product_groups]
    strategies = services.all_strategies(db.session)
    form.strategies.choices = [SelectChoice(s.id, f"{s.code} {strategy_name(s)}")
                               for s in strategies]
    if listing is not None and request.method == "GET":
        form.product_group.data = listing.product_group_id
        form.title.data = listing.title
        form.text.data = listing.text
        form.strategies.data = [s.id for s in listing.strategies]
    category_of = {s.id: s.category for s in strategies}
    options = list(form.strategies)
    grouped = [(letter, _(STRATEGY_CATEGORIES[letter]) if letter in STRATEGY_CATEGORIES
                else letter, list(items))
               for letter, items in groupby(options, key=lambda o: category_of[o.data])]
    return form, grouped


def _data(form: ListingForm) -> services.ListingData:
    return services.ListingData(product_group_id=form.product_group.data, title=form.title.data,
                                text=form.text.data or "", strategy_ids=form.strategies.data or [])


@bp.route("/events/<slug>/listings/new", methods=["GET", "POST"])
@participant_required
def new_listing(event: Event, me: Participation):
    kind = services.listing_kind_for(me.role)
    if kind is None:
        abort(403)
    form, grouped = _listing_form(event, None)
    if request.method == "GET" and me.product_groups:
        form.product_group.data = me.product_groups[0].id
    if form.validate_on_submit():
        try:
            listing = services.create_listing(db.session, event=event, owner=me, data=_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, default=form.title)
        else:
            db.session.commit()
            flash(_("Your query is published in the market place.") if kind is ListingKind.QUERY
                  else _("Your offer is published in the market place."), "success")
            return redirect(url_for("marketplace.show_listing", slug=event.slug,
                                    listing_id=listing.id))
    return render_template("marketplace/listing_form.html", event=event, me=me, form=form,
                           grouped=grouped, kind=kind, listing=None), 400 if form.errors else 200


@bp.route("/events/<slug>/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@participant_required
def edit_listing(event: Event, me: Participation, listing_id: int):
    listing = services.own_listing(db.session, event, me, listing_id)
    if listing is None:
        abort(404)
    form, grouped = _listing_form(event, listing)
    if form.validate_on_submit():
        try:
            services.update_listing(db.session, listing=listing, data=_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, default=form.title)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("marketplace.show_listing", slug=event.slug,
                                    listing_id=listing.id))
    return render_template("marketplace/listing_form.html", event=event, me=me, form=form,
                           grouped=grouped, kind=listing.kind, listing=listing), \
        400 if form.errors else 200


@bp.route("/events/<slug>/listings/<int:listing_id>/delete", methods=["GET", "POST"])
@participant_required
def delete_listing(event: Event, me: Participation, listing_id: int):
    """GET asks for confirmation; POST deletes."""
    listing = services.own_listing(db.session, event, me, listing_id)
    if listing is None:
        abort(404)
    form = PostForm()
    if request.method == "GET":
        return render_template("marketplace/delete_listing.html", event=event, me=me,
                               listing=listing, form=form)
    if not form.validate_on_submit():
        abort(400)
    services.delete_listing(db.session, listing)
    db.session.commit()
    flash(_("Deleted."), "info")
    return redirect(url_for("profiles.home", slug=event.slug))


@bp.route("/events/<slug>/listings/<int:listing_id>")
@participant_required
def show_listing(event: Event, me: Participation, listing_id: int):
    listing = services.listing_to_show(db.session, event, listing_id)
    if listing is None:
        abort(404)
    return render_template("marketplace/listing.html", event=event, me=me, listing=listing)


@bp.route("/events/<slug>/market")
@participant_required
def market(event: Event, me: Participation):
    strategies = services.all_strategies(db.session)
    filters = parse_filters(request.args, groups={g.code for g in event.product_groups},
                            strategies={s.code for s in strategies},
                            default_kind=services.default_kind(me.role))
    result = services.search_listings(db.session, event, filters, me=me)
    return render_template(
        "marketplace/market.html", event=event, me=me, filters=filters, result=result,
        strategies=strategies, kinds=list(ListingKind),
        organisation_options=organisation_options(event, filters.organisation))


def organisation_options(event: Event, chosen: int | None) -> Markup:
    """The organisation filter's options, the chosen one selected. Every organisation with
    a listing is one (1,394 on the 2,000-person demo, 60 KB): rendered once per worker
    and data version rather than on every page, where they took a third of the time."""
    options = cache.cached(db.session, event.id, "organisation options", lambda: Markup(
        render_template("marketplace/_organisation_options.html",
                        organisations=services.organisations_with_listings(db.session, event))))
    if chosen is None:
        return options
    return Markup(str(options).replace(f'<option value="{chosen}">',
                                       f'<option value="{chosen}" selected>', 1))


@bp.route("/events/<slug>/shortlist")
@participant_required
def shortlist(event: Event, me: Participation):
    return render_template("marketplace/shortlist.html", event=event, me=me,
                           shortlist=shortlists.shortlist(db.session, me))


def _change_shortlist(event: Event, me: Participation, *, listing: Listing | None = None,
                      person: Participation | None = None):
    form = ShortlistForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "add":
                shortlists.add(db.session, me, listing=listing, person=person)
            else:
                shortlists.remove(db.session, me, listing=listing, person=person)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            name = listing.title if listing is not None else person.user.name
            flash(_("“%(name)s” is on your shortlist.", name=name) if form.action.data == "add"
                  else _("“%(name)s” is off your shortlist.", name=name), "success")
            return redirect(safe_next(form.next.data)
                            or url_for("marketplace.shortlist", slug=event.slug))
    return render_template("marketplace/shortlist.html", event=event, me=me,
                           shortlist=shortlists.shortlist(db.session, me), form=form), 400


@bp.route("/events/<slug>/shortlist/listings/<int:listing_id>", methods=["POST"])
@participant_required
def shortlist_listing(event: Event, me: Participation, listing_id: int):
    listing = services.listing_in_event(db.session, event, listing_id)
    if listing is None:
        abort(404)
    return _change_shortlist(event, me, listing=listing)


@bp.route("/events/<slug>/shortlist/people/<int:participation_id>", methods=["POST"])
@participant_required
def shortlist_person(event: Event, me: Participation, participation_id: int):
    person = db.session.get(Participation, participation_id)
    if person is None or person.event_id != event.id:
        abort(404)
    return _change_shortlist(event, me, person=person)


@bp.app_context_processor
def _market_helpers():
    def request_url_for(event: Event, me: Participation, person: Participation) -> str | None:
        """The new-request page for `person`, only when `me` may ask them for a meeting now
        (checked once per person and page)."""
        memo = g.setdefault("market_requestable", {})
        if person.id not in memo:
            if "market_open_requests" not in g:
                g.market_open_requests = open_requests_of(db.session, event, me, utcnow())
            memo[person.id] = services.may_request(db.session, event, me, person, utcnow(),
                                                   g.market_open_requests)
        if not memo[person.id]:
            return None
        return url_for("meetings.new_request", slug=event.slug, participation_id=person.id)

    def on_shortlist(me: Participation, *, listing: Listing | None = None,
                     person: Participation | None = None) -> bool:
        saved = g.get("market_saved")
        if saved is None:
            saved = g.market_saved = shortlists.saved(db.session, me)
        return (listing.id in saved.listing_ids if listing is not None
                else person is not None and person.id in saved.person_ids)

    return {"request_url_for": request_url_for, "on_shortlist": on_shortlist}


@bp.route("/events/<slug>/suggestions")
@participant_required
def suggestions(event: Event, me: Participation):
    return render_template("marketplace/suggestions.html", event=event, me=me,
                           suggestions=services.suggestions_for(db.session, event, me,
                                                                limit=SUGGESTIONS_SHOWN))
