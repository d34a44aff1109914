"""Lesson 02 in a real browser: Run All works, and the sliders for p and the log size update readout and figure."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_new_image, wait_for_text


def test_lesson02_runs_and_its_sliders_update_the_output(run_notebook):
    page = run_notebook("02_passive_but_interventional.ipynb")
    widget = page.locator(".passive-data-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".passive-data-readout").first
    image = widget.locator(".passive-data-output img").first
    wait_for_text(page, readout, "p = 0.05, 200 rows")
    before_image = image.get_attribute("src")

    move_slider(page, 0, presses=5, key="ArrowRight")  # p: five steps of 0.01
    wait_for_text(page, readout, "p = 0.10, 200 rows")
    wait_for_new_image(page, image, before_image)
    middle_image = image.get_attribute("src")

    move_slider(page, 1, presses=2, key="ArrowRight")  # log size: two steps of 10 rows
    wait_for_text(page, readout, "p = 0.10, 220 rows")
    wait_for_new_image(page, image, middle_image)
    assert "picks X→Y in" in readout.inner_text()
    screenshot(page, "lesson02")
