"""The dialogue solver is a library: importing it must not load the web stack."""
from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "werkzeug"}


def test_importing_marketdialogue_loads_no_web_module():
    code = ("import matchmaker.marketdialogue, matchmaker.marketdialogue.cli, "
            "matchmaker.marketdialogue.solve\n"
            "import json, sys\nprint(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = {name.split(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}
    assert "ortools" in loaded
    assert not loaded & FORBIDDEN, sorted(loaded & FORBIDDEN)
