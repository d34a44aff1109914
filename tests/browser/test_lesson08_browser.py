"""Lesson 08 in a real browser: Run All works, and the trial-size and confounding sliders update the readout and figure."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_idle_kernel, wait_for_new_image, wait_for_text


def test_lesson08_runs_and_its_sliders_update_the_output(run_notebook):
    page = run_notebook("08_causal_data_fusion.ipynb")
    widget = page.locator(".fusion-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".fusion-readout").first
    image = widget.locator(".fusion-output img").first
    wait_for_text(page, readout, "trial of 100, confounding 1.0")
    assert "smallest error: trial" in readout.inner_text()
    before_image = image.get_attribute("src")

    move_slider(page, 0, presses=2, key="ArrowRight")  # trial size: two steps of 20 people
    wait_for_text(page, readout, "trial of 140, confounding 1.0")
    wait_for_new_image(page, image, before_image)
    middle_image = image.get_attribute("src")

    move_slider(page, 1, presses=10, key="ArrowLeft")  # confounding: ten steps of 0.1, down to 0.0
    wait_for_text(page, readout, "trial of 140, confounding 0.0")
    wait_for_new_image(page, image, middle_image)
    # without confounding the adjusted observational study has the smallest error
    assert "smallest error: adjusted" in readout.inner_text()
    wait_for_idle_kernel(page)
    assert image.is_visible()
    screenshot(page, "lesson08")
