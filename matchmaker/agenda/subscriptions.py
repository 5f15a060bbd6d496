"""Addresses that subscribe a calendar app to a participant's private feed.

Each one carries the feed address, so the calendar keeps following the schedule
(a download is a copy that goes stale when a meeting moves).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

GOOGLE = "https://calendar.google.com/calendar/r"
OUTLOOK_COM = "https://outlook.live.com/calendar/0/addfromweb"
OUTLOOK_365 = "https://outlook.office.com/calendar/0/addfromweb"


@dataclass(frozen=True)
class SubscriptionLinks:
    feed: str  # https://.../feed/<token>.ics
    webcal: str  # the same with webcal://, which desktop and phone calendars open
    google: str
    outlook_com: str
    outlook_365: str


def webcal_url(feed_url: str) -> str:
    """webcal:// in place of http(s)://: the scheme calendar apps register for."""
    parts = urlsplit(feed_url)
    return urlunsplit(("webcal",) + tuple(parts[1:]))


def subscription_links(feed_url: str, name: str) -> SubscriptionLinks:
    webcal = webcal_url(feed_url)
    outlook_query = urlencode({"url": feed_url, "name": name})
    return SubscriptionLinks(
        feed=feed_url, webcal=webcal,
        google=f"{GOOGLE}?{urlencode({'cid': webcal})}",
        outlook_com=f"{OUTLOOK_COM}?{outlook_query}",
        outlook_365=f"{OUTLOOK_365}?{outlook_query}")
