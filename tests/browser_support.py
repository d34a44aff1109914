"""How the tests drive a real browser: the system's Chromium through Playwright (never a downloaded browser).

One definition, used by the lessons' browser tests (``tests/browser``), the website's (``tests/site``) and the
hub's (``tests/hub``). Without Chromium or the playwright package a browser test is skipped with a clear message,
unless ``CAUSAL_LESSONS_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets): then it fails.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
REQUIRED = os.environ.get("CAUSAL_LESSONS_REQUIRE_BROWSER") == "1"
#: Where the lessons' browser tests keep their screenshots (out of git).
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"


def chromium_path() -> str | None:
    """The system's Chromium (or Chrome), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def missing(reason: str):
    """Skip the test (fail it where a browser is required) because ``reason``."""
    if REQUIRED:
        pytest.fail(f"browser test required (CAUSAL_LESSONS_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"SKIPPED the real-browser test: {reason}. Install it with: sudo apt-get install chromium")


def launch(driver):
    """A headless Chromium from the session's Playwright ``driver`` (the ``playwright_driver`` fixture)."""
    if driver is None:
        missing("the playwright Python package is not installed")
    path = chromium_path()
    if path is None:
        missing("Chromium is not installed")
    return driver.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


def wait_for_idle_kernel(page, timeout: float = 120_000) -> None:
    """Wait until JupyterLab's status bar reports the kernel as Idle."""
    page.wait_for_function(
        """() => {
            const items = Array.from(document.querySelectorAll('.jp-StatusBar-TextItem, .jp-StatusBar-Item'));
            return items.some(e => /\\bIdle\\b/.test(e.textContent));
        }""",
        timeout=timeout,
    )


def run_all_cells(page, *, timeout: float, idle_timeout: float = 120_000) -> None:
    """In the notebook open in JupyterLab: wait for its kernel, Run All, and wait until every code cell has run."""
    wait_for_idle_kernel(page, timeout=idle_timeout)
    # close any notification toast that could cover the menu
    page.keyboard.press("Escape")
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # until no prompt shows [*] and every code cell has an execution count
    page.wait_for_function(
        """() => {
            const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=timeout,
    )
    wait_for_idle_kernel(page, timeout=idle_timeout)


def wait_for_text(page, element, text: str) -> None:
    """Wait until ``element`` (a locator) shows ``text`` somewhere in its text."""
    page.wait_for_function("([e, text]) => e.textContent.includes(text)", arg=[element.element_handle(), text])


def wait_for_new_image(page, image, old_src: str | None) -> None:
    """Wait until ``image`` (a locator of an <img>) shows a figure other than ``old_src``."""
    page.wait_for_function("([e, old]) => e.getAttribute('src') !== old", arg=[image.element_handle(), old_src])


def screenshot(page, name: str) -> Path:
    # let a widget's last redraw finish (an Output is empty while its figure is being replaced)
    wait_for_idle_kernel(page)
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def move_slider(page, slider_index: int = 0, *, presses: int = 3, key: str = "ArrowRight") -> None:
    """Move the ``slider_index``-th ipywidgets slider with the keyboard (as a user can)."""
    handle = page.locator(".jupyter-widgets .widget-slider .noUi-handle").nth(slider_index)
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(presses):
        page.keyboard.press(key)
        time.sleep(0.05)
