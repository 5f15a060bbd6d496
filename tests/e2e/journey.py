"""The browser driver of the end-to-end journeys: finds, clicks (counted), types, chooses,
logs in and saves screenshots: into docs/screenshots/ for the README when
MATCHMAKER_SCREENSHOTS=docs/screenshots is set, else into a temporary folder, so that a
test run never rewrites files of the repository.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from support import DEMO_PASSWORD, wait_for_next_page

SCREENSHOTS = Path(os.environ.get("MATCHMAKER_SCREENSHOTS")
                   or Path(tempfile.gettempdir()) / "matchmaker-screenshots")
WAIT_S = 20


class Journey:
    """Drives the browser and counts the clicks a person makes."""

    def __init__(self, driver, base_url: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import Select, WebDriverWait
        self.driver, self.base, self.clicks = driver, base_url, 0
        self.By, self.ec, self.Select, self.Wait = By, ec, Select, WebDriverWait

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str):
        return self.Wait(self.driver, WAIT_S).until(
            self.ec.presence_of_element_located((self.By.CSS_SELECTOR, css)))

    def link(self, text: str):
        return self.Wait(self.driver, WAIT_S).until(
            self.ec.element_to_be_clickable((self.By.PARTIAL_LINK_TEXT, text)))

    def click(self, element, *, navigates: bool = True) -> None:
        self.clicks += 1
        page = self.driver.find_element(self.By.TAG_NAME, "html")
        element.click()
        if navigates:
            wait_for_next_page(self.driver, page, WAIT_S)

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def choose(self, css: str, visible_text: str | None = None) -> None:
        """Pick an option of a select (one click for a person)."""
        self.clicks += 1
        select = self.Select(self.find(css))
        if visible_text:
            select.select_by_visible_text(visible_text)
        else:
            select.select_by_index(1 if len(select.options) > 1 else 0)

    def submit(self, css: str = "main form button[type=submit]") -> None:
        self.click(self.find(css))

    def heading(self) -> str:
        return self.find("main h1").text

    def assert_no_error_page(self) -> None:
        assert "Something went wrong" not in self.driver.page_source

    def shot(self, name: str, width: int = 1280) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.set_window_size(width, 900)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(width, min(max(height, 600), 2400))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        self.driver.set_window_size(1280, 900)

    def log_in(self, email: str) -> None:
        self.driver.delete_all_cookies()
        self.open("/login")
        self.type("#email", email)
        self.type("#password", DEMO_PASSWORD)
        self.submit()
        assert "/login" not in self.driver.current_url, self.driver.page_source[:2000]
