"""Lesson 07 in a real browser: Run All works, and the ε and T sliders update the readout and the figure."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_idle_kernel, wait_for_new_image, wait_for_text


def test_lesson07_runs_and_its_sliders_update_the_output(run_notebook):
    page = run_notebook("07_error_accumulation_and_dagger.ipynb")
    widget = page.locator(".dagger-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".dagger-readout").first
    image = widget.locator(".dagger-output img").first
    wait_for_text(page, readout, "ε = 0.010, T = 100")
    assert "analysis BC 37.2" in readout.inner_text()
    before_image = image.get_attribute("src")

    move_slider(page, 0, presses=5, key="ArrowRight")  # ε: five steps of 0.001
    wait_for_text(page, readout, "ε = 0.015, T = 100")
    wait_for_new_image(page, image, before_image)
    middle_image = image.get_attribute("src")

    move_slider(page, 1, presses=2, key="ArrowRight")  # T: two steps of 10
    wait_for_text(page, readout, "ε = 0.015, T = 120")
    wait_for_new_image(page, image, middle_image)
    assert "measured BC" in readout.inner_text()
    wait_for_idle_kernel(page)  # the last redraw has finished: the figure is in place
    assert image.is_visible()
    screenshot(page, "lesson07")
