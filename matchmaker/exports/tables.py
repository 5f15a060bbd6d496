"""The table plan: who meets at which table when, for printing and for spreadsheets.

`table_plan()` reads the schedule in force into plain rows; `to_csv`, `to_html` and
`to_pdf` render it. The PDF has an overview grid (tables by slots) first, then one
page per meeting table (the sheet to put on it) and one page per market-dialogue
table (both sides and the moderator).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import (DialogueSeat, DialogueSession, DialogueTable, Event, Meeting,
                      MeetingRequest, MeetingStatus, Participation, Side, Slot, Table)
from ..i18n import format_day, group_name
from ..timeutil import format_time, to_local

CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
             "/usr/local/share/fonts", "/Library/Fonts")


def pdf_fonts() -> tuple[str, str]:
    """(regular, bold) font names for the PDFs.

    DejaVu Sans when the system has it (names such as Łukasz or Őrs print right),
    else reportlab's built-in Helvetica, which knows Western European letters only.
    """
    from pathlib import Path

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans", "DejaVuSans-Bold"
    for folder in FONT_DIRS:
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def pdf_styles():
    """reportlab's sample styles in the PDF fonts."""
    from reportlab.lib.styles import getSampleStyleSheet

    regular, bold = pdf_fonts()
    styles = getSampleStyleSheet()
    for name in styles.byName:
        style = styles[name]
        if hasattr(style, "fontName"):
            style.fontName = bold if "Bold" in style.fontName else regular
    return styles


def safe_cell(value: object) -> str:
    """A spreadsheet cell that cannot run as a formula (leading ' before = + - @ tab CR)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_DANGEROUS) else text


@dataclass
class SheetRow:
    time: str
    first: str
    second: str


@dataclass
class TableSheet:
    label: str
    zone: str
    owner: str
    rows: list[SheetRow] = field(default_factory=list)


@dataclass
class DialogueSheet:
    session: str
    time: str
    label: str
    moderator: str
    buyers: list[str] = field(default_factory=list)
    suppliers: list[str] = field(default_factory=list)


@dataclass
class TablePlan:
    event: Event
    zone_label: str
    day_labels: list[str]
    slot_labels: list[str]
    grid: list[tuple[str, list[str]]]  # (table label, one cell per slot)
    sheets: list[TableSheet]
    dialogues: list[DialogueSheet]
    generated: str


def span(start: datetime, end: datetime, tz: str, *, with_day: bool = False) -> str:
    """'10:30–10:50' in the event's zone; 'Thu 10 Dec 10:30–10:50' for several days."""
    text = f"{format_time(start, tz)}–{format_time(end, tz)}"
    return f"{format_day(start, tz, 'short')} {text}" if with_day else text


def side_in_sentence(side: Side | str) -> str:
    """'buyers' side' in the current language, to go inside a sentence."""
    label = Side(side).label
    return label[:1].lower() + label[1:]


def dialogue_title(d: DialogueSession) -> str:
    """A market-dialogue session's name, or one made from its product group."""
    return d.name or _("Market dialogue: %(group)s", group=group_name(d.product_group))


def _who(p: Participation) -> str:
    return p.display_name


def dialogue_sheets(session: Session, event: Event, *,
                    with_day: bool = False) -> list[DialogueSheet]:
    """The published market-dialogue plan: one sheet per table, both sides and the moderator."""
    sheets = []
    for d in session.scalars(
            select(DialogueSession).where(DialogueSession.event_id == event.id)
            .options(selectinload(DialogueSession.tables).selectinload(DialogueTable.seats)
                     .selectinload(DialogueSeat.participation).selectinload(Participation.user),
                     selectinload(DialogueSession.tables).selectinload(DialogueTable.moderator)
                     .selectinload(Participation.user),
                     selectinload(DialogueSession.product_group))
            .order_by(DialogueSession.starts_at, DialogueSession.id)):
        when = span(d.starts_at, d.ends_at, event.timezone, with_day=with_day)
        for t in d.tables:
            seats = sorted(t.seats, key=lambda s: s.participation.user.name.casefold())
            sheets.append(DialogueSheet(
                session=dialogue_title(d), time=when,
                label=t.label, moderator=_who(t.moderator) if t.moderator else "",
                buyers=[_who(s.participation) for s in seats if s.side is Side.BUYER],
                suppliers=[_who(s.participation) for s in seats if s.side is Side.SUPPLIER]))
    return sheets


def table_plan(session: Session, event: Event, *, now: datetime | None = None) -> TablePlan:
    tz = event.timezone
    slots = list(session.scalars(select(Slot).where(Slot.event_id == event.id)
                                 .order_by(Slot.starts_at)))
    meetings = list(session.scalars(
        select(Meeting).where(Meeting.event_id == event.id,
                              Meeting.status != MeetingStatus.NO_SHOW).options(
            selectinload(Meeting.request).selectinload(MeetingRequest.sender)
            .selectinload(Participation.user),
            selectinload(Meeting.request).selectinload(MeetingRequest.recipient)
            .selectinload(Participation.user))))
    used = {m.table_id for m in meetings}
    tables = [t for t in session.scalars(select(Table).where(Table.event_id == event.id)
                                         .order_by(Table.number))
              if not t.spare or t.id in used]
    cell = {(m.table_id, m.slot_id): m for m in meetings}
    position = {s.id: i for i, s in enumerate(slots)}
    days = list(dict.fromkeys(format_day(s.starts_at, tz) for s in slots))
    slot_labels = [span(s.starts_at, s.ends_at, tz, with_day=len(days) > 1) for s in slots]
    grid, sheets = [], []
    for t in tables:
        row = []
        for s in slots:
            m = cell.get((t.id, s.id))
            row.append(f"{m.request.sender.user.name} / {m.request.recipient.user.name}"
                       if m else "")
        grid.append((t.label, row))
        sheet = TableSheet(label=_("Table %(number)s", number=t.number), zone=t.zone,
                           owner=_who(t.owner) if t.owner is not None else "")
        for m in sorted((m for m in meetings if m.table_id == t.id),
                        key=lambda m: position[m.slot_id]):
            s = slots[position[m.slot_id]]
            sheet.rows.append(SheetRow(time=slot_labels[position[s.id]],
                                       first=_who(m.request.sender),
                                       second=_who(m.request.recipient)))
        sheets.append(sheet)

    dialogues = dialogue_sheets(session, event, with_day=len(days) > 1)
    first = slots[0].starts_at if slots else (now or datetime.now().astimezone())
    stamp = f"{format_day(now, tz, 'long')} {format_time(now, tz)}" if now else ""
    zone_label = _("times in %(zone)s (%(abbr)s)", zone=tz, abbr=to_local(first, tz).tzname())
    return TablePlan(event=event, zone_label=zone_label,
                     day_labels=days, slot_labels=slot_labels, grid=grid, sheets=sheets,
                     dialogues=dialogues, generated=stamp)


def to_csv(plan: TablePlan) -> str:
    """UTF-8 with a byte-order mark, so spreadsheet programs read accented names right."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")

    def row(*cells):
        w.writerow([safe_cell(c) for c in cells])

    row(plan.event.name, plan.zone_label, *plan.day_labels)
    row()
    row("Table", *plan.slot_labels)
    for label, cells in plan.grid:
        row(label, *cells)
    row()
    row("Table", "Time", "Participant", "Meets")
    for sheet in plan.sheets:
        for r in sheet.rows:
            row(sheet.label, r.time, r.first, r.second)
    if plan.dialogues:
        row()
        row("Market dialogue", "Time", "Table", "Moderator", "Buyers", "Suppliers")
        for d in plan.dialogues:
            row(d.session, d.time, d.label, d.moderator, "; ".join(d.buyers),
                "; ".join(d.suppliers))
    return out.getvalue()


def to_html(plan: TablePlan) -> str:
    """A self-contained printable page (its style travels with the file)."""
    return render_template("schedule/table_plan_print.html", plan=plan)


def to_pdf(plan: TablePlan) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

    buffer = io.BytesIO()
    title = _("%(event)s: table plan", event=plan.event.name)
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title,
                          author="matchmaker", leftMargin=1.5 * cm, rightMargin=1.5 * cm,
                          topMargin=1.5 * cm, bottomMargin=1.5 * cm)
    wide = landscape(A4)
    doc.addPageTemplates([
        PageTemplate(id="wide", pagesize=wide, frames=[Frame(
            1 * cm, 1 * cm, wide[0] - 2 * cm, wide[1] - 2 * cm, id="wide")]),
        PageTemplate(id="tall", pagesize=A4, frames=[Frame(
            1.5 * cm, 1.5 * cm, A4[0] - 3 * cm, A4[1] - 3 * cm, id="tall")]),
    ])
    look = _PdfLook.make()
    doc.build(_grid_page(plan, title, look) + [NextPageTemplate("tall")]
              + _sheet_pages(plan, look) + _dialogue_pages(plan, look))
    return buffer.getvalue()


@dataclass
class _PdfLook:
    """The table plan PDF's paragraph and table styles."""

    styles: object
    small: object  # the overview grid's cells
    cell: object  # a sheet's cells
    grid: object
    sheet: object

    @classmethod
    def make(cls) -> _PdfLook:
        from reportlab.lib import colors
        from reportlab.platypus import TableStyle

        styles = pdf_styles()
        regular, bold = pdf_fonts()
        head = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7f3ed")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), regular)]
        return cls(
            styles=styles,
            small=styles["BodyText"].clone("small", fontSize=7, leading=8),
            cell=styles["BodyText"].clone("cell", fontSize=11, leading=14),
            grid=TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), *head,
                             ("FONTSIZE", (0, 0), (-1, -1), 7)]),
            sheet=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), *head,
                              ("FONTSIZE", (0, 0), (-1, -1), 11),
                              ("LEADING", (0, 0), (-1, -1), 14),
                              ("FONTNAME", (0, 0), (-1, 0), bold)]))


def _grid_page(plan: TablePlan, title: str, look: _PdfLook) -> list:
    """The overview, landscape: tables down, slots across."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepInFrame, Paragraph, Spacer, Table as PdfTable

    styles, small, wide = look.styles, look.small, landscape(A4)
    story = [Paragraph(_esc(title), styles["Title"]),
             Paragraph(_esc(f"{', '.join(plan.day_labels)}; {plan.zone_label}"),
                       styles["BodyText"]), Spacer(1, 6)]
    if not plan.slot_labels:
        return story + [Paragraph(_esc(_("No meeting slots yet.")), styles["BodyText"])]
    head = [Paragraph(_esc(_("Table")), small)] + [Paragraph(_esc(s), small)
                                                  for s in plan.slot_labels]
    body = [[Paragraph(_esc(label), small)] + [Paragraph(_esc(c), small) for c in cells]
            for label, cells in plan.grid]
    width = (wide[0] - 2 * cm - 3 * cm) / max(1, len(plan.slot_labels))
    return story + [KeepInFrame(wide[0] - 2 * cm, wide[1] - 4 * cm, [PdfTable(
        [head] + body, colWidths=[3 * cm] + [width] * len(plan.slot_labels),
        style=look.grid, repeatRows=1)], mode="shrink")]


def _tall_page(content: list) -> list:
    """One portrait page holding `content`, shrunk to fit."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepInFrame, PageBreak

    return [PageBreak(), KeepInFrame(A4[0] - 3 * cm, A4[1] - 3 * cm, content, mode="shrink")]


def _sheet_pages(plan: TablePlan, look: _PdfLook) -> list:
    """One page per meeting table: the sheet to put on it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer, Table as PdfTable

    styles, frame_w = look.styles, A4[0] - 3 * cm
    story: list = []
    for sheet in plan.sheets:
        content = [Paragraph(_esc(sheet.label), styles["Title"]),
                   Paragraph(_esc(" · ".join(x for x in (sheet.zone, sheet.owner and _(
                       "stand of %(name)s", name=sheet.owner)) if x)
                                  or plan.event.name), styles["Heading3"]),
                   Paragraph(_esc(plan.zone_label), styles["BodyText"]), Spacer(1, 8)]
        if sheet.rows:
            rows = [[_("Time"), _("Participant"), _("Meets")]] + [
                [r.time, Paragraph(_esc(r.first), look.cell),
                 Paragraph(_esc(r.second), look.cell)]
                for r in sheet.rows]
            content.append(PdfTable(rows, colWidths=[3 * cm, (frame_w - 3 * cm) / 2,
                                                    (frame_w - 3 * cm) / 2],
                                    style=look.sheet, repeatRows=1))
        else:
            content.append(Paragraph(_esc(_("No meetings at this table.")),
                                     styles["BodyText"]))
        story += _tall_page(content)
    return story


def _dialogue_pages(plan: TablePlan, look: _PdfLook) -> list:
    """One page per market-dialogue table: both sides and the moderator."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer, Table as PdfTable

    styles, frame_w = look.styles, A4[0] - 3 * cm
    story: list = []
    for d in plan.dialogues:
        moderator = (_("Moderator: %(name)s", name=d.moderator) if d.moderator
                     else _("Moderator: none"))
        content = [Paragraph(_esc(_("Dialogue table %(label)s", label=d.label)), styles["Title"]),
                   Paragraph(_esc(f"{d.session}, {d.time}"), styles["Heading3"]),
                   Paragraph(_esc(f"{moderator}; {plan.zone_label}"),
                             styles["BodyText"]), Spacer(1, 8)]
        length = max(len(d.buyers), len(d.suppliers), 1)
        rows = [[_("Buyers"), _("Suppliers")]]
        for i in range(length):
            rows.append([Paragraph(_esc(d.buyers[i]) if i < len(d.buyers) else "", look.cell),
                         Paragraph(_esc(d.suppliers[i]) if i < len(d.suppliers) else "",
                                   look.cell)])
        if not d.buyers and not d.suppliers:
            rows[1] = [_("(nobody seated: table closed)"), ""]
        content.append(PdfTable(rows, colWidths=[frame_w / 2] * 2, style=look.sheet))
        story += _tall_page(content)
    return story


def _esc(text: str) -> str:
    """Paragraph text is mini-HTML: escape it."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
