"""The check-in page's badge scanner in headless Chromium, whose camera plays a video of a
badge's QR code; and a check-in made while the venue's network fails (the server
unreachable behind it: 503), kept on the phone and sent later."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from PIL import Image

from matchmaker.onsite import badges
from support import browser_log_in, chromium, demo_app, participation_by_email, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHECKIN = "/events/demo/console/checkin"


def camera_video(frame: Image.Image, folder: Path, name: str, *, seconds: int,
                 fps: int) -> Path:
    """A .y4m showing `frame`, for Chromium's fake camera."""
    if not shutil.which("ffmpeg"):
        pytest.fail("ffmpeg is missing: run `make browser` (as root) first.", pytrace=False)
    frame.save(folder / f"{name}.png")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i",
                    str(folder / f"{name}.png"), "-t", str(seconds), "-r", str(fps),
                    "-pix_fmt", "yuv420p", str(folder / f"{name}.y4m")], check=True)
    return folder / f"{name}.y4m"


def qr_video(text: str, folder: Path) -> Path:
    """A 3-second 640x480 video of the QR code of `text`."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=8, border=4)
    code = Image.open(io.BytesIO(png.getvalue())).convert("RGB")
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    return camera_video(frame, folder, "qr", seconds=3, fps=10)


def chromium_with_camera(video: Path):
    return chromium(412, 900, flags=("--use-fake-device-for-media-stream",
                                     "--use-fake-ui-for-media-stream",
                                     f"--use-file-for-fake-video-capture={video}"))


@pytest.fixture
def app_with_demo(tmp_path):
    return demo_app(tmp_path, attendees=12, seed=7, WTF_CSRF_ENABLED=True)


def log_in(driver, base: str) -> None:
    browser_log_in(driver, base, "organiser@demo.example")
    driver.get(base + CHECKIN)


def checked_in(app, email: str) -> bool:
    with app.app_context():
        return participation_by_email(email).checked_in_at is not None


def test_scanning_a_badge_with_the_camera_checks_the_person_in(app_with_demo, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app = app_with_demo
    with app.app_context():
        token = badges.checkin_token(participation_by_email("buyer1@demo.example"),
                                     secret_key=app.config["SECRET_KEY"])
        name = participation_by_email("buyer1@demo.example").user.name
    with served(app) as base, \
            chromium_with_camera(qr_video(f"{base}{CHECKIN}/badge/{token}", tmp_path)) \
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
        token = badges.checkin_token(participation_by_email("supplier1@demo.example"),
                                     secret_key=app.config["SECRET_KEY"])
    blank = camera_video(Image.new("RGB", (640, 480), "white"), tmp_path, "blank", seconds=1,
                         fps=5)
    with served(app) as base, chromium_with_camera(blank) as driver:
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
