"""Fresh test databases copied from templates built once per test process.

Creating the schema, the reference data and the demo event for every test took most of
the suite's time. Each pytest process (each xdist worker) now builds them once: an
`empty` template (schema and reference data) and a `demo` template (the demo event of
the `demo` fixture on top). A test's database is a copy: on SQLite a file copy, on
PostgreSQL `CREATE DATABASE ... TEMPLATE`. The copy holds exactly what building it
afresh would hold, so what the tests assert is unchanged; only the demo's request times
are those of the moment the template was seeded, not of the test (the demo's open
requests expire days later).

Where a copy cannot be made (another app of the same test still uses the SQLite file, a
PostgreSQL role without CREATEDB) the callers fall back on building the database in
place.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from matchmaker.extensions import db

EMPTY, DEMO = "empty", "demo"
DEMO_ATTENDEES, DEMO_SEED = 30, 7

_templates: dict[tuple[str, str], str] = {}  # (server, kind) -> file or database name
_empty_rows: list[tuple[int, ...]] = []  # rows per table of the empty template
_admin_engines: dict[str, object] = {}
_folder: list[Path] = []


def backend(url: str) -> str | None:
    """'sqlite' or 'postgresql' for URLs the templates know how to copy, else None."""
    name = make_url(url).get_backend_name()
    return name if name in ("sqlite", "postgresql") else None


def row_counts() -> tuple[int, ...]:
    """Rows in every table of the models, in the current app's database.

    One plain-text query: a query per table was compiled again for every test's new
    engine, 30 statements each time the `demo` fixture checked its database."""
    quote = db.engine.dialect.identifier_preparer.quote
    counts = ", ".join(f"(SELECT count(*) FROM {quote(table.name)})"
                       for table in db.metadata.sorted_tables)
    return tuple(db.session.execute(text(f"SELECT {counts}")).one())


def untouched() -> bool:
    """Whether the current app's database still holds just the empty template's rows."""
    return bool(_empty_rows) and _empty_rows[0] == row_counts()


def restore(url: str, kind: str) -> bool:
    """Make the database at `url` a fresh copy of the `kind` template; False if it cannot."""
    name = backend(url)
    if name is None:
        return False
    template = _templates.get((_server(url), kind)) or _build(url, kind)
    if template is None:
        return False
    _dispose_engines_on(url)
    if name == "sqlite":
        target = Path(make_url(url).database)
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return True
    return _pg_copy(url, template, make_url(url).database)


def _build(url: str, kind: str) -> str | None:
    """The `kind` template of the test database `url`, built now; None if it cannot be."""
    source = None
    if kind != EMPTY:
        source = _templates.get((_server(url), EMPTY)) or _build(url, EMPTY)
        if source is None:
            return None
    if backend(url) == "sqlite":
        if not _folder:
            _folder.append(Path(tempfile.mkdtemp(prefix="matchmaker-test-templates-")))
            atexit.register(shutil.rmtree, _folder[0], True)
        template = str(_folder[0] / f"{kind}.sqlite3")
        if source:
            shutil.copyfile(source, template)
        template_url = f"sqlite:///{template}"
    else:
        template = f"{make_url(url).database}_template_{kind}"
        if not _pg_copy(url, source, template):
            return None
        template_url = make_url(url).set(database=template).render_as_string(hide_password=False)
    _fill(template_url, kind)
    _templates[(_server(url), kind)] = template
    return template


def _fill(template_url: str, kind: str) -> None:
    """Schema and reference data (`empty`), or the demo event on a copy of `empty`."""
    from matchmaker import create_app
    from matchmaker.demo import seed_demo
    from matchmaker.reference_data import ensure_reference_data
    from support import DEMO_PASSWORD, make_test_config

    app = create_app(make_test_config(None, SQLALCHEMY_DATABASE_URI=template_url))
    with app.app_context():
        if kind == EMPTY:
            db.create_all()
            ensure_reference_data(db.session)
        else:
            seed_demo(db.session, attendees=DEMO_ATTENDEES, seed=DEMO_SEED,
                      password_hash=app.extensions["passwords"].hash(DEMO_PASSWORD))
        db.session.commit()
        if kind == EMPTY and not _empty_rows:
            _empty_rows.append(row_counts())
        db.session.remove()
        db.engine.dispose()  # SQLite: the last connection to close folds the WAL into the file
    path = make_url(template_url).database
    if backend(template_url) == "sqlite" and Path(f"{path}-wal").exists():
        raise RuntimeError(f"{path} kept a write-ahead log: a copy of it would lack rows")


def _server(url: str) -> str:
    """What the templates are kept for: SQLite (files of any test), or one PostgreSQL
    database URL (a pytest-xdist worker's)."""
    return "sqlite" if backend(url) == "sqlite" else url


def _dispose_engines_on(url: str) -> None:
    """Close the pooled connections of every app on `url` (an app built earlier in the same
    test) so that the database can be replaced."""
    wanted = make_url(url).database
    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            if engine.url.database == wanted:
                engine.dispose()


def _admin(url: str):
    """A pool of autocommit connections to the server's `postgres` database."""
    from matchmaker.config import normalise_database_url

    key = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    if key not in _admin_engines:
        _admin_engines[key] = create_engine(normalise_database_url(key),
                                            isolation_level="AUTOCOMMIT")
    return _admin_engines[key]


def _pg_copy(url: str, template: str | None, target: str) -> bool:
    """Drop `target` and create it again, from `template` (or empty when None); False when
    the role may not create databases."""
    from sqlalchemy.exc import ProgrammingError

    source = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
    try:
        with _admin(url).connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target}"{source}'))
    except ProgrammingError:
        return False
    return True
