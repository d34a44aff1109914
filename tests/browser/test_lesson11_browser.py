"""Lesson 11 in a real browser: Run All works, and the strength slider and the two dropdowns (the broken world, the
learners' training worlds) update readout and figure."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_idle_kernel, wait_for_new_image, wait_for_text


def test_lesson11_runs_and_its_controls_update_the_output(run_notebook):
    page = run_notebook("11_soft_learners_and_logical_tools.ipynb")
    widget = page.locator(".soft_learners-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".soft_learners-readout").first
    image = widget.locator(".soft_learners-output img").first
    wait_for_text(page, readout, "noise sd 1.8")
    before_image = image.get_attribute("src")

    move_slider(page, 0, presses=4, key="ArrowRight")  # strength: four steps of 0.1, from 0.6 to 1
    wait_for_text(page, readout, "soft learner 0.36 [0.32, 0.39]")
    wait_for_new_image(page, image, before_image)
    wait_for_idle_kernel(page)

    widget.locator("select").first.select_option("hidden")
    wait_for_text(page, readout, "soft learner 0.46 [0.44, 0.49]")
    wait_for_idle_kernel(page)

    after_kind = image.get_attribute("src")
    widget.locator("select").nth(1).select_option("varied")  # the learners trained on varied worlds
    wait_for_text(page, readout, "tool user 0.63 [0.61, 0.64]")
    wait_for_new_image(page, image, after_kind)
    wait_for_idle_kernel(page)
    assert image.is_visible()
    screenshot(page, "lesson11")
