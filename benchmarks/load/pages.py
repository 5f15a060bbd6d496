"""What the load scripts read off the demo's pages: the accounts' password, the event,
and the patterns of the CSRF token and of the links they follow."""
from __future__ import annotations

import os
import re

PASSWORD = os.environ.get("LOAD_PASSWORD", "circular-demo-2026")
SLUG = "demo"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LISTING = re.compile(rf'/events/{SLUG}/listings/(\d+)"')
NEW_REQUEST = re.compile(rf'/events/{SLUG}/requests/new/(\d+)')
ACCEPT = re.compile(rf'/events/{SLUG}/requests/(\d+)/accept')
MOVE = re.compile(rf'/events/{SLUG}/meetings/(\d+)/move')
