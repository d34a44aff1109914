"""Check the built course website offline: links, anchors, other servers, and the figures' alt text and background.

    python tools/check_site.py build/site          # after `make site`; exits 1 and lists what is wrong

* **Links and anchors**: every ``href`` and ``src`` of every page that stays on the site names a file that exists,
  and a ``#fragment`` names an ``id`` on the target page.  Links to other servers are not followed (CI is offline).
* **Offline**: no page loads a script, style sheet, image or frame from another server (links may point there).
* **Figures** (on the lesson pages, ``student/``): every ``<img>`` says what it shows in its ``alt`` (not empty, not
  a file name or a word like "png"), and every figure PNG is opaque, so that it stays readable in dark mode.
"""

from __future__ import annotations

import argparse
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Alt texts that say nothing about a figure.
GENERIC_ALT = {"", "png", "image", "img", "figure", "fig", "plot", "chart", "graph", "picture", "output", "logo",
               "image/png", "<figure>"}
#: Attributes that load something into the page (as opposed to <a href>, which only links).
_LOADS = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
          ("audio", "src"), ("embed", "src"), ("object", "data")}
_LOADING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest"}


@dataclass
class Page:
    """What :func:`read_page` found on one HTML page."""

    ids: set[str] = field(default_factory=set)
    #: ``(tag, attribute, value, loads)``: every address on the page; ``loads`` if the browser fetches it at once.
    addresses: list[tuple[str, str, str, bool]] = field(default_factory=list)
    #: ``(src, alt or None, inside a notebook cell's output)`` of every ``<img>``.
    images: list[tuple[str, str | None, bool]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open = []  # (tag, is a cell output) of the open elements

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        in_output = any(output for _, output in self._open) or "cell_output" in classes
        if tag not in ("img", "br", "meta", "link", "input", "hr", "source", "col", "area", "base", "wbr", "embed"):
            self._open.append((tag, in_output))
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.page.ids.add(attrs[key])
        for attribute in ("href", "src", "data"):
            value = attrs.get(attribute)
            if value is None:
                continue
            loads = (tag, attribute) in _LOADS or (
                tag == "link" and bool(_LOADING_LINKS & set((attrs.get("rel") or "").lower().split())))
            self.page.addresses.append((tag, attribute, value, loads))
        if tag == "img":
            self.page.images.append((attrs.get("src") or "", attrs.get("alt"), in_output))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break


def read_page(text: str) -> Page:
    """The ids, addresses and images of an HTML page.

    >>> page = read_page('<h2 id="a">A</h2><a href="b.html#c">b</a><div class="cell_output"><img src="x.png" alt="x"></div>')
    >>> sorted(page.ids), page.addresses[0], page.images
    (['a'], ('a', 'href', 'b.html#c', False), [('x.png', 'x', True)])
    """
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.page


def _is_remote(address: str) -> bool:
    return bool(re.match(r"^([a-z][a-z0-9+.-]*:|//)", address, flags=re.I))


def read_site(site: Path) -> dict[str, Page]:
    """Every HTML page of the built site, by its path relative to ``site`` (``student/03_x.html``); the theme's
    own files (``_static/``) are not pages."""
    site = Path(site)
    if not (site / "index.html").exists():
        raise FileNotFoundError(f"site must be a built course website (with index.html), such as build/site; "
                                f"{str(site)!r} has none: run `make site`.")
    return {p.relative_to(site).as_posix(): read_page(p.read_text(encoding="utf-8", errors="replace"))
            for p in sorted(site.rglob("*.html")) if not p.relative_to(site).parts[0].startswith("_")}


def broken_links(site: Path, pages: dict[str, Page] | None = None) -> list[str]:
    """Every internal link or anchor that leads nowhere, as ``"page: address (why)"``."""
    site = Path(site)
    pages = read_site(site) if pages is None else pages
    problems = []
    for name, page in pages.items():
        for tag, attribute, address, _ in page.addresses:
            if not address or _is_remote(address):
                continue
            parts = urlsplit(address)
            path, fragment = unquote(parts.path), unquote(parts.fragment)
            if path:
                target = (site / name).parent / path
                if target.is_dir():
                    target = target / "index.html"
                try:
                    relative = target.resolve().relative_to(site.resolve()).as_posix()
                except ValueError:
                    problems.append(f"{name}: {address} (outside the site)")
                    continue
                if not target.is_file():
                    problems.append(f"{name}: {address} (no such file)")
                    continue
            else:
                relative = name
            if fragment and relative.endswith(".html") and fragment not in pages[relative].ids:
                problems.append(f"{name}: {address} (no id {fragment!r} on {relative})")
    return problems


def remote_resources(pages: dict[str, Page]) -> list[str]:
    """Everything a page would load from another server (scripts, style sheets, images, frames)."""
    return [f"{name}: <{tag} {attribute}={address}>" for name, page in pages.items()
            for tag, attribute, address, loads in page.addresses if loads and _is_remote(address)]


def is_generic_alt(alt: str | None, src: str = "") -> bool:
    """Whether an alt text says nothing about the image: missing, empty, a generic word, the file's name, or too
    short to say anything (under 10 characters; "Binder logo" is the shortest the site has).

    >>> is_generic_alt("png"), is_generic_alt("", "a.png"), is_generic_alt("../_images/3f2a9c.png", "../_images/3f2a9c.png")
    (True, True, True)
    >>> is_generic_alt("Bias of seeing against confounding strength: line chart; series: seeing, doing")
    False
    """
    if alt is None:
        return True
    text = alt.strip().lower()
    name = Path(urlsplit(src).path).name.lower()
    return text in GENERIC_ALT or bool(name) and (text.endswith(name) or text == Path(name).stem) \
        or re.fullmatch(r"[0-9a-f]{16,}(\.\w+)?", text) is not None or len(text) < 10


def is_opaque_png(data: bytes) -> bool:
    """Whether a PNG has no transparent or translucent pixel."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            return True
        return image.convert("RGBA").getextrema()[3][0] == 255


def figure_problems(site: Path, pages: dict[str, Page] | None = None, folder: str = "student/") -> list[str]:
    """On the lesson pages (under ``folder``): images without a telling alt text, and figure PNGs that are not
    opaque."""
    site = Path(site)
    pages = read_site(site) if pages is None else pages
    problems = []
    for name, page in pages.items():
        if not name.startswith(folder):
            continue
        for src, alt, in_output in page.images:
            if is_generic_alt(alt, src):
                problems.append(f"{name}: <img src={src}> has alt {alt!r}: say what the figure shows")
            target = (site / name).parent / unquote(urlsplit(src).path)
            if in_output and target.suffix.lower() == ".png" and target.is_file() \
                    and not is_opaque_png(target.read_bytes()):
                problems.append(f"{name}: {src} has a transparent background (unreadable in dark mode)")
    return problems


def check(site: Path) -> list[str]:
    """Everything :mod:`check_site` checks, as a list of problems (empty when the site is fine)."""
    pages = read_site(site)
    return broken_links(site, pages) + remote_resources(pages) + figure_problems(site, pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, nargs="?", default=Path("build/site"), help="the built site (build/site)")
    args = parser.parse_args(argv)
    try:
        pages = read_site(args.site)
    except FileNotFoundError as exc:
        parser.error(str(exc))
    problems = broken_links(args.site, pages) + remote_resources(pages) + figure_problems(args.site, pages)
    for problem in problems:
        print(problem)
    print(f"{args.site}: {len(pages)} pages, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
