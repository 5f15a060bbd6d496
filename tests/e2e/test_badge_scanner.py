"""The check-in page's badge scanner in headless Chromium, whose camera plays a video of a
badge's QR code; and a check-in made while the venue's network fails (the server
unreachable behind it: 503), kept on the phone and sent later."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import segno
from PIL import Image
from sqlalchemy import select

from matchmaker.demo import seed_demo
from matchmaker.extensions import db
from matchmaker.models import Participation, User
from matchmaker.onsite import badges
from tests.support import CHROMEDRIVER, CHROMIUM, DEMO_PASSWORD, build_app, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHECKIN = "/events/demo/console/checkin"


def participation_of(email: str) -> Participation:
    return db.session.scalar(select(Participation).join(User).where(User.email == email))


def camera_video(text: str, folder: Path) -> Path:
    """A 3-second 640x480 .y4m of the QR code of `text`, for Chromium's fake camera."""
    if not shutil.which("ffmpeg"):
        pytest.fail("ffmpeg is missing: run `make browser` (as root) first.", pytrace=False)
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=8, border=4)
    code = Image.open(io.BytesIO(png.getvalue())).convert("RGB")
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    frame.save(folder / "qr.png")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i",
                    str(folder / "qr.png"), "-t", "3", "-r", "10", "-pix_fmt", "yuv420p",
                    str(folder / "qr.y4m")], check=True)
    return folder / "qr.y4m"


@contextmanager
def chromium_with_camera(video: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: run `make browser` (as root) first.",
                    pytrace=False)
    profile = tempfile.mkdtemp(prefix="matchmaker-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run",
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                 f"--use-file-for-fake-video-capture={video}",
                 f"--user-data-dir={profile}", "--window-size=412,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def app_with_demo(tmp_path):
    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        seed_demo(db.session, attendees=12, seed=7,
                  password_hash=app.extensions["passwords"].hash(DEMO_PASSWORD))
        db.session.commit()
    return app


def log_in(driver, base: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/login?next=" + CHECKIN)
    driver.find_element(By.NAME, "email").send_keys("organiser@demo.example")
    driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 15).until(ec.url_contains(CHECKIN))


def checked_in(app, email: str) -> bool:
    with app.app_context():
        return participation_of(email).checked_in_at is not None


def test_scanning_a_badge_with_the_camera_checks_the_person_in(app_with_demo, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app = app_with_demo
    with app.app_context():
        token = badges.checkin_token(participation_of("buyer1@demo.example"),
                                     secret_key=app.config["SECRET_KEY"])
        name = participation_of("buyer1@demo.example").user.name
    with served(app) as base, \
            chromium_with_camera(camera_video(f"{base}{CHECKIN}/badge/{token}", tmp_path)) \
            as driver:
        log_in(driver, base)
        start = driver.find_element(By.CSS_SELECTOR, ".scan-start")
        assert start.is_displayed()
        start.click()
        result = driver.find_element(By.CSS_SELECTOR, ".scan-result")
        WebDriverWait(driver, 20).until(lambda d: "checked in" in result.text)
        assert name in result.text
        assert checked_in(app, "buyer1@demo.example")
        driver.save_screenshot(str(tmp_path / "scanner.png"))


def test_a_check_in_made_offline_waits_and_is_sent_when_the_network_is_back(app_with_demo,
                                                                              tmp_path):
    from flask import request
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app = app_with_demo
    network = {"down": False}

    @app.before_request
    def _flaky_network():
        if network["down"] and request.path.endswith("/checkin/scan"):
            return "Bad gateway", 503
    with app.app_context():
        token = badges.checkin_token(participation_of("supplier1@demo.example"),
                                     secret_key=app.config["SECRET_KEY"])
    blank = Image.new("RGB", (640, 480), "white")
    blank.save(tmp_path / "blank.png")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i",
                    str(tmp_path / "blank.png"), "-t", "1", "-r", "5", "-pix_fmt", "yuv420p",
                    str(tmp_path / "blank.y4m")], check=True)
    with served(app) as base, chromium_with_camera(tmp_path / "blank.y4m") as driver:
        log_in(driver, base)
        network["down"] = True
        driver.find_element(By.ID, "scan-token").send_keys(token)
        driver.find_element(By.CSS_SELECTOR, ".scan-form button[type=submit]").click()
        queue = driver.find_element(By.CSS_SELECTOR, ".scan-queue")
        WebDriverWait(driver, 10).until(lambda d: "1 check-in waiting" in queue.text)
        assert not checked_in(app, "supplier1@demo.example")
        stored = driver.execute_script(
            "return window.localStorage.getItem(document.querySelector('section.scanner')"
            ".getAttribute('data-queue-key'))")
        assert token in stored
        network["down"] = False
        WebDriverWait(driver, 45).until(lambda d: "Waiting check-ins sent" in queue.text)
        assert checked_in(app, "supplier1@demo.example")
        assert "checked in" in driver.find_element(By.CSS_SELECTOR, ".scan-result").text
        assert driver.execute_script(
            "return window.localStorage.getItem(document.querySelector('section.scanner')"
            ".getAttribute('data-queue-key'))") == "[]"
