"""The course website in a real browser (headless Chromium): open the home page, follow the table of contents to a
lesson, see its figures and rendered math, check a launch button's address, use the search box, and keep
screenshots under test-artifacts/site/ (light and dark theme)."""

from __future__ import annotations

import re
from pathlib import Path

from links import launch_links

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "site"
LESSON = sorted((ROOT / "notebooks").glob("01_*.ipynb"))[0]


def test_a_reader_opens_the_home_page_follows_the_contents_launches_and_searches(site_page, site_url, site_hub):
    page = site_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # the home page: the site's address opens the README
    page.goto(f"{site_url}/")
    page.wait_for_url(re.compile(r"/README\.html$"))
    assert page.locator("article h1").first.inner_text().startswith("causal-lessons")
    page.screenshot(path=str(ARTIFACTS / "home.png"))

    # the table of contents leads to lesson 01, with its full title
    link = page.locator("nav.bd-docs-nav a", has_text="Lesson 01 —")
    title = link.inner_text().strip()
    link.click()
    page.wait_for_url(re.compile(rf"/student/{LESSON.stem}\.html$"))
    assert page.locator("article h1").first.inner_text().strip().startswith(title)

    # its figures load and say what they show; its math is typeset by the site's own MathJax
    figures = page.locator(".cell_output img")
    assert figures.count() >= 3
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
        assert len(figure.get_attribute("alt")) > 20
    page.wait_for_selector("mjx-container", state="attached")

    # the launch buttons open the student copy, with the addresses tools/links.py builds
    expected = launch_links(LESSON.name, "causal-lessons/causal-lessons", None, site_hub, download_prefix="../")
    bar = page.locator("nav.cl-launch")
    assert bar.locator("a[data-launch=binder]").get_attribute("href") == expected["binder"]
    assert bar.locator("a[data-launch=nbgitpuller]").get_attribute("href") == expected["nbgitpuller"]
    download = bar.locator("a[data-launch=download]")
    assert page.evaluate("a => a.href", download.element_handle()) == \
        f"{site_url}/student/{LESSON.name}", "the download is the student copy the site serves"
    page.locator(".dropdown-launch-buttons button").click()
    binder_item = page.locator(".dropdown-launch-buttons a", has_text="Binder")
    binder_item.wait_for(state="visible")
    assert binder_item.get_attribute("href") == expected["binder"]
    page.keyboard.press("Escape")
    page.mouse.move(1150, 850)  # the theme also opens the menu on hover: move away to close it
    binder_item.wait_for(state="hidden")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "lesson01.png"))

    # the note where the widget stood, under the figure its update function drew
    note = page.locator(".cl-widget-note")
    note.scroll_into_view_if_needed()
    page.evaluate("el => window.scrollBy(0, el.getBoundingClientRect().top - 560)", note.element_handle())
    page.screenshot(path=str(ARTIFACTS / "lesson01-widget-note.png"))

    # the dark theme: figures keep their opaque white background
    page.emulate_media(color_scheme="dark")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "lesson01-dark.png"))
    page.emulate_media(color_scheme="light")

    # the search box finds a term in the lessons
    page.locator("button.search-button__button:visible, button[aria-label='Search']:visible").first.click()
    box = page.locator("input[name=q]:visible").first
    box.fill("collider")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?q=collider"))
    results = page.locator("#search-results li a")
    results.first.wait_for(state="attached", timeout=30_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("student/02_passive_but_interventional.html" in h for h in hrefs), hrefs
    page.screenshot(path=str(ARTIFACTS / "search.png"))
