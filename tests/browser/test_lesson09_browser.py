"""Lesson 09 in a real browser: Run All works, and placing an object on the detector updates the readout and figure."""

from __future__ import annotations

from browser_support import screenshot, wait_for_text


def test_lesson09_runs_and_placing_an_object_updates_the_beliefs(run_notebook):
    page = run_notebook("09_children_and_blicket_detectors.ipynb")
    widget = page.locator(".blicket-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    image = widget.locator(".cl-output img").first
    wait_for_text(page, readout, "Nothing tested yet")
    before_image = image.get_attribute("src")
    assert "Tests so far: 0." in readout.text_content()

    widget.get_by_role("button", name="A", exact=True).click()  # place object A on the detector: one test
    wait_for_text(page, readout, "On the detector: A;")
    text = readout.text_content()
    assert "Tests so far: 1." in text
    assert "11 hypotheses still possible" not in text  # one answer always rules some hypotheses out
    # the Output widget may replace its <img>: look the image up again at every poll
    page.wait_for_function(
        "old => { const img = document.querySelector('.blicket-widget .cl-output img');"
        " return img !== null && img.getAttribute('src') !== old; }", arg=before_image)

    widget.get_by_role("button", name="Start again", exact=True).click()
    wait_for_text(page, readout, "Nothing tested yet")
    screenshot(page, "lesson09")
