"""Lesson 06 in a real browser: Run All works (three language models load and play), and the transcript stepper
responds to its word slider, to the choice of model and to its episode slider."""

from __future__ import annotations

from browser_support import move_slider, screenshot, wait_for_idle_kernel, wait_for_new_image, wait_for_text


def test_lesson06_runs_and_the_transcript_stepper_responds(run_notebook):
    page = run_notebook("06_language_models_as_agents.ipynb", timeout_s=420)
    widget = page.locator(".language-agents-widget").first
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".cl-readout").first
    text = widget.locator(".cl-text").first
    image = widget.locator(".cl-output img").first
    page.wait_for_function("e => e.textContent.startsWith('pointer model, its exploit: it wrote do(#')",
                           arg=readout.element_handle())
    assert "Episode 0, goal" in readout.inner_text() and "goal" in text.inner_text()
    before_image = image.get_attribute("src")

    move_slider(page, 1, presses=1, key="ArrowLeft")          # the model's fifth word: its last experiment
    page.wait_for_function("e => /^pointer model, word 5 of 6: it wrote do\\([A-E]=5\\)/.test(e.textContent)",
                           arg=readout.element_handle())
    wait_for_new_image(page, image, before_image)
    assert "goal" not in text.inner_text()                      # the text shown ends at the word being written

    widget.get_by_role("button", name="parrot", exact=True).click()    # the same episode, the parrot talking
    page.wait_for_function("e => e.textContent.startsWith('parrot model, word 5 of ')", arg=readout.element_handle())
    assert "causes" in text.inner_text()

    move_slider(page, 0, presses=1, key="ArrowRight")          # the next test episode
    wait_for_text(page, readout, "Episode 1, goal")
    wait_for_idle_kernel(page)
    assert image.is_visible()
    screenshot(page, "lesson06")
