import subprocess
import sys

from sqlalchemy import func, select

from matchmaker.cli import cli
from matchmaker.extensions import db
from matchmaker.models import Event, Participation


def test_init_db_creates_schema_and_reference_data(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = subprocess.run([sys.executable, "-m", "matchmaker", "init-db"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Database is up to date" in result.stdout
    assert (tmp_path / "matchmaker.sqlite3").exists()
    again = subprocess.run([sys.executable, "-m", "matchmaker", "init-db"],
                           capture_output=True, text=True)
    assert again.returncode == 0 and "0 reference rows added" in again.stdout


def test_seed_demo_loads_event_and_prints_accounts(app, runner):
    result = runner.invoke(cli, ["seed-demo", "--attendees", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "organiser@demo.example" in result.output
    assert "supplier1@demo.example" in result.output
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        assert event is not None
        count = db.session.scalar(select(func.count()).select_from(Participation))
        assert count == 40


def test_seed_demo_refuses_a_second_demo_unless_if_empty(app, runner):
    assert runner.invoke(cli, ["seed-demo", "--attendees", "20"]).exit_code == 0
    second = runner.invoke(cli, ["seed-demo", "--attendees", "20"])
    assert second.exit_code == 1
    assert "exists already" in second.output
    assert "Traceback" not in second.output
    third = runner.invoke(cli, ["seed-demo", "--if-empty"])
    assert third.exit_code == 0 and "is loaded" in third.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_seed_demo_bad_attendees_exits_2(runner):
    result = runner.invoke(cli, ["seed-demo", "--attendees", "3"])
    assert result.exit_code == 2
    assert "attendees" in result.output


def test_cli_help_lists_commands():
    result = subprocess.run([sys.executable, "-m", "matchmaker", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("init-db", "seed-demo", "run", "routes", "shell"):
        assert command in result.stdout
