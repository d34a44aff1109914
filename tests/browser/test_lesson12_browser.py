"""Lesson 12 in a real browser: Run All works, and the gain slider and the clamp dropdown update readout and figure."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_idle_kernel, wait_for_new_image, wait_for_text


def test_lesson12_runs_and_its_controls_update_the_output(run_notebook):
    page = run_notebook("12_causality_and_dynamics.ipynb")
    widget = page.locator(".dynamics-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".dynamics-readout").first
    image = widget.locator(".dynamics-output img").first
    wait_for_text(page, readout, "do(H = 10), gain 4: settles")
    before_image = image.get_attribute("src")

    move_slider(page, 1, presses=16, key="ArrowRight")  # gain: sixteen steps of 0.5, from 4 to 12
    # with H clamped the loop is cut: the gain changes nothing the figure shows, only the readout
    wait_for_text(page, readout, "do(H = 10), gain 12: settles")
    wait_for_idle_kernel(page)

    widget.locator("select").first.select_option("none")
    wait_for_text(page, readout, "no stable equilibrium")
    wait_for_new_image(page, image, before_image)
    wait_for_idle_kernel(page)
    assert image.is_visible()
    screenshot(page, "lesson12")
