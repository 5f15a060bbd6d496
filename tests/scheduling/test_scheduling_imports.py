"""The scheduler is a library: importing it must not load the web stack."""
from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "flask_wtf", "werkzeug")


def loaded_modules(statement: str) -> set[str]:
    """Top-level names of every module a fresh interpreter has loaded after `statement`."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return {name.split(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}


def test_importing_scheduling_loads_no_web_module():
    loaded = loaded_modules(
        "import matchmaker.scheduling, matchmaker.scheduling.cli, matchmaker.scheduling.solve")
    assert "ortools" in loaded
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def test_the_app_factory_still_loads_the_web_stack():
    loaded = loaded_modules("from matchmaker import create_app")
    assert "flask" in loaded


def test_creating_the_app_and_its_commands_loads_no_solver_engine():
    # web workers and the send-due command never solve: OR-Tools and PySAT wait for
    # the first run (about 70 MB and a second of start-up per process)
    loaded = loaded_modules("from matchmaker.cli import cli\nfrom matchmaker import create_app\n"
                            "create_app()")
    assert "flask" in loaded
    assert not loaded & {"ortools", "pysat"}, sorted(loaded & {"ortools", "pysat"})
