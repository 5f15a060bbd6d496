"""Every page a person can open has a short, plain title (what a tab and a screen reader show)."""
import re


def _pages(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments - {"slug"}:
            continue
        if rule.endpoint in ("static", "profiles.export", "agenda.agenda_ics",
                             "attendees.export_attendees"):
            continue
        yield rule.build({"slug": "demo"} if "slug" in rule.arguments else {})[1]


def test_every_page_has_a_plain_title(demo, login_as):
    for email in ("organiser@demo.example", "supplier1@demo.example"):
        client = login_as(email)
        for url in _pages(demo):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            match = re.search(r"<title>(.*?)</title>", response.data.decode(), re.S)
            assert match, url
            title = match.group(1).strip()
            assert "<" not in title and "\n" not in title and len(title) < 120, (url, title)
