"""The course website, built once per test session, and a real browser to read it.

* ``site_build``: ``sphinx-build -n -W --keep-going`` (what ``make site`` runs) into a temporary folder, with a
  JupyterHub address set (``HUB``) so that the hub's launch buttons are built and checked too; the build's
  output, exit status and time are kept for the tests.
* ``site_url``: the built site served on 127.0.0.1 by Python's http.server (as GitHub Pages would serve it).
* ``site_page``: a fresh page in system Chromium (never a downloaded browser); without Chromium the browser test
  is skipped, unless ``CAUSAL_LESSONS_REQUIRE_BROWSER=1`` (as in CI).

Every test here is marked ``site`` (and the browser test ``browser``). They need what ``make install-site`` installs:
``requirements-site.txt`` and MathJax (``npm ci --prefix site``); ``make test`` installs both.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import launch

ROOT = Path(__file__).resolve().parents[2]
SITE_CONFIG = ROOT / "site"
MATHJAX = SITE_CONFIG / "node_modules" / "mathjax" / "es5" / "tex-mml-chtml.js"
#: The JupyterHub address the test build uses (a setting of the site: CAUSAL_LESSONS_HUB_URL or -D course_hub_url).
HUB = "https://hub.example.edu"


def pytest_collection_modifyitems(items):
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "/tests/site/" in path:
            item.add_marker(pytest.mark.site)
            if "browser" in Path(path).name:
                item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_hub() -> str:
    """The JupyterHub address the test build uses."""
    return HUB


@dataclass
class SiteBuild:
    """A built site: its folder, what sphinx-build printed, its exit status and how long it took (s)."""

    path: Path
    output: str
    returncode: int
    seconds: float


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> SiteBuild:
    if importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("myst_nb") is None:
        pytest.fail("the website's tools are not installed: run `make install-site` "
                    "(or pip install -r requirements-site.txt)")
    if not MATHJAX.exists():
        pytest.fail("MathJax is not installed for the website: run `npm ci --prefix site` (make install-site)")
    out = tmp_path_factory.mktemp("site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAUSAL_LESSONS_")}  # the defaults, but the hub
    command = [sys.executable, "-m", "sphinx", "-n", "-W", "--keep-going", "-q", "-c", str(SITE_CONFIG),
               "-d", str(out / "doctrees"), "-b", "html", "-D", f"course_hub_url={HUB}", str(ROOT), str(out / "site")]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return SiteBuild(out / "site", result.stdout + result.stderr, result.returncode, time.perf_counter() - start)


@pytest.fixture(scope="session")
def built_site(site_build) -> Path:
    """The built site's folder; fails when the build failed (the build test says why)."""
    if site_build.returncode != 0 or not (site_build.path / "index.html").exists():
        pytest.fail(f"the website did not build:\n{site_build.output[-3000:]}")
    return site_build.path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the browser closed the connection early (favicon, fonts)
            pass


@pytest.fixture(scope="session")
def site_url(built_site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler,
                                                                                 directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_browser(playwright_driver):
    browser = launch(playwright_driver)
    yield browser
    browser.close()


@pytest.fixture
def site_page(site_browser):
    context = site_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
