"""Lesson 01 in a real browser: Run All works, and the confounding slider updates the plot and readout."""

from __future__ import annotations

from conftest import move_slider, screenshot


def test_lesson01_runs_and_its_slider_updates_the_output(run_notebook):
    page = run_notebook("01_ladder_of_causation.ipynb")
    widget = page.locator(".jupyter-widgets.widget-vbox").filter(has=page.locator(".widget-slider")).first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    image = widget.locator(".cl-output img").first
    page.wait_for_function("e => e.textContent.includes('confounding')", arg=readout.element_handle())
    before_text = readout.inner_text()
    before_image = image.get_attribute("src")
    assert "confounding +1.0" in before_text

    move_slider(page, 0, presses=5, key="ArrowRight")
    # five steps of 0.1 to the right: the readout must end at +1.5
    page.wait_for_function("e => e.textContent.includes('confounding +1.5')", arg=readout.element_handle())
    assert readout.inner_text() != before_text
    page.wait_for_function("([e, old]) => e.getAttribute('src') !== old", arg=[image.element_handle(), before_image])
    screenshot(page, "lesson01")
