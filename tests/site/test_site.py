"""The course website (make site): it builds without a warning from the committed notebooks, every lesson is a page
in course order with its full title, every internal link and anchor resolves offline, nothing loads from another
server, every figure says what it shows and is opaque, every lesson page has launch buttons built by tools/links.py,
and a widget's place holds a note instead of an empty gap."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from check_site import broken_links, figure_problems, is_generic_alt, read_site, remote_resources
from links import launch_links

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "site"))
import course_site  # noqa: E402  (site/ is the website's configuration folder, not a package)

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
DEFAULT_REPOSITORY = "causal-lessons/causal-lessons"


@functools.lru_cache(maxsize=None)
def _soup(site: Path, page: str) -> BeautifulSoup:
    """A built page, parsed once per session (the tests only read it)."""
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def _title(notebook: Path) -> str:
    first = "".join(nbformat.read(notebook, as_version=4).cells[0].source)
    return re.search(r"^#\s+(.+)$", first, flags=re.M).group(1).strip()


def _outputs(notebook: Path, kind: str):
    """The (cell, output) pairs of a notebook whose output has ``kind`` (a MIME type)."""
    nb = nbformat.read(notebook, as_version=4)
    return [(cell, out) for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
            if kind in out.get("data", {})]


def test_the_site_builds_without_a_warning(site_build):
    assert site_build.returncode == 0 and "WARNING" not in site_build.output, site_build.output[-3000:]
    print(f"the website built in {site_build.seconds:.1f} s")


def test_the_home_page_is_the_readme(built_site):
    index = (built_site / "index.html").read_text()
    assert 'url=README.html' in index, "index.html sends the reader to the home page"
    home = _soup(built_site, "README.html")
    readme = (ROOT / "README.md").read_text()
    assert home.find("h1").get_text(strip=True).rstrip("#¶") == re.search(r"^# (.+)$", readme, flags=re.M).group(1)
    assert (built_site / ".nojekyll").exists(), "GitHub Pages must serve _static/ as it is"


def test_every_lesson_is_a_page_in_course_order_with_its_full_title(built_site):
    assert LESSONS, "no lessons found"
    navigation = _soup(built_site, "README.html").select("nav.bd-docs-nav a.reference.internal")
    links = [(a["href"], a.get_text(" ", strip=True)) for a in navigation]
    lessons = [(href, text) for href, text in links if href.startswith("student/")]
    assert [href for href, _ in lessons] == [f"student/{p.stem}.html" for p in LESSONS]
    for (href, text), notebook in zip(lessons, LESSONS):
        assert text == _title(notebook), f"{href}: the navigation shows {text!r}"
        page = _soup(built_site, href)
        assert page.find("h1").get_text(" ", strip=True).rstrip("#¶ ") == _title(notebook)


def test_the_guides_and_reference_pages_are_on_the_site(built_site):
    """Every page of docs/ (the syllabus, the instructor guide, and the glossary and claims audit once they exist)."""
    pages = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    assert {"syllabus", "teaching", "reproduction"} <= set(pages)
    navigation = [a["href"] for a in _soup(built_site, "README.html").select("nav.bd-docs-nav a.reference.internal")]
    for name in pages:
        assert (built_site / "docs" / f"{name}.html").exists(), f"docs/{name}.md has no page"
        assert f"docs/{name}.html" in navigation, f"docs/{name}.md is not in the navigation"
    assert navigation.index("docs/syllabus.html") < navigation.index("docs/teaching.html")


def test_every_internal_link_and_anchor_resolves(built_site):
    pages = read_site(built_site)
    assert len(pages) >= len(LESSONS) + 4
    assert broken_links(built_site, pages) == []


def test_nothing_loads_from_another_server_and_math_is_served_by_the_site(built_site):
    pages = read_site(built_site)
    assert remote_resources(pages) == []
    lesson = _soup(built_site, "student/07_error_accumulation_and_dagger.html")
    scripts = [s.get("src", "") for s in lesson.find_all("script")]
    mathjax = [src for src in scripts if "mathjax" in src.lower()]
    assert mathjax == ["../_static/mathjax/tex-mml-chtml.js"], scripts
    assert (built_site / "_static" / "mathjax" / "tex-mml-chtml.js").exists()
    assert (built_site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir(), \
        "MathJax's fonts are served too"
    assert lesson.select("span.math, div.math"), "lesson 07's formulas reach the page as math"


def test_readme_links_to_lessons_open_their_pages(built_site):
    hrefs = [a["href"] for a in _soup(built_site, "README.html").select("article a[href]")]
    for notebook in LESSONS:
        assert f"student/{notebook.stem}.html" in hrefs, f"the README's link to {notebook.name} opens its page"
    assert not [h for h in hrefs if "notebooks/" in h and not h.startswith("https://mybinder.org/")], \
        "no link opens an instructor notebook (with the solutions), except the README's Binder link for lecturers"


def test_every_figure_says_what_it_shows_and_is_opaque(built_site):
    """Alt text from the package's plotting code, as saved in the notebooks: the site shows the same words."""
    assert figure_problems(built_site) == []
    for notebook in LESSONS:
        student = ROOT / "student" / notebook.name
        saved = {}
        for _, out in _outputs(student, "image/png"):
            digest = hashlib.sha256(base64.b64decode(out["data"]["image/png"])).hexdigest()
            saved[digest] = out.get("metadata", {}).get("image/png", {}).get("alt", "")
        images = _soup(built_site, f"student/{notebook.stem}.html").select(".cell_output img")
        assert len(images) == len(_outputs(student, "image/png")), f"{notebook.name}: a figure is missing"
        for image in images:
            digest = hashlib.sha256((built_site / "student" / image["src"]).read_bytes()).hexdigest()
            assert image["alt"] == saved[digest], f"{notebook.name}: the site's alt text differs from the notebook's"
            assert not is_generic_alt(image["alt"], image["src"])
        for img in _soup(built_site, f"student/{notebook.stem}.html").find_all("img"):
            assert (img.get("alt") or "").strip(), f"{notebook.name}: an <img> without alt text: {img}"


def _launch_hrefs(element) -> dict[str, str]:
    return {a["data-launch"]: a["href"] for a in element.select("a[data-launch]")}


@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem[:2] for p in LESSONS])
def test_every_lesson_page_has_launch_buttons_that_open_the_student_copy(built_site, site_hub, notebook):
    page = _soup(built_site, f"student/{notebook.stem}.html")
    expected = launch_links(notebook.name, DEFAULT_REPOSITORY, None, site_hub, download_prefix="../")
    (bar,) = page.select("nav.cl-launch")
    assert _launch_hrefs(bar) == expected
    assert "student%2F" + notebook.name in expected["nbgitpuller"] and f"student/{notebook.name}" in expected["binder"]
    menu = {a.get_text(strip=True): a["href"] for a in page.select(".dropdown-launch-buttons a")}
    assert menu == {"Binder": expected["binder"], "JupyterHub": expected["nbgitpuller"],
                    "Download .ipynb": expected["download"]}
    download = (built_site / "student" / expected["download"]).resolve()
    assert download.read_bytes() == (ROOT / "student" / notebook.name).read_bytes(), "the download is the student copy"
    assert bar.find("a", attrs={"data-launch": "download"}).has_attr("download")


@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem[:2] for p in LESSONS])
def test_where_a_widget_stood_the_page_says_how_to_use_it(built_site, notebook):
    student = ROOT / "student" / notebook.name
    widgets = _outputs(student, WIDGET_VIEW)
    html = (built_site / "student" / f"{notebook.stem}.html").read_text()
    notes = _soup(built_site, f"student/{notebook.stem}.html").select(".cl-widget-note")
    assert len(notes) == len(widgets), f"{notebook.name}: {len(widgets)} widgets, {len(notes)} notes"
    assert WIDGET_VIEW not in html, "no empty widget placeholder is left on the page"
    for cell, _ in widgets:
        assert "nbval-ignore-output" in cell.metadata.get("tags", [])
    for note in notes:
        text = note.get_text(" ", strip=True)
        assert text.startswith("Interactive widget") and "Run this lesson" in text


def test_the_widget_note_names_the_static_figure_only_when_the_cell_above_draws_it(built_site):
    """Lesson 01 shows the widget's figure (confounding_update) above it; lesson 00's widget has no figure."""
    (note,) = _soup(built_site, "student/01_ladder_of_causation.html").select(".cl-widget-note")
    assert "The figure above is drawn by the widget" in note.get_text()
    (note,) = _soup(built_site, "student/00_start_here.html").select(".cl-widget-note")
    assert "figure above" not in note.get_text()


# -- the site's configuration, without a build ----------------------------------------------------------------------

def _lesson(folder: Path, name: str, title: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}")])
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


def test_lessons_and_pages_are_found_by_name(tmp_path):
    """A new lesson (say 11) or a new page of docs/ joins the site without a change to its configuration."""
    for name in ("00_start_here.ipynb", "11_soft_learners_and_logical_tools.ipynb", "12_causality_and_dynamics.ipynb"):
        _lesson(tmp_path / "notebooks", name, "Lesson")
        _lesson(tmp_path / "student", name, "Lesson")
    (tmp_path / "docs").mkdir()
    for name in ("teaching", "claims", "syllabus", "reproduction", "faq"):
        (tmp_path / "docs" / f"{name}.md").write_text(f"# {name}\n")
    (tmp_path / "CONTRIBUTING.md").write_text("# Contributing\n")
    assert course_site.site_contents(tmp_path) == {
        "Lessons": ["student/00_start_here", "student/11_soft_learners_and_logical_tools",
                    "student/12_causality_and_dynamics"],
        "Teaching": ["docs/syllabus", "docs/teaching"],
        "Reference": ["docs/claims", "docs/reproduction", "docs/faq"],
        "Contributing": ["CONTRIBUTING"],
    }
    (tmp_path / "docs" / "glossary.md").write_text("# Glossary\n")
    assert course_site.site_contents(tmp_path)["Reference"][0] == "docs/glossary"
    assert course_site.lesson_names(tmp_path)[1] == "11_soft_learners_and_logical_tools.ipynb"


def test_without_a_hub_address_there_is_no_hub_button(site_hub):
    links = launch_links("03_experiment_then_exploit.ipynb", DEFAULT_REPOSITORY, download_prefix="../")
    bar = BeautifulSoup(course_site.launch_bar(links), "html.parser")
    assert _launch_hrefs(bar) == {"binder": links["binder"], "download": links["download"]}
    with_hub = launch_links("03_experiment_then_exploit.ipynb", DEFAULT_REPOSITORY, hub=site_hub, download_prefix="../")
    assert _launch_hrefs(BeautifulSoup(course_site.launch_bar(with_hub), "html.parser")) == with_hub


def test_a_lesson_page_is_recognized_by_its_name():
    assert course_site.is_lesson("student/03_experiment_then_exploit")
    assert not course_site.is_lesson("docs/teaching") and not course_site.is_lesson("README")


def test_the_site_serves_mathjax_pinned_by_the_lock():
    package = json.loads((ROOT / "site" / "package.json").read_text())
    lock = json.loads((ROOT / "site" / "package-lock.json").read_text())
    assert package["dependencies"] == {"mathjax": lock["packages"]["node_modules/mathjax"]["version"]}
    assert lock["packages"]["node_modules/mathjax"]["integrity"].startswith("sha512-"), "npm ci checks the download"
