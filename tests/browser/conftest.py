"""Fixtures for real-browser tests: JupyterLab in headless Chromium, driven by Playwright.

* ``lab``: a JupyterLab server (session-scoped) on 127.0.0.1 with a random token, serving a
  temporary copy of ``notebooks/`` (so autosave never touches the committed lessons), with
  every ``JUPYTER_*`` directory in a temporary folder.
* ``page``: a fresh browser page in system Chromium (never a downloaded browser).
* ``open_and_run(page, lab, notebook)``: opens a lesson, waits for the kernel, runs all
  cells, waits until they finish, and fails if any cell shows an error.
* the helpers a test uses to drive a lesson (``move_slider``, ``wait_for_text``, ``screenshot``...) are in
  ``tests/browser_support.py``.

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
from browser_support import chromium_path, launch, missing, run_all_cells

ROOT = Path(__file__).resolve().parents[2]
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
    if chromium_path() is None:
        missing("Chromium is not installed")
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
    chromium = launch(playwright_driver)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def open_and_run(page, lab: Lab, notebook: str, *, timeout_s: float = 240) -> None:
    """Open ``notebook`` in JupyterLab, Run All, wait until every cell finished; fail on error outputs."""
    page.goto(lab.notebook_url(notebook))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
    run_all_cells(page, timeout=timeout_s * 1000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"{notebook}: a cell wrote to stderr or raised: {errors.first.inner_text()[:500]}"


@pytest.fixture
def run_notebook(page, lab):
    def run(notebook: str, **kwargs):
        open_and_run(page, lab, notebook, **kwargs)
        return page
    return run
