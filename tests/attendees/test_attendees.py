"""Attendees: CSV import with a per-line report, export, invitations, and the CLI."""
import html
import io
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from matchmaker.cli import cli
from matchmaker.domain import DomainError
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Event, Participation, Role, User
from matchmaker.attendees import services as attendees
from support import login, user_by_email

CONSOLE = "/events/demo/console"

GOOD = (
    "name,email,organisation,role,product_groups\n"
    "Anna Nieuw,anna@new.example,City of Nieuwpoort,buyer,textile;Furniture\n"
    "Bram Nieuw,bram@new.example,ReWeave Nieuw,supplier,ICT|construction\n"
)
BROKEN = (
    "name,email,organisation,role,product_groups\n"
    "Anna Nieuw,anna@new.example,City of Nieuwpoort,buyer,textile\n"
    ",nobody@new.example,X,buyer,\n"
    "Carl Bad,not-an-email,X,supplier,\n"
    "Dora Role,dora@new.example,X,astronaut,\n"
    "Eve Group,eve@new.example,X,buyer,spaceships\n"
    "Anna Again,ANNA@new.example,X,buyer,\n"
)


def counts():
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Participation)))


def upload(client, content: bytes | str, **fields):
    data = content.encode() if isinstance(content, str) else content
    form = {"file": (io.BytesIO(data), "attendees.csv"), "invite": "y"}
    form.update(fields)
    return client.post(CONSOLE + "/attendees/import", data=form,
                       content_type="multipart/form-data")


def confirm(client, text: str, **fields):
    return client.post(CONSOLE + "/attendees/import/confirm",
                       data={"csv_text": text, **fields})


@pytest.fixture
def organiser(demo, login_as):
    return login_as("organiser@demo.example")


# --- Import through the console ------------------------------------------------------------

def test_broken_rows_are_reported_by_line_and_nothing_is_imported(demo, organiser):
    with demo.app_context():
        before = counts()
    preview = upload(organiser, BROKEN)
    assert preview.status_code == 400
    page = preview.data.decode()
    assert "line 3: the name is missing" in page
    assert "line 4: &#39;not-an-email&#39; is not a valid e-mail address" in page
    assert "line 5: unknown role &#39;astronaut&#39;" in page
    assert "line 6: unknown product group &#39;spaceships&#39;" in page
    assert "line 7: anna@new.example appears already on line 2" in page
    refused = confirm(organiser, BROKEN, invite="y")
    assert refused.status_code == 400
    assert b"nothing was imported" in refused.data
    with demo.app_context():
        assert counts() == before
        assert outbox() == []


def test_only_valid_rows_are_imported_when_ticked(demo, organiser):
    with demo.app_context():
        users, parts = counts()
    response = confirm(organiser, BROKEN, only_valid="y", invite="y")
    assert response.status_code == 302
    with demo.app_context():
        assert counts() == (users + 1, parts + 1)
        anna = user_by_email("anna@new.example")
        assert anna.participations[0].role is Role.BUYER
        assert [m.to for m in outbox()] == ["anna@new.example"]


def test_clean_file_previews_then_imports_with_groups_and_invitations(demo, organiser):
    preview = upload(organiser, GOOD)
    assert preview.status_code == 200
    assert preview.data.count(b"to be invited") == 2
    hidden = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', preview.data.decode())
    text = html.unescape(hidden.group(1))
    with demo.app_context():
        assert user_by_email("anna@new.example") is None  # the preview imports nothing
    assert confirm(organiser, text, invite="y").status_code == 302
    with demo.app_context():
        anna = user_by_email("anna@new.example")
        groups = [g.code for g in anna.participations[0].product_groups]
        assert groups == ["textile", "furniture"]
        bram = user_by_email("bram@new.example").participations[0]
        assert sorted(g.code for g in bram.product_groups) == ["construction", "ict"]
        assert bram.organisation.name == "ReWeave Nieuw"
        assert sorted(m.to for m in outbox()) == ["anna@new.example", "bram@new.example"]
        assert all("/invite/" in m.body for m in outbox())


def test_existing_account_is_invited_not_enrolled_and_its_password_untouched(demo, organiser,
                                                                             login_as):
    organiser.post("/console/events/new", data={"name": "Second", "slug": "second",
                                                "timezone": "Europe/Brussels"})
    text = "name,email,role\nSomeone Else,buyer1@demo.example,supplier\n"
    with demo.app_context():
        old_hash = user_by_email("buyer1@demo.example").password_hash
    response = organiser.post("/events/second/console/attendees/import/confirm",
                              data={"csv_text": text, "invite": "y"})
    assert response.status_code == 302
    with demo.app_context():
        user = user_by_email("buyer1@demo.example")
        assert user.password_hash == old_hash and user.name != "Someone Else"
        event = db.session.scalar(select(Event).where(Event.slug == "second"))
        assert db.session.scalar(select(Participation.id).where(
            Participation.event_id == event.id, Participation.user_id == user.id)) is None
        assert [m.to for m in outbox()] == ["buyer1@demo.example"]
        assert "/events/second/invitation" in outbox()[0].body
    buyer = login_as("buyer1@demo.example")
    accepted = buyer.post("/events/second/invitation/accept")
    assert accepted.status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(Participation.role).where(
            Participation.event_id == event.id,
            Participation.user_id == user.id)) is Role.SUPPLIER


def import_changes_nothing(demo, organiser, csv_text: str):
    """Confirm an import of `csv_text`, assert no count changed; the page shown after."""
    with demo.app_context():
        before = counts()
    page = organiser.post(CONSOLE + "/attendees/import/confirm",
                          data={"csv_text": csv_text, "invite": "y"}, follow_redirects=True)
    with demo.app_context():
        assert counts() == before
    return page


def test_rerunning_the_same_import_changes_nothing(demo, organiser):
    confirm(organiser, GOOD, invite="y")
    page = import_changes_nothing(demo, organiser, GOOD)
    assert b"2 already on the list" in page.data


@pytest.mark.parametrize("content,message", [
    ("name;email;role\nA;a@x.example;buyer\n".encode("utf-16"), b"not UTF-8"),
    ("name,email,role\nZoë,zoe@x.example,buyer\n".encode("latin-1"), b"first bad byte on line 2"),
    (b"", b"The file is empty"),
    (b"name,email\nA,a@x.example\n", b"Missing column(s): role"),
    (b"name,email,role\n", b"no attendee"),
    (b"x" * 3000, b"at most 2 KB"),
    (b"name,email,role\nA\x00,a@x.example,buyer\n", b"NUL characters"),
])
def test_bad_files_get_clear_messages(demo, organiser, content, message, monkeypatch):
    monkeypatch.setattr(attendees, "MAX_BYTES", 2048)  # small: no temporary file in the test
    response = upload(organiser, content)
    assert response.status_code == 400
    assert message in response.data


def test_upload_without_a_file_is_refused(demo, organiser):
    response = organiser.post(CONSOLE + "/attendees/import", data={"invite": "y"},
                              content_type="multipart/form-data")
    assert response.status_code == 400 and b"Choose a CSV file" in response.data


def test_byte_order_mark_and_semicolon_delimiter_are_accepted(demo, organiser):
    text = "\ufeffName;E-mail;Role;Product groups\nZoë Nieuw;zoe@new.example;buyer;textile|ict\n"
    response = upload(organiser, text.replace("E-mail", "email").encode("utf-8"))
    assert response.status_code == 200
    assert "Zoë Nieuw".encode() in response.data


def test_non_organisers_cannot_import_or_export(demo, login_as, client):
    buyer = login_as("buyer1@demo.example")
    assert upload(buyer, GOOD).status_code == 403
    assert confirm(buyer, GOOD).status_code == 403
    assert buyer.get(CONSOLE + "/attendees/export.csv").status_code == 403
    assert buyer.get(CONSOLE + "/attendees").status_code == 403
    anonymous = client.get(CONSOLE + "/attendees/export.csv")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with demo.app_context():
        assert user_by_email("anna@new.example") is None


# --- Export --------------------------------------------------------------------------------

def test_export_neutralises_formula_cells(demo, organiser):
    text = ("name,email,organisation,role\n"
            "=HYPERLINK(\"http://evil.example\"),formula@new.example,+32 Org,buyer\n"
            "@SUM(A1),at@new.example,-Minus,supplier\n")
    assert confirm(organiser, text, invite="").status_code == 302
    export = organiser.get(CONSOLE + "/attendees/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    body = export.data.decode()
    assert "\"'=HYPERLINK(\"\"http://evil.example\"\")\"" in body
    assert "'+32 Org" in body and "'@SUM(A1)" in body and "'-Minus" in body
    for line in body.splitlines()[1:]:
        assert line[0] not in "=+-@\t\r"


def test_export_round_trips_through_import(demo, organiser):
    body = organiser.get(CONSOLE + "/attendees/export.csv").data.decode()
    assert body.startswith("name,email,organisation,role,product_groups,checked_in_at")
    page = import_changes_nothing(demo, organiser, body)
    assert b"0 attendee(s) imported" in page.data


# --- Invitations ---------------------------------------------------------------------------

def invitation_link(app, email: str) -> str:
    with app.app_context():
        mail = [m for m in outbox() if m.to == email][-1]
    return re.search(r"http://localhost(/invite/\S+)", mail.body).group(1)


def test_invitation_sets_password_once_and_logs_in(demo, organiser):
    confirm(organiser, GOOD, invite="y")
    path = invitation_link(demo, "anna@new.example")
    visitor = demo.test_client()
    assert visitor.get(path).status_code == 200
    short = visitor.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    done = visitor.post(path, data={"password": "a-long-new-password", "confirm":
                                    "a-long-new-password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/events/demo")
    again = demo.test_client().get(path)
    assert again.status_code == 400 and b"used already" in again.data
    reuse = demo.test_client().post(path, data={"password": "another-password-1",
                                                "confirm": "another-password-1"})
    assert reuse.status_code == 400
    assert login(demo.test_client(), "anna@new.example", "a-long-new-password").status_code == 302
    assert login(demo.test_client(), "anna@new.example",
                 "another-password-1").status_code != 302


def test_expired_invitation_is_refused(demo, organiser, monkeypatch):
    from matchmaker.attendees.invitations import make_token
    confirm(organiser, GOOD, invite="")
    fifteen_days_ago = int(time.time()) - 15 * 86400
    with demo.app_context():
        user = user_by_email("anna@new.example")
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: fifteen_days_ago)
        token = make_token(user, None, secret_key=demo.config["SECRET_KEY"])
        monkeypatch.undo()
    response = demo.test_client().get(f"/invite/{token}")
    assert response.status_code == 400 and b"expired" in response.data


def test_tampered_invitation_is_refused(demo, organiser):
    confirm(organiser, GOOD, invite="y")
    path = invitation_link(demo, "anna@new.example")
    response = demo.test_client().get(path[:-3] + ("abc" if not path.endswith("abc") else "xyz"))
    assert response.status_code == 400 and b"not valid" in response.data


def test_invited_account_cannot_log_in_before_setting_a_password(demo, organiser):
    confirm(organiser, GOOD, invite="y")
    with demo.app_context():
        hashed = user_by_email("anna@new.example").password_hash
    assert hashed.startswith("!")
    assert login(demo.test_client(), "anna@new.example", hashed).status_code != 302


def test_invite_again_sends_a_new_link_only_to_accounts_without_password(demo, organiser):
    confirm(organiser, GOOD, invite="")
    with demo.app_context():
        assert outbox() == []
        anna = user_by_email("anna@new.example").participations[0].id
        buyer = user_by_email("buyer1@demo.example").participations[0].id
    organiser.post(f"{CONSOLE}/attendees/{anna}/invite")
    page = organiser.post(f"{CONSOLE}/attendees/{buyer}/invite", follow_redirects=True)
    assert b"has set a password already" in page.data
    with demo.app_context():
        assert [m.to for m in outbox()] == ["anna@new.example"]


def test_invite_again_for_participant_of_another_event_is_404(demo, organiser):
    organiser.post("/console/events/new", data={"name": "Second", "slug": "second",
                                                "timezone": "Europe/Brussels"})
    with demo.app_context():
        buyer = user_by_email("buyer1@demo.example").participations[0].id
    assert organiser.post(f"/events/second/console/attendees/{buyer}/invite").status_code == 404


def test_attendee_list_searches_by_name_email_or_organisation(demo, organiser):
    page = organiser.get(CONSOLE + "/attendees?q=organiser@demo")
    assert page.status_code == 200 and b"1 attendee " in page.data
    assert organiser.get(CONSOLE + "/attendees?q=%25_%5C").status_code == 200


# --- CLI -----------------------------------------------------------------------------------

def test_cli_import_with_bad_rows_exits_2_with_report_and_imports_nothing(demo, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN, encoding="utf-8")
    with demo.app_context():
        before = counts()
    result = demo.test_cli_runner().invoke(cli, ["import", "attendees", "demo", str(path)])
    assert result.exit_code == 2
    assert "line 3: the name is missing" in result.output
    assert "line 5: unknown role 'astronaut'" in result.output
    assert "nothing imported" in result.output
    with demo.app_context():
        assert counts() == before


def test_cli_import_only_valid_and_no_invite(demo, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN, encoding="utf-8")
    result = demo.test_cli_runner().invoke(
        cli, ["import", "attendees", "demo", str(path), "--only-valid", "--no-invite"])
    assert result.exit_code == 0, result.output
    assert "1 attendee(s) added" in result.output
    with demo.app_context():
        assert user_by_email("anna@new.example") is not None
        assert outbox() == []


def test_cli_import_sends_invitations(demo, tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = demo.test_cli_runner().invoke(cli, ["import", "attendees", "demo", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 invitation(s) sent" in result.output
    with demo.app_context():
        assert len(outbox()) == 2 and "/invite/" in outbox()[0].body


@pytest.mark.parametrize("args,message", [
    (["import", "attendees", "nope", "FILE"], "No event with slug 'nope'"),
    (["import", "attendees", "demo", "/nonexistent/file.csv"], "cannot read the file"),
    (["export", "attendees", "nope", "-o", "OUT"], "No event with slug 'nope'"),
])
def test_cli_bad_arguments_exit_2_with_clear_message(demo, tmp_path, args, message):
    args = [a.replace("FILE", str(tmp_path / "x.csv")).replace("OUT", str(tmp_path / "o.csv"))
            for a in args]
    (tmp_path / "x.csv").write_text(GOOD)
    result = demo.test_cli_runner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_import_of_non_utf8_file_exits_2(demo, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,email,role\nZoë,zoe@x.example,buyer\n".encode("latin-1"))
    result = demo.test_cli_runner().invoke(cli, ["import", "attendees", "demo", str(path)])
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_cli_export_writes_neutralised_csv(demo, tmp_path):
    with demo.app_context():
        user_by_email("buyer1@demo.example").name = "=cmd|' /C calc'!A0"
        db.session.commit()
    out = tmp_path / "attendees.csv"
    result = demo.test_cli_runner().invoke(cli, ["export", "attendees", "demo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0" in text
    assert text.count("\n") == 31  # header + 30 attendees


# --- Robustness ----------------------------------------------------------------------------

@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=st.sampled_from(list('ab,;|"\n\r\t=@ é\x00')) | st.characters(),
                    max_size=200))
def test_any_text_parses_or_fails_with_a_domain_error(demo, body):
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        for text in (body, "name,email,role,product_groups\n" + body):
            try:
                parsed = attendees.parse_attendees(db.session, event, text)
            except DomainError:
                continue
            assert all(r.line >= 2 for r in parsed.rows)
            assert len(parsed.report()) == len(parsed.bad)


@given(value=st.text(max_size=20))
def test_neutralised_cells_never_start_like_a_formula(value):
    cell = attendees.neutralise(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell.endswith(value)
