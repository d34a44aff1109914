"""Lesson 01 in a real browser: Run All works, and the confounding slider updates the plot and readout."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_new_image, wait_for_text


def test_lesson01_runs_and_its_slider_updates_the_output(run_notebook):
    page = run_notebook("01_ladder_of_causation.ipynb")
    widget = page.locator(".jupyter-widgets.widget-vbox").filter(has=page.locator(".widget-slider")).first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    image = widget.locator(".cl-output img").first
    wait_for_text(page, readout, "confounding")
    before_text = readout.inner_text()
    before_image = image.get_attribute("src")
    assert "confounding +1.0" in before_text

    move_slider(page, 0, presses=5, key="ArrowRight")
    # five steps of 0.1 to the right: the readout must end at +1.5
    wait_for_text(page, readout, "confounding +1.5")
    assert readout.inner_text() != before_text
    wait_for_new_image(page, image, before_image)
    screenshot(page, "lesson01")
