"""Every participant's agenda in one PDF, one page each, to print and hand out at the desk."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import (MEETING_ROLES, DialogueSeat, DialogueSession, DialogueTable, Event, Meeting,
                      MeetingRequest, MeetingStatus, Participation)
from ..i18n import format_day
from ..timeutil import to_local
from .tables import _esc, dialogue_title, pdf_fonts, pdf_styles, side_in_sentence, span


@dataclass
class AgendaItem:
    sort_key: object
    time: str
    what: str
    where: str


@dataclass
class Agenda:
    participation: Participation
    items: list[AgendaItem] = field(default_factory=list)


def agendas(session: Session, event: Event) -> list[Agenda]:
    """Agendas of the buyers, suppliers and experts, and of anyone else with an item."""
    tz = event.timezone
    several_days = len({b.day for b in event.blocks}) > 1
    people = list(session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.user), selectinload(Participation.organisation))))
    by_id = {p.id: Agenda(participation=p) for p in people}
    meetings = session.scalars(
        select(Meeting).where(Meeting.event_id == event.id,
                              Meeting.status != MeetingStatus.NO_SHOW).options(
            selectinload(Meeting.slot), selectinload(Meeting.table),
            selectinload(Meeting.request).selectinload(MeetingRequest.sender),
            selectinload(Meeting.request).selectinload(MeetingRequest.recipient)))
    for m in meetings:
        when = span(m.slot.starts_at, m.slot.ends_at, tz, with_day=several_days)
        for me, other in ((m.request.sender, m.request.recipient),
                          (m.request.recipient, m.request.sender)):
            by_id[me.id].items.append(AgendaItem(
                sort_key=m.slot.starts_at, time=when,
                what=_("Meeting with %(name)s", name=other.display_name), where=m.table.label))
    seats = session.scalars(
        select(DialogueSeat).join(DialogueSession).where(DialogueSession.event_id == event.id)
        .options(selectinload(DialogueSeat.table).selectinload(DialogueTable.session)
                 .selectinload(DialogueSession.product_group)))
    for s in seats:
        d = s.table.session
        by_id[s.participation_id].items.append(AgendaItem(
            sort_key=d.starts_at,
            time=span(d.starts_at, d.ends_at, tz, with_day=several_days),
            what=_("%(session)s (%(side)s)", session=dialogue_title(d),
                   side=side_in_sentence(s.side)),
            where=_("Dialogue table %(label)s", label=s.table.label)))
    moderated = session.scalars(
        select(DialogueTable).join(DialogueSession)
        .where(DialogueSession.event_id == event.id, DialogueTable.moderator_id.is_not(None),
               DialogueTable.seats.any())
        .options(selectinload(DialogueTable.session).selectinload(DialogueSession.product_group)))
    for t in moderated:
        d = t.session
        by_id[t.moderator_id].items.append(AgendaItem(
            sort_key=d.starts_at,
            time=span(d.starts_at, d.ends_at, tz, with_day=several_days),
            what=_("Moderating: %(session)s", session=dialogue_title(d)),
            where=_("Dialogue table %(label)s", label=t.label)))
    out = []
    for agenda in by_id.values():
        p = agenda.participation
        if p.role in MEETING_ROLES or agenda.items:
            agenda.items.sort(key=lambda i: i.sort_key)
            out.append(agenda)
    out.sort(key=lambda a: (a.participation.user.name.casefold(), a.participation.id))
    return out


def to_pdf(event: Event, items: list[Agenda]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import (KeepInFrame, PageBreak, Paragraph, SimpleDocTemplate,
                                    Spacer, Table, TableStyle)

    tz = event.timezone
    styles = pdf_styles()
    regular, bold = pdf_fonts()
    cell = styles["BodyText"].clone("cell", fontSize=10, leading=13)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=_("%(event)s: agendas", event=event.name),
                            author="matchmaker", leftMargin=1.5 * cm, rightMargin=1.5 * cm,
                            topMargin=1.5 * cm, bottomMargin=1.5 * cm)
    width, height = A4[0] - 3 * cm, A4[1] - 3 * cm - 12
    style = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7f3ed")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), regular), ("FONTNAME", (0, 0), (-1, 0), bold),
    ])
    story = []
    days = sorted({i.sort_key for a in items for i in a.items})
    day_text = format_day(days[0], tz) if days else ""
    if days and format_day(days[-1], tz) != day_text:
        day_text = _("%(first)s to %(last)s", first=day_text, last=format_day(days[-1], tz))
    zone = (_("Times in %(zone)s (%(abbr)s)", zone=tz, abbr=to_local(days[0], tz).tzname())
            if days else _("Times in %(zone)s", zone=tz))
    for n, agenda in enumerate(items):
        p = agenda.participation
        if n:
            story.append(PageBreak())
        org = p.organisation.name if p.organisation else ""
        content = [Paragraph(_esc(p.user.name), styles["Title"]),
                   Paragraph(_esc(" · ".join(x for x in (org, p.role.label) if x)),
                             styles["Heading3"]),
                   Paragraph(_esc(f"{event.name}" + (f", {day_text}" if day_text else "")),
                             styles["BodyText"]),
                   Paragraph(_esc(zone), styles["BodyText"]), Spacer(1, 8)]
        if agenda.items:
            rows = [[_("Time"), _("What"), _("Where")]] + [
                [i.time, Paragraph(_esc(i.what), cell), Paragraph(_esc(i.where), cell)]
                for i in agenda.items]
            content.append(Table(rows, colWidths=[2.8 * cm, width - 7.3 * cm, 4.5 * cm],
                                 style=style, repeatRows=1))
        else:
            content.append(Paragraph(_esc(_("No meetings scheduled.")), styles["BodyText"]))
        story.append(KeepInFrame(width, height, content, mode="shrink"))
    if not story:
        story.append(Paragraph(_esc(_("No participants.")), styles["BodyText"]))
    doc.build(story)
    return buffer.getvalue()
