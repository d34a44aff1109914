"""Lesson 05 in a real browser: Run All works (three agents train live), and the quality explorer responds to the
asked quality, the share of low-quality data and the choice of agent."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_idle_kernel

# the Output widget replaces its <img> on every redraw: look the figure up afresh each time
NEW_FIGURE = ("old => { const img = document.querySelector('.explanations-widget .cl-output img');"
              " return img !== null && img.getAttribute('src') !== old; }")


def test_lesson05_runs_and_the_quality_explorer_responds(run_notebook):
    page = run_notebook("05_explanations_and_quality.ipynb", timeout_s=420)
    widget = page.locator(".explanations-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    image = widget.locator(".cl-output img").first
    image.wait_for()
    page.wait_for_function(
        "e => e.textContent.startsWith(\"conditioned on the strategy, 40% low-quality training episodes, asked for "
        "'high'\")", arg=readout.element_handle())
    assert readout.inner_text().endswith("plays like the expert")
    before_image = image.get_attribute("src")

    widget.get_by_role("button", name="medium", exact=True).click()      # ask the same agent for 'medium'
    page.wait_for_function("e => e.textContent.includes(\"asked for 'medium'\")", arg=readout.element_handle())
    page.wait_for_function(NEW_FIGURE, arg=before_image)
    assert readout.inner_text().endswith("plays like the associational strategy")
    middle_image = widget.locator(".cl-output img").first.get_attribute("src")

    move_slider(page, 0, presses=2, key="ArrowLeft")                       # 40% -> 0% low-quality data
    page.wait_for_function("e => e.textContent.startsWith('conditioned on the strategy, 0% low-quality')",
                           arg=readout.element_handle())
    page.wait_for_function(NEW_FIGURE, arg=middle_image)

    widget.get_by_role("button", name="plain imitation", exact=True).click()
    page.wait_for_function("e => e.textContent.startsWith('plain imitation, 0% low-quality')",
                           arg=readout.element_handle())
    assert widget.get_by_role("button", name="high", exact=True).is_disabled()
    assert readout.inner_text().endswith("plays like the expert")
    wait_for_idle_kernel(page)
    page.wait_for_function("() => { const img = document.querySelector('.explanations-widget .cl-output img');"
                           " return img !== null && img.complete && img.naturalWidth > 0; }")
    assert widget.locator(".cl-output img").first.is_visible()
    page.wait_for_timeout(1500)                    # let the browser finish painting the figure for the picture
    screenshot(page, "lesson05")
