"""Lesson 10 in a real browser: Run All works, and the shift and marker-noise sliders update readout and figure."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_idle_kernel, wait_for_new_image, wait_for_text


def test_lesson10_runs_and_its_sliders_update_the_output(run_notebook):
    page = run_notebook("10_causality_and_generalization.ipynb")
    widget = page.locator(".generalization-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".generalization-readout").first
    image = widget.locator(".generalization-output img").first
    wait_for_text(page, readout, "shift 2.5, marker noise 0.50")
    assert "after the shift causal 1.01, all features 1.43" in readout.inner_text()
    before_image = image.get_attribute("src")

    move_slider(page, 0, presses=5, key="ArrowRight")  # shift: five steps of 0.1
    wait_for_text(page, readout, "shift 3.0, marker noise 0.50")
    wait_for_new_image(page, image, before_image)
    middle_image = image.get_attribute("src")

    move_slider(page, 1, presses=2, key="ArrowRight")  # marker noise: two steps of 0.05
    wait_for_text(page, readout, "shift 3.0, marker noise 0.60")
    wait_for_new_image(page, image, middle_image)
    assert "after the shift causal 1.01" in readout.inner_text()
    wait_for_idle_kernel(page)  # the last redraw has finished: the figure is in place
    assert image.is_visible()
    screenshot(page, "lesson10")
