"""tools/check_site.py on a small hand-made site: it finds broken links and anchors, what loads from another
server, images without a telling alt text and transparent figures, and says so on the command line."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from check_site import (broken_links, check, figure_problems, is_generic_alt, is_opaque_png, main, read_page,
                        read_site, remote_resources)


def _png(alpha: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (255, 255, 255, alpha)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def site(tmp_path):
    (tmp_path / "student").mkdir()
    (tmp_path / "_images").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "_images" / "opaque.png").write_bytes(_png(255))
    (tmp_path / "_images" / "clear.png").write_bytes(_png(0))
    (tmp_path / "_static" / "theme.html").write_text('<a href="{{ pathto(x) }}">a template, not a page</a>')
    (tmp_path / "index.html").write_text('<meta http-equiv="refresh" content="0; url=README.html">'
                                         '<a href="README.html">home</a>')
    (tmp_path / "README.html").write_text(
        '<h1 id="top">Course</h1><a href="student/01.html#goals">lesson</a><a href="https://example.org/x">out</a>'
        '<a href="#top">up</a><a href="#nowhere">broken anchor</a><a href="missing.html">broken link</a>'
        '<script src="https://cdn.example.org/mathjax.js"></script><link rel="stylesheet" href="_static/a.css">')
    (tmp_path / "student" / "01.html").write_text(
        '<h2 id="goals">Goals</h2><div class="cell_output"><img src="../_images/opaque.png" alt="A line chart of '
        'cost against the horizon"><img src="../_images/clear.png" alt="png"></div>'
        '<a href="../README.html#top">home</a>')
    return tmp_path


def test_broken_links_and_anchors_are_found(site):
    assert sorted(read_site(site)) == ["README.html", "index.html", "student/01.html"]
    assert sorted(broken_links(site)) == ["README.html: #nowhere (no id 'nowhere' on README.html)",
                                          "README.html: _static/a.css (no such file)",
                                          "README.html: missing.html (no such file)"]


def test_what_loads_from_another_server_is_found_and_links_to_it_are_not(site):
    assert remote_resources(read_site(site)) == ["README.html: <script src=https://cdn.example.org/mathjax.js>"]


def test_figures_need_a_telling_alt_text_and_an_opaque_background(site):
    assert figure_problems(site) == [
        "student/01.html: <img src=../_images/clear.png> has alt 'png': say what the figure shows",
        "student/01.html: ../_images/clear.png has a transparent background (unreadable in dark mode)"]
    assert is_opaque_png(_png(255)) and not is_opaque_png(_png(128))


@pytest.mark.parametrize("alt, src, generic", [
    (None, "a.png", True), ("", "a.png", True), ("Figure", "a.png", True), ("a.png", "../_images/a.png", True),
    ("3f2a9c0d1e2b3a4c", "x.png", True), ("Binder logo", "logo_binder.svg", False),
    ("2 panels. Left: observed world: causal graph on X, Y, Z", "x.png", False),
])
def test_generic_alt_texts(alt, src, generic):
    assert is_generic_alt(alt, src) is generic


def test_a_page_records_ids_addresses_and_images():
    page = read_page('<a name="old"></a><section id="s"><img src="i.png"></section><p><img src="j.png" alt="x"/></p>')
    assert page.ids == {"old", "s"}
    assert page.images == [("i.png", None, False), ("j.png", "x", False)]
    assert ("img", "src", "i.png", True) in page.addresses


def test_the_command_line_lists_the_problems_and_fails(site, tmp_path, capsys):
    assert len(check(site)) == 6
    assert main([str(site)]) == 1
    out = capsys.readouterr().out
    assert "3 pages, 6 problem(s)" in out and "missing.html (no such file)" in out
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nothing")])
    assert "run `make site`" in capsys.readouterr().err
