"""Printable badges with a check-in QR code, and the entrance poster.

A badge's QR code holds a link to the organiser's check-in page for that person; the
link ends in a check-in token: an itsdangerous signature over the participation and
event ids, salted for this use. Badges are printed days before the event, so the token
does not expire; removing the person from the event is what makes it useless. The
entrance code is the same kind of signature over the event id alone: the page it
opens checks in whoever is logged in on the phone that scanned it.

Layouts: one A6 page per badge, or A4 sheets of ten 86 x 54 mm labels (two columns of
five), the size of the usual plastic badge holders.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import segno
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..exports.tables import pdf_fonts
from ..models import Event, Participation, Role, User

CHECKIN_SALT = "matchmaker.checkin.v1"
ENTRANCE_SALT = "matchmaker.entrance.v1"
BADGE_PATH = "/checkin/badge/"
LAYOUTS = ("a6", "labels")
ROLE_COLOURS = {Role.BUYER: "#1d5fa8", Role.SUPPLIER: "#1e7a46", Role.FACILITATOR: "#b35c00",
                Role.ORGANISER: "#8e1b3b", Role.MODERATOR: "#5b3a9e"}


# --- Tokens --------------------------------------------------------------------------------

def checkin_token(participation: Participation, *, secret_key: str) -> str:
    return URLSafeSerializer(secret_key, salt=CHECKIN_SALT).dumps(
        {"p": participation.id, "e": participation.event_id})


def token_from_scan(text: str) -> str:
    """The token in what a scanner read: a badge link, or the bare token."""
    text = (text or "").strip()
    if BADGE_PATH in text:
        text = text.rsplit(BADGE_PATH, 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/")


def read_checkin_token(session: Session, event: Event, token: str, *,
                       secret_key: str) -> Participation:
    """The participation a badge token names, or a DomainError saying why not."""
    try:
        data = URLSafeSerializer(secret_key, salt=CHECKIN_SALT).loads(token_from_scan(token))
    except BadSignature:
        raise DomainError(_("This code is not a badge of this application, or it is "
                            "damaged.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        raise DomainError(_("This code is not a badge of this application, or it is "
                            "damaged."))
    if data.get("e") != event.id:
        raise DomainError(_("This badge is for another event."))
    participation = session.get(Participation, data["p"])
    if participation is None or participation.event_id != event.id:
        raise DomainError(_("This person no longer takes part in the event."))
    return participation


def entrance_code(event: Event, *, secret_key: str) -> str:
    return URLSafeSerializer(secret_key, salt=ENTRANCE_SALT).dumps(event.id)


def entrance_code_valid(event: Event, code: str, *, secret_key: str) -> bool:
    try:
        return URLSafeSerializer(secret_key, salt=ENTRANCE_SALT).loads(code) == event.id
    except BadSignature:
        return False


# --- Badges --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Badge:
    name: str
    organisation: str
    role: Role
    link: str


def badges(session: Session, event: Event, link_for: Callable[[Participation], str], *,
           only: Participation | None = None) -> list[Badge]:
    """Everyone's badge (by name), or `only` this person's."""
    if only is not None:
        people = [only]
    else:
        people = list(session.scalars(
            select(Participation).join(User, Participation.user_id == User.id)
            .where(Participation.event_id == event.id)
            .options(selectinload(Participation.user), selectinload(Participation.organisation))
            .order_by(User.name, User.email)))
    return [Badge(name=p.user.name, organisation=p.organisation.name if p.organisation else "",
                  role=p.role, link=link_for(p)) for p in people]


def _fit(canvas, text: str, font: str, size: float, minimum: float, width: float,
         lines: int) -> tuple[list[str], float]:
    """`text` in at most `lines` lines of `width`, at the largest size from `size` down to
    `minimum`; at the minimum the last line is cut with an ellipsis."""
    from reportlab.lib.utils import simpleSplit

    while True:
        wrapped = simpleSplit(text, font, size, width) or [""]
        if len(wrapped) <= lines or size <= minimum:
            break
        size -= 0.5
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        last = wrapped[-1]
        while last and canvas.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        wrapped[-1] = last.rstrip() + "…"
    return wrapped, size


def draw_qr(canvas, content: str, x: float, y: float, size: float) -> None:
    """A QR code (segno, error correction M, 4-module quiet zone) as vector squares in a
    `size` square whose lower left corner is (x, y)."""
    qr = segno.make(content, error="m", micro=False)
    rows = qr.matrix
    module = size / (len(rows) + 8)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 5) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + (start + 4) * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _draw_badge(canvas, badge: Badge, event_name: str, x: float, y: float, w: float,
                h: float, *, landscape: bool) -> None:
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    regular, bold = pdf_fonts()
    pad = 4 * mm
    band = h * (0.14 if landscape else 0.12)
    canvas.saveState()
    canvas.setFillColor(colors.HexColor(ROLE_COLOURS[badge.role]))
    canvas.rect(x, y, w, band, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(bold, band * 0.5)
    canvas.drawCentredString(x + w / 2, y + band * 0.32, badge.role.label.upper())
    canvas.setFillColor(colors.black)
    if landscape:
        qr = h - band - 2 * pad + 2 * mm
        draw_qr(canvas, badge.link, x + w - qr - pad + 2 * mm, y + band + pad - 1 * mm, qr)
        text_width = w - qr - 2 * pad + 2 * mm
        top = y + h - pad
        event_lines, event_size = _fit(canvas, event_name, regular, 7, 6, text_width, 1)
        name_lines, name_size = _fit(canvas, badge.name, bold, 15, 9, text_width, 2)
        org_lines, org_size = _fit(canvas, badge.organisation, regular, 10, 7, text_width, 2)
    else:
        qr = min(w - 4 * pad, h * 0.42)
        draw_qr(canvas, badge.link, x + (w - qr) / 2, y + band + pad, qr)
        text_width = w - 2 * pad
        top = y + h - pad
        event_lines, event_size = _fit(canvas, event_name, regular, 10, 7, text_width, 2)
        name_lines, name_size = _fit(canvas, badge.name, bold, 26, 14, text_width, 2)
        org_lines, org_size = _fit(canvas, badge.organisation, regular, 14, 9, text_width, 2)
    left = x + pad
    canvas.setFillColor(colors.HexColor("#555555"))
    for line in event_lines:
        top -= event_size * 1.2
        canvas.setFont(regular, event_size)
        canvas.drawString(left, top, line)
    top -= event_size * 0.8
    canvas.setFillColor(colors.black)
    for line in name_lines:
        top -= name_size * 1.1
        canvas.setFont(bold, name_size)
        canvas.drawString(left, top, line)
    top -= org_size * 0.4
    if badge.organisation:
        for line in org_lines:
            top -= org_size * 1.2
            canvas.setFont(regular, org_size)
            canvas.drawString(left, top, line)
    canvas.restoreState()


def to_pdf(event: Event, items: Sequence[Badge], *, layout: str = "a6") -> bytes:
    """Badges as a PDF: one A6 page each, or A4 sheets of ten labels with cut marks."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, A6
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    if layout not in LAYOUTS:
        raise DomainError(_("Unknown badge layout."), field="layout")
    buffer = io.BytesIO()
    size = A6 if layout == "a6" else A4
    canvas = Canvas(buffer, pagesize=size)
    canvas.setTitle(_("%(event)s: badges", event=event.name))
    canvas.setAuthor("matchmaker")
    if not items:
        regular, _bold = pdf_fonts()
        canvas.setFont(regular, 11)
        canvas.drawString(10 * mm, size[1] - 20 * mm, _("No participants."))
        canvas.showPage()
    elif layout == "a6":
        for badge in items:
            _draw_badge(canvas, badge, event.name, 0, 0, size[0], size[1], landscape=False)
            canvas.showPage()
    else:
        w, h, columns, rows = 86 * mm, 54 * mm, 2, 5
        left = (size[0] - columns * w) / 2
        bottom = (size[1] - rows * h) / 2
        per_page = columns * rows
        for start in range(0, len(items), per_page):
            for n, badge in enumerate(items[start:start + per_page]):
                col, row = n % columns, n // columns
                x, y = left + col * w, bottom + (rows - 1 - row) * h
                canvas.setStrokeColor(colors.HexColor("#bbbbbb"))
                canvas.setLineWidth(0.3)
                canvas.rect(x, y, w, h, stroke=1, fill=0)
                _draw_badge(canvas, badge, event.name, x, y, w, h, landscape=True)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def entrance_pdf(event: Event, link: str) -> bytes:
    """An A4 poster for the entrance: scan this code with your phone to check in."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = pdf_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(_("%(event)s: entrance check-in code", event=event.name))
    canvas.setAuthor("matchmaker")
    width, height = A4
    lines, size = _fit(canvas, event.name, regular, 22, 14, width - 40 * mm, 2)
    top = height - 25 * mm
    for line in lines:
        canvas.setFont(regular, size)
        canvas.drawCentredString(width / 2, top, line)
        top -= size * 1.3
    heading, hsize = _fit(canvas, _("Check in with your phone"), bold, 34, 20,
                          width - 30 * mm, 2)
    top -= 10 * mm
    for line in heading:
        canvas.setFont(bold, hsize)
        canvas.drawCentredString(width / 2, top, line)
        top -= hsize * 1.2
    qr = 130 * mm
    draw_qr(canvas, link, (width - qr) / 2, top - qr - 5 * mm, qr)
    hint, hint_size = _fit(canvas, _("Scan this code with your phone's camera, log in if "
                                     "asked, and confirm."), regular, 16, 11,
                           width - 40 * mm, 3)
    top = top - qr - 18 * mm
    for line in hint:
        canvas.setFont(regular, hint_size)
        canvas.drawCentredString(width / 2, top, line)
        top -= hint_size * 1.3
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
