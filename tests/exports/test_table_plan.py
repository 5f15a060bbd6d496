"""The table plan in CSV, HTML and PDF, from the console and from the code behind the CLI."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from matchmaker.exports import tables
from matchmaker.extensions import db
from matchmaker.models import DialogueTable, Meeting
from support import demo_event

CONSOLE = "/events/demo/console/schedule"


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_csv_neutralises_cells_that_a_spreadsheet_would_run(published):
    with published.app_context():
        meeting = db.session.scalar(select(Meeting))
        meeting.request.sender.user.name = "=HYPERLINK(\"http://evil\")"
        meeting.request.recipient.user.name = "@SUM(A1)"
        db.session.flush()
        text = tables.to_csv(tables.table_plan(db.session, demo_event()))
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert any("'@SUM(A1)" in c for c in cells)
    for value in ("+1", "-2", "\tx", "\rx", "ok"):
        assert tables.safe_cell(value) == (value if value == "ok" else "'" + value)


def test_csv_has_the_grid_a_row_per_meeting_and_the_dialogue_tables(published):
    with published.app_context():
        event = demo_event()
        plan = tables.table_plan(db.session, event)
        rows = list(csv.reader(io.StringIO(tables.to_csv(plan))))
        meetings = db.session.scalar(select(func.count()).select_from(Meeting))
        header = rows[2]
        assert header[0] == "Table" and len(header) == 1 + len(event.slots)
        sheet_rows = [r for r in rows if len(r) == 4 and r[0].startswith("Table ")
                      and r[1][:2].isdigit()]
        assert len(sheet_rows) == meetings
        assert ["Market dialogue", "Time", "Table", "Moderator", "Buyers", "Suppliers"] in rows


def test_pdf_has_an_overview_and_a_page_per_table(published):
    with published.app_context():
        event = demo_event()
        pdf = tables.to_pdf(tables.table_plan(db.session, event))
        meeting_tables = len([t for t in event.tables if not t.spare])
        dialogue_tables = db.session.scalar(select(func.count()).select_from(DialogueTable))
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == 1 + meeting_tables + dialogue_tables


def test_console_downloads_every_file_with_its_type(published, login_as):
    client = login_as("organiser@demo.example")
    expected = {"tables.pdf": "application/pdf", "tables.csv": "text/csv",
                "tables.html": "text/html", "agendas.pdf": "application/pdf",
                "event.ics": "text/calendar", "instance.json": "application/json"}
    for name, mimetype in expected.items():
        response = client.get(f"{CONSOLE}/export/{name}")
        assert response.status_code == 200, name
        assert response.mimetype == mimetype
        assert f'filename="demo-{name}"' in response.headers["Content-Disposition"]
    assert client.get(f"{CONSOLE}/export/secrets.txt").status_code == 404
    page = client.get(f"{CONSOLE}/").get_data(as_text=True)
    for name in expected:
        assert f"/export/{name}" in page


def test_printable_html_escapes_names(published):
    with published.app_context():
        meeting = db.session.scalar(select(Meeting))
        meeting.request.sender.user.name = "<script>alert(1)</script>"
        db.session.flush()
        html = tables.to_html(tables.table_plan(db.session, demo_event()))
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert html.count("class=\"sheet\"") >= 1


def test_pdfs_print_names_beyond_western_european_letters(published):
    from pathlib import Path

    from matchmaker.exports import agendas
    with published.app_context():
        meeting = db.session.scalar(select(Meeting))
        meeting.request.sender.user.name = "Łukasz Żółć Őrs"
        db.session.flush()
        event = demo_event()
        plan_pdf = tables.to_pdf(tables.table_plan(db.session, event))
        agenda_pdf = agendas.to_pdf(event, agendas.agendas(db.session, event))
    regular, _ = tables.pdf_fonts()
    if any((Path(d) / "DejaVuSans.ttf").exists() for d in tables.FONT_DIRS):
        assert regular == "DejaVuSans"
        assert b"DejaVuSans" in plan_pdf and b"DejaVuSans" in agenda_pdf
    else:
        assert regular == "Helvetica"
