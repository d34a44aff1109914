"""Fixtures for real-browser tests: JupyterLab in headless Chromium, driven by Playwright.

* ``lab``: a JupyterLab server (session-scoped) on 127.0.0.1 with a random token, serving a
  temporary copy of ``notebooks/`` (so autosave never touches the committed lessons), with
  every ``JUPYTER_*`` directory in a temporary folder.
* ``page``: a fresh browser page in system Chromium (never a downloaded browser).
* ``open_and_run(page, lab, notebook)``: opens a lesson, waits for the kernel, runs all
  cells, waits until they finish, and fails if any cell shows an error.
* ``screenshot(page, name)``: saves ``test-artifacts/browser/<name>.png`` (kept out of git).

Without Chromium the tests are skipped with a clear message, unless the environment
variable ``CAUSAL_LESSONS_REQUIRE_BROWSER=1`` is set (as ``.ci/run`` does): then they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
REQUIRED = os.environ.get("CAUSAL_LESSONS_REQUIRE_BROWSER") == "1"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _missing(reason: str):
    if REQUIRED:
        pytest.fail(f"browser test required (CAUSAL_LESSONS_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"SKIPPED the real-browser test: {reason}. Install it with: sudo apt-get install chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, url: str, token: str, root: Path):
        self.url, self.token, self.root = url, token, root

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"


@pytest.fixture(scope="session")
def lab():
    if _chromium() is None:
        _missing("Chromium is not installed")
    workdir = Path(tempfile.mkdtemp(prefix="causal-lessons-lab-"))
    root = workdir / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTERLAB_SETTINGS_DIR",
                "JUPYTERLAB_WORKSPACES_DIR"):
        env[var] = str(workdir / var.lower())
    env["JUPYTER_DATA_DIR"] = str(workdir / "data")
    # no "get Jupyter news?" toast over the page
    settings = workdir / "jupyterlab_settings_dir" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    # attach and render every cell: with the default windowing ('contentVisibility') the browser skips cells
    # outside the viewport, and Playwright's inner_text() of a widget's readout there reads '' (flaky tests)
    tracker = workdir / "jupyterlab_settings_dir" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    token = uuid.uuid4().hex
    port = _free_port()
    log = open(workdir / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--LabApp.news_url="] + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early; log:\n{(workdir / 'lab.log').read_text()}")
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError("JupyterLab did not start within 90 s")
    yield Lab(url, token, root)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(lab, playwright_driver):
    if playwright_driver is None:
        _missing("the playwright Python package is not installed")
    chromium = playwright_driver.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def wait_for_idle_kernel(page, timeout: float = 120_000) -> None:
    """Wait until the status bar reports the kernel as Idle."""
    page.wait_for_function(
        """() => {
            const items = Array.from(document.querySelectorAll('.jp-StatusBar-TextItem, .jp-StatusBar-Item'));
            return items.some(e => /\\bIdle\\b/.test(e.textContent));
        }""",
        timeout=timeout,
    )


def open_and_run(page, lab: Lab, notebook: str, *, timeout_s: float = 240) -> None:
    """Open ``notebook`` in JupyterLab, Run All, wait until every cell finished; fail on error outputs."""
    page.goto(lab.notebook_url(notebook))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
    wait_for_idle_kernel(page)
    # Close any notification toast that could cover the menu.
    page.keyboard.press("Escape")
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # wait until no prompt shows [*] and every code cell has an execution count
    page.wait_for_function(
        """() => {
            const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
            if (prompts.length === 0) return false;
            return prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=timeout_s * 1000,
    )
    wait_for_idle_kernel(page)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"{notebook}: a cell wrote to stderr or raised: {errors.first.inner_text()[:500]}"


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


@pytest.fixture
def run_notebook(page, lab):
    def run(notebook: str, **kwargs):
        open_and_run(page, lab, notebook, **kwargs)
        return page
    return run
