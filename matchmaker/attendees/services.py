"""Attendees of an event: CSV import with a per-line report, CSV export.

The import checks the whole file first and imports nothing while a row is bad, unless
the organiser asks for the valid rows only. An existing account (same e-mail) is never
enrolled: it gets a pending invitation holding the CSV row, to accept or decline
(`pending.py`), and neither the preview nor the list says that the address has an
account. New accounts get an unusable password and are invited to set one
(`invitations.py`). An optional `language`
column (en, nl or fr) sets the language of a new account: its invitation and pages.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..i18n import LANGUAGES, normalise_language
from ..models import (Event, Organisation, Participation, PendingKind, PendingParticipation,
                      ProductGroup, Role, User)
from ..profiles.services import organisation_named
from . import pending

MAX_BYTES = 1024 * 1024
IMPORT_CHUNK_ROWS = 200  # about a second of writing on SQLite
MAX_ROWS = 5000
COLUMNS = ("name", "email", "organisation", "role", "product_groups")
REQUIRED_COLUMNS = ("name", "email", "role")
OPTIONAL_COLUMNS = ("language",)
ROLE_WORDS = {
    "buyer": Role.BUYER, "procurer": Role.BUYER,
    "supplier": Role.SUPPLIER,
    "facilitator": Role.FACILITATOR, "expert": Role.FACILITATOR,
    "moderator": Role.MODERATOR,
    "organiser": Role.ORGANISER, "organizer": Role.ORGANISER,
}
GROUP_SEPARATORS = re.compile(r"[;|]")
UNUSABLE_PREFIX = "!invited:"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    line: int
    name: str
    email: str
    organisation: str
    role: Role | None
    groups: list[ProductGroup]
    errors: list[str] = field(default_factory=list)
    language: str | None = None
    already_in_event: bool = False  # a participant, or invited already

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedFile:
    rows: list[Row]

    @property
    def valid(self) -> list[Row]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]

    @property
    def clean(self) -> bool:
        return bool(self.rows) and not self.bad

    def report(self) -> list[str]:
        """One line per bad row: 'line 4: ...; ...'."""
        return [_("line %(line)s: %(errors)s", line=r.line, errors="; ".join(r.errors))
                for r in self.bad]


@dataclass
class ImportResult:
    new_users: list[User]
    added: list[Participation]
    unchanged: int
    skipped_bad: int
    invited: list[PendingParticipation] = field(default_factory=list)  # existing accounts


def has_usable_password(user: User) -> bool:
    return not user.password_hash.startswith(UNUSABLE_PREFIX)


def decode_upload(data: bytes) -> str:
    """The upload as text, or a clear DomainError on size and encoding (BOM tolerated)."""
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is too large: at most %(size)s is accepted. Split it "
                            "into smaller files.", size=_size(MAX_BYTES)), field="file")
    if not data.strip():
        raise DomainError(_("The file is empty."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise DomainError(_("The file is not UTF-8 text (first bad byte on line %(line)s). In "
                            "a spreadsheet, save as 'CSV UTF-8'.", line=line),
                          field="file") from None
    if "\x00" in text:
        raise DomainError(_("The file contains NUL characters: it is not a CSV text file."),
                          field="file")
    return text


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return _("%(num)d MB", num=n // (1024 * 1024))
    return _("%(num)d KB", num=n // 1024)


def parse_attendees(session: Session, event: Event, text: str) -> ParsedFile:
    """Check every row; raise DomainError only for problems of the file as a whole."""
    text = text.replace("\x00", "")
    header_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in header_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise DomainError(_("The file has no header row."), field="file") from None
    columns = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise DomainError(_("Missing column(s): %(missing)s. The first row must name the "
                            "columns: %(columns)s.", missing=", ".join(missing),
                            columns=", ".join(COLUMNS)), field="file")
    index = {c: columns.index(c) for c in COLUMNS + OPTIONAL_COLUMNS if c in columns}
    groups = _group_lookup(session, event)
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(_("More than %(num)d attendees in one file; split it.",
                                    num=MAX_ROWS), field="file")
            rows.append(_check_row(line, cells, index, groups, first_line))
    except csv.Error as error:
        raise DomainError(_("Line %(line)s: the CSV cannot be read (%(error)s).",
                            line=reader.line_num, error=str(error)), field="file") from None
    if not rows:
        raise DomainError(_("The file has a header but no attendee."), field="file")
    existing = _existing_users(session, event, [r.email for r in rows if r.email])
    for row in rows:
        row.already_in_event = bool(existing.get(row.email))
    return ParsedFile(rows=rows)


def _cell(cells: list[str], index: dict[str, int], column: str) -> str:
    i = index.get(column)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _check_row(line, cells, index, groups, first_line) -> Row:
    name = " ".join(_cell(cells, index, "name").split())
    raw_email = _cell(cells, index, "email")
    organisation = " ".join(_cell(cells, index, "organisation").split())
    raw_role = _cell(cells, index, "role").lower()
    errors: list[str] = []
    if not name:
        errors.append(_("the name is missing"))
    elif len(name) > 120:
        errors.append(_("the name is longer than 120 characters"))
    email = raw_email.lower()
    if not raw_email:
        errors.append(_("the e-mail address is missing"))
    else:
        try:
            email = validate_email(raw_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.append(_("'%(email)s' is not a valid e-mail address", email=raw_email))
    if email and email in first_line:
        errors.append(_("%(email)s appears already on line %(line)s", email=email,
                        line=first_line[email]))
    elif email:
        first_line[email] = line
    role = ROLE_WORDS.get(raw_role)
    if role is None:
        errors.append(_("unknown role '%(role)s' (use buyer, supplier, facilitator, moderator "
                        "or organiser)", role=raw_role) if raw_role else
                      _("the role is missing"))
    if len(organisation) > 200:
        errors.append(_("the organisation is longer than 200 characters"))
    raw_language = _cell(cells, index, "language")
    language = normalise_language(raw_language)
    if raw_language and language is None:
        errors.append(_("unknown language '%(language)s' (use %(codes)s)",
                        language=raw_language, codes=", ".join(LANGUAGES)))
    chosen: list[ProductGroup] = []
    for word in GROUP_SEPARATORS.split(_cell(cells, index, "product_groups")):
        word = word.strip()
        if not word:
            continue
        group = groups.get(word.casefold())
        if group is None:
            errors.append(_("unknown product group '%(group)s'", group=word))
        elif group not in chosen:
            chosen.append(group)
    return Row(line=line, name=name, email=email, organisation=organisation, role=role,
               groups=sorted(chosen, key=lambda g: g.sort_order), errors=errors,
               language=language)


def _group_lookup(session: Session, event: Event) -> dict[str, ProductGroup]:
    """Codes and names, case-folded. Only the event's groups when it has chosen some."""
    pool = list(event.product_groups) or list(session.scalars(select(ProductGroup)))
    lookup = {}
    for g in pool:
        lookup[g.code.casefold()] = g
        lookup[g.name.casefold()] = g
    return lookup


def _existing_users(session: Session, event: Event, emails: list[str]) -> dict[str, bool]:
    """E-mail -> whether that account already takes part in the event or is invited to."""
    taking_part = set(session.scalars(select(Participation.user_id).where(
        Participation.event_id == event.id)))
    taking_part |= set(session.scalars(select(PendingParticipation.user_id).where(
        PendingParticipation.event_id == event.id)))
    found: dict[str, bool] = {}
    emails_list = sorted(set(emails))
    for start in range(0, len(emails_list), 500):
        for user in session.scalars(select(User).where(
                User.email.in_(emails_list[start:start + 500]))):
            found[user.email] = user.id in taking_part
    return found


def import_attendees(session: Session, event: Event, parsed: ParsedFile, *,
                     only_valid: bool = False, chunk_done: Callable[[], None] | None = None,
                     chunk_rows: int = IMPORT_CHUNK_ROWS) -> ImportResult:
    """Create accounts and participations for the valid rows.

    Refuses (imports nothing) when a row is bad, unless `only_valid`. `chunk_done`, if
    given, is called after every `chunk_rows` rows: the caller commits there
    (`database.commit_and_pause`), so that a file of thousands of rows never holds
    SQLite's write lock for longer than a chunk and other events' writes go on.
    """
    if parsed.bad and not only_valid:
        raise DomainError(_("%(num)d row(s) have errors; nothing was imported. Correct the "
                            "file, or import only the valid rows.", num=len(parsed.bad)))
    new_users: list[User] = []
    added: list[Participation] = []
    invited: list[PendingParticipation] = []
    unchanged = 0
    for index, row in enumerate(parsed.valid):
        if chunk_done is not None and index and index % chunk_rows == 0:
            chunk_done()
        user = session.scalar(select(User).where(User.email == row.email))
        if user is None:
            user = User(email=row.email, name=row.name, language=row.language,
                        password_hash=UNUSABLE_PREFIX + secrets.token_hex(16))
            session.add(user)
            new_users.append(user)
        elif session.scalar(select(Participation.id).where(
                Participation.event_id == event.id, Participation.user_id == user.id)) \
                or pending.pending_of_user(session, event, user):
            unchanged += 1
            continue
        else:
            assert row.role is not None  # rows with a missing or unknown role are not valid
            invited.append(pending.invite_existing(
                session, event, user, name=row.name, email=row.email,
                organisation=row.organisation, role=row.role, groups=row.groups,
                language=row.language))
            continue
        participation = Participation(event=event, user=user, role=row.role,
                                      organisation=organisation_named(session, row.organisation),
                                      product_groups=list(row.groups))
        session.add(participation)
        added.append(participation)
        session.flush()
    return ImportResult(new_users=new_users, added=added, unchanged=unchanged,
                        skipped_bad=len(parsed.bad), invited=invited)


# --- Export --------------------------------------------------------------------------------

def neutralise(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ tab or CR as formulas."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def attendees(session: Session, event: Event, *, search: str = "") -> list[Participation]:
    query = (select(Participation).join(User, Participation.user_id == User.id)
             .where(Participation.event_id == event.id)
             .options(selectinload(Participation.product_groups),
                      selectinload(Participation.user), selectinload(Participation.organisation))
             .order_by(User.name, User.email))
    if search:
        like = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") \
            + "%"
        query = query.outerjoin(Organisation, Participation.organisation_id == Organisation.id) \
            .where((User.email.like(like, escape="\\"))
                   | (User.name.ilike(like, escape="\\"))
                   | (Organisation.name.ilike(like, escape="\\")))
    return list(session.scalars(query))


def export_csv(session: Session, event: Event) -> str:
    """The attendee list as CSV (the import's columns, plus check-in and language),
    formula-safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*COLUMNS, "checked_in_at", "language"])
    for p in attendees(session, event):
        checked: datetime | None = p.checked_in_at
        writer.writerow([neutralise(v) for v in (
            p.user.name, p.user.email, p.organisation.name if p.organisation else "",
            p.role.value, ";".join(g.code for g in p.product_groups),
            checked.isoformat(timespec="seconds") if checked else "",
            p.user.language or "")])
    for row in pending.pending_in(session, event, PendingKind.INVITED):
        writer.writerow([neutralise(v) for v in (
            row.name, row.email, row.organisation, row.role.value,
            ";".join(row.group_codes), "", row.language or "")])
    return out.getvalue()
