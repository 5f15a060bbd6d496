"""HSTS whenever cookies are secure; no-store on every page a logged-in user sees."""
from __future__ import annotations

from support import build_app

HSTS = "max-age=31536000; includeSubDomains"


def test_hsts_with_secure_cookies_and_not_without(app, tmp_path):
    assert app.config["SESSION_COOKIE_SECURE"]
    assert app.test_client().get("/login").headers["Strict-Transport-Security"] == HSTS
    (tmp_path / "plain").mkdir()
    plain = build_app(tmp_path / "plain", SECURE_COOKIES=False)
    assert "Strict-Transport-Security" not in plain.test_client().get("/login").headers


def test_logged_in_pages_are_no_store_and_anonymous_ones_are_not(demo, login_as, client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    organiser = login_as("organiser@demo.example")
    for url in ("/events/demo", "/events/demo/console/", "/events/demo/console/schedule/",
                "/events/demo/requests", "/account"):
        response = organiser.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
    static = organiser.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")
