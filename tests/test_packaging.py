"""The wheel is a complete application: templates, static files, migrations, compiled
catalogues and schemas ship inside it, and an installed copy serves pages."""
from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

SERVE = textwrap.dedent("""
    import sys
    from pathlib import Path

    import matchmaker
    assert Path(matchmaker.__file__).is_relative_to(sys.prefix), matchmaker.__file__
    from matchmaker import create_app
    from matchmaker.extensions import db
    from matchmaker.reference_data import ensure_reference_data

    app = create_app({"TESTING": True, "SECRET_KEY": "wheel-test",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1]})
    with app.app_context():
        db.create_all()
        ensure_reference_data(db.session)
        db.session.commit()
    client = app.test_client()
    dutch = client.get("/", headers={"Accept-Language": "nl"})
    english = client.get("/", headers={"Accept-Language": "en"})
    css = client.get("/static/css/app.css")
    translated = dutch.get_data(as_text=True) != english.get_data(as_text=True)
    print(dutch.status_code, css.status_code, translated)
    print(dutch.get_data(as_text=True))
""")


def _wheel(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, cwd=tmp_path)
    return next(out.glob("matchmaker-*.whl"))


def test_the_wheel_ships_what_the_app_reads_and_an_installed_copy_serves_a_page(tmp_path):
    wheel = _wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("matchmaker/templates/base.html", "matchmaker/templates/public/home.html",
                     "matchmaker/static/css/app.css",
                     "matchmaker/translations/nl/LC_MESSAGES/messages.mo",
                     "matchmaker/translations/fr/LC_MESSAGES/messages.mo",
                     "matchmaker/migrations/env.py",
                     "matchmaker/schemas/matchmaker-schedule-1.schema.json"):
        assert required in names, f"{required} is missing from {wheel.name}"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", str(wheel)], check=True, capture_output=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from the test environment; matchmaker only from the wheel.
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("\n".join(sorted(paths)) + "\n")

    served = subprocess.run([str(python), "-c", SERVE, str(tmp_path / "wheel.sqlite3")],
                            check=True, capture_output=True, text=True, cwd=tmp_path)
    status, page = served.stdout.split("\n", 1)
    assert status.split() == ["200", "200", "True"]
    assert "<html" in page and 'lang="nl"' in page
