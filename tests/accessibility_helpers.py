"""Accessibility checks in a real browser, shared by the accessibility tests: axe-core
(the npm package pinned in package.json, installed by `make node` / `npm ci`) injected into
the open page, logging in through the form, and a page check that also catches sideways
scrolling on a phone. A page passes when axe reports no serious or critical violation.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from support import browser_log_in

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WAIT_S = 20


def wait_loaded(driver) -> None:
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def open_page(driver, url: str) -> None:
    driver.get(url)
    wait_loaded(driver)


def log_in(driver, base: str, email: str) -> None:
    browser_log_in(driver, base, email, timeout_s=WAIT_S)


def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: the accessibility tests need axe-core. Run `make node` "
                    "(or `npm ci`) first.", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(driver) -> list[dict]:
    """Run axe-core on the open page; its violations as id, impact, help and targets."""
    driver.execute_script(axe_source())
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: arguments[0]}}).then(
          r => done(r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '')
                                                                 .replace(/\\s+/g, ' '))}))),
          e => done({error: String(e)}));
    """, AXE_TAGS)
    assert not isinstance(result, dict), result
    return result


def scroll_width(driver) -> tuple[int, int]:
    return tuple(driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"))


def check_pages(driver, base: str, paths: list[str], *, phone: bool = False) -> None:
    """axe on each page; on a phone also that the page does not scroll sideways."""
    found = []
    for path in paths:
        open_page(driver, base + path)
        assert "Something went wrong" not in driver.page_source, path
        assert "/login" not in driver.current_url or path in ("/login",), path
        if phone:
            width, inner = scroll_width(driver)
            assert width <= inner + 1, f"{path} scrolls sideways: {width} px wide in {inner} px"
        for violation in axe_violations(driver):
            if violation["impact"] in BLOCKING:
                found.append((path, violation))
    report = "\n".join(
        f"{path}: [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["targets"][:8])
        for path, v in found)
    assert not found, f"axe found {len(found)} serious or critical violations:\n{report}"
