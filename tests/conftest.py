"""Shared pytest set-up: the project root on sys.path, and one thread for numerical libraries."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

os.environ.setdefault("PYTHONHASHSEED", "0")


@pytest.fixture
def one_torch_thread():
    """One torch thread, as in the lessons (several threads on a shared CPU are much slower here)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def playwright_driver():
    """The one Playwright driver of the test session, shared by the browser tests of the lessons (tests/browser),
    the website (tests/site) and the hub (tests/hub): Playwright's sync API refuses to start a second driver while
    one is running in the same thread. None without the playwright package (each test then says what is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        yield None
        return
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """No doctests in tests/: ``--doctest-modules`` (pyproject.toml) is for the package and the tools; it would
    import every test module a second time, and the two ``conftest.py`` (here and in browser/) clash by name."""
    collectors = yield
    return [c for c in collectors if type(c).__name__ != "DoctestModule"]
