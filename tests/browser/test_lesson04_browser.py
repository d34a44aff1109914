"""Lesson 04 in a real browser: Run All works (two agents train live), and the episode explorer responds to its
slider and to the choice of agent."""

from __future__ import annotations

import re

from browser_support import move_slider, screenshot, wait_for_idle_kernel, wait_for_new_image


def test_lesson04_runs_and_the_episode_explorer_responds(run_notebook):
    page = run_notebook("04_passive_agents_generalize.ipynb", timeout_s=420)
    widget = page.locator(".passive-agents-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    image = widget.locator(".cl-output img").first
    table = widget.locator(".cl-table table").first
    page.wait_for_function("e => /^episode \\d+, goal [A-E]: the agent chose/.test(e.textContent)",
                           arg=readout.element_handle())
    start = int(re.match(r"episode (\d+)", readout.inner_text()).group(1))
    assert table.is_visible() and "exploit score" in table.inner_text()
    before_image = image.get_attribute("src")

    move_slider(page, 0, presses=1, key="ArrowRight")        # the next test episode
    page.wait_for_function(f"e => e.textContent.startsWith('episode {start + 1}, goal')", arg=readout.element_handle())
    wait_for_new_image(page, image, before_image)
    middle_image = image.get_attribute("src")

    widget.get_by_role("button", name="identity", exact=True).click()   # same episode, the identity-head agent
    page.wait_for_function(
        "old => { const img = document.querySelector('.passive-agents-widget .cl-output img');"
        " return img !== null && img.getAttribute('src') !== old; }", arg=middle_image)
    assert readout.inner_text().startswith(f"episode {start + 1}, goal")
    wait_for_idle_kernel(page)
    assert image.is_visible()
    screenshot(page, "lesson04")
