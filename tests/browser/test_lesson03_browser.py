"""Lesson 03 in a real browser: Run All works, and an experiment button updates the game's readout and figure."""

from __future__ import annotations

from browser_support import screenshot, wait_for_text


def test_lesson03_runs_and_an_experiment_updates_the_game(run_notebook):
    page = run_notebook("03_experiment_then_exploit.ipynb")
    widget = page.locator(".dag-game-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    image = widget.locator(".cl-output img").first
    wait_for_text(page, readout, "0 of 5 steps taken")
    before_image = image.get_attribute("src")
    assert widget.get_by_role("button", name="exploit +5", exact=True).is_disabled()

    widget.get_by_role("button", name="do(A = +5)", exact=True).click()   # one experiment: do(A = +5)
    wait_for_text(page, readout, "1 of 5 steps taken, 4 left")
    # the figure is redrawn: the widget's (new) image differs from the one before the click
    page.wait_for_function(
        "old => { const img = document.querySelector('.dag-game-widget .cl-output img');"
        " return img !== null && img.getAttribute('src') !== old; }", arg=before_image)

    for name in ("B", "C", "D", "E"):
        widget.get_by_role("button", name=f"do({name} = +5)", exact=True).click()
        page.wait_for_timeout(200)
    wait_for_text(page, readout, "Goal: make")
    assert widget.get_by_role("button", name="observe", exact=True).is_disabled()
    widget.get_by_role("button", name="exploit -5", exact=True).click()
    wait_for_text(page, readout, "Expert on the same episode")
    screenshot(page, "lesson03")
