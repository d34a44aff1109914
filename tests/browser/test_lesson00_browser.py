"""Lesson 00 in a real browser: Run All works, the set-up check passes, and the self-check slider moves the readout."""

from __future__ import annotations

import re

from browser_support import move_slider, screenshot, wait_for_text


def test_lesson00_runs_and_its_self_check_slider_updates_the_readout(run_notebook):
    page = run_notebook("00_start_here.ipynb")
    passed = page.get_by_text(re.compile(r"\b(\d+) of \1 checks passed"))
    assert passed.count() == 1, "the environment self-check should pass (every check of the report)"
    widget = page.locator(".start-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    wait_for_text(page, readout, "E[Y | do(X = +0.0)] = +1.0")

    move_slider(page, 0, presses=4, key="ArrowRight")
    # four steps of 0.5 to the right: do(X = 2) and E[Y] = 2 * 2 + 1, the example exercise's answer
    wait_for_text(page, readout, "E[Y | do(X = +2.0)] = +5.0")
    # the lesson map is rendered from the notebooks themselves
    assert page.locator(".jp-RenderedMarkdown table").filter(has_text="Start here").count() >= 1
    screenshot(page, "lesson00")
