"""The people, times, tables and sessions behind the solvers' ids, for putting a reason
or a broken rule in words.

The solvers name things by their own ids (p12, s3, T4, r55, x7 for one-to-one meetings;
p12, d3, t7, o4 and product group codes for market dialogues). A names object built from
the event problem resolves them: `MeetingNames` for meetings, `DialogueNames` for
dialogues. `solver_reasons`, `violation_text` and the tests use the same few methods.
"""
from __future__ import annotations

from flask_babel import gettext as _, ngettext
from sqlalchemy.orm import Session

from ..i18n import group_name
from ..models import Event, MeetingRequest, Organisation, Participation
from ..timeutil import format_time
from . import solving


class MeetingNames:
    """People, times, tables and meetings behind the ids of a one-to-one problem."""

    def __init__(self, session: Session, event: Event, ep: solving.EventProblem) -> None:
        self.session, self.event, self.ep = session, event, ep
        self._pairs: dict[str, tuple[str, ...]] | None = None

    def person(self, pid: str) -> str:
        p = self.ep.people.get(pid)
        if p is None:
            number = solving.parse_key(pid, "p")
            p = self.session.get(Participation, number) if number is not None else None
        if p is None or p.event_id != self.event.id:
            return _("someone who left the event")
        return p.user.name

    def slot(self, sid: str) -> str:
        s = self.ep.slots.get(sid)
        return format_time(s.starts_at, self.event.timezone) if s is not None else "?"

    def table(self, tid: str) -> str:
        t = self.ep.tables.get(tid) or next(
            (t for t in self.event.tables if solving.table_key(t.number) == tid), None)
        if t is not None:
            return t.label
        return _("Table %(number)s", number=tid.lstrip("T"))

    def meeting(self, mid: str) -> str:
        """'the meeting of A and B' for a meeting of the problem or a request of the event."""
        if self._pairs is None:
            self._pairs = {m.id: m.participants for m in self.ep.problem.meetings}
        pair = self._pairs.get(mid)
        if pair is None:
            r = self.ep.requests.get(mid)
            number = solving.parse_key(mid, "r")
            if r is None and number is not None:
                r = self.session.get(MeetingRequest, number)
            if r is not None and r.event_id == self.event.id:
                pair = (solving.person_key(r.sender_id), solving.person_key(r.recipient_id))
        if pair is None or len(pair) != 2:
            return _("a meeting this event does not know")
        a, b = (self.person(p) for p in pair)
        if mid.startswith("x"):
            return _("the missed meeting of %(a)s and %(b)s", a=a, b=b)
        return _("the meeting of %(a)s and %(b)s", a=a, b=b)

    def meeting_with(self, mid: str | None, busy: str) -> str:
        """Who `busy` meets in meeting `mid` ('' when unknown)."""
        if mid is None:
            return ""
        if mid.startswith("x"):
            return _("a missed meeting kept at its table")
        r = self.ep.requests.get(mid)
        if r is None:
            return ""
        other = r.recipient if solving.person_key(r.sender_id) == busy else r.sender
        return _("with %(name)s", name=other.user.name)


class DialogueNames:
    """People, sessions, tables, organisations and product groups of a dialogue problem."""

    def __init__(self, session: Session, built: solving.EventDialogue) -> None:
        self.session, self.built = session, built
        self.tables = {tid: t for (_sid, tid), t in built.tables.items()}
        self.groups = {g.code: group_name(g) for g in built.event.product_groups}

    def person(self, pid: str) -> str:
        p = self.built.people.get(pid)
        return p.user.name if p is not None else _("someone who left the event")

    def dialogue(self, sid: str) -> str:
        d = self.built.sessions.get(sid)
        if d is None:
            return _("a removed session")
        return d.name or group_name(d.product_group)

    def table(self, tid: str) -> str:
        t = self.tables.get(tid)
        return _("Table %(number)s", number=t.label if t is not None else "?")

    def organisation(self, oid: str | None) -> str:
        number = solving.parse_key(oid or "", "o")
        org = self.session.get(Organisation, number) if number is not None else None
        return org.name if org is not None else _("their organisation")

    def group(self, code: str) -> str:
        return self.groups.get(code, code)



def role_count(role: str, count: int) -> str:
    """'3 buyers', '1 supplier'."""
    if role == "buyer":
        return ngettext("%(num)d buyer", "%(num)d buyers", count)
    return ngettext("%(num)d supplier", "%(num)d suppliers", count)
