"""What the course website adds to the committed notebooks and pages (a Sphinx extension, loaded by ``conf.py``).

* **Navigation**: the README (the home page) gets the table of contents when Sphinx reads it: the lessons in course
  order, found by file name (``notebooks/NN_*.ipynb``, rendered from their student copies in ``student/``), then the
  pages of ``docs/`` that exist (the syllabus and the instructor guide first), then CONTRIBUTING.
* **Links**: the README and the guides link lessons as ``notebooks/NN_name.ipynb`` (right on GitHub); on the site
  they open the lesson's page.  A link to a file of the repository that is not a page of the site (code, the
  licence) opens it on GitHub.
* **Launch buttons**: every lesson page gets "Run this lesson" under its title and in the header's rocket menu:
  Binder and, with ``course_hub_url`` set, a JupyterHub (nbgitpuller), both opening the student copy, and a
  download of the student copy, which the site serves beside the page.  Every address comes from
  ``tools/links.py`` (:func:`launch_links`), the one builder of the course's links.
* **Alt text**: each figure's ``<img alt>`` is the description that ``causal_lessons.plotting`` saved with it (the
  ``alt`` of the ``image/png`` output's metadata); a lesson figure without one fails the build.
* **Widgets**: a static page cannot run Python, so where a widget's output stood the page says so and how to run
  the lesson, instead of an empty gap (the figure above it, drawn by the same update function, stays).
* **Offline**: MathJax is served from ``site/node_modules`` (``npm ci --prefix site``), not from a CDN; an image
  from another server fails the build.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from links import launch_links  # noqa: E402  (tools/ is not a package)

logger = logging.getLogger(__name__)

#: The lessons: the instructor notebooks name them, the site shows their student copies.
LESSONS, STUDENT = "notebooks", "student"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
#: Pages of docs/ in the order the navigation lists them, by group; any other page of docs/ is listed under
#: "Reference", by name.
GROUPS = {"Teaching": ("syllabus", "teaching"), "Reference": ("glossary", "claims", "reproduction")}
MATHJAX = Path(__file__).resolve().parent / "node_modules" / "mathjax" / "es5"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Images from other servers the site serves itself instead.
LOCAL_IMAGES = {"https://mybinder.org/badge_logo.svg": "/site/_static/binder-badge.svg"}


def lesson_names(root: Path = ROOT) -> list[str]:
    """The lessons' file names in course order (``00_start_here.ipynb``, ...), from ``notebooks/``."""
    return sorted(p.name for p in (root / LESSONS).glob(LESSON_GLOB))


def is_lesson(docname: str) -> bool:
    """Whether a page of the site is a lesson (``student/NN_name``)."""
    return re.fullmatch(rf"{STUDENT}/\d\d_[\w-]+", docname) is not None


# -- navigation ----------------------------------------------------------------------------------------------------

def _toctree(caption: str, entries: list[str]) -> str:
    return f"\n\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n" + "".join(f"{e}\n" for e in entries) + "```\n"


def site_contents(root: Path = ROOT) -> dict[str, list[str]]:
    """The site's navigation: ``{caption: [docname, ...]}``, lessons first, with only the pages that exist."""
    lessons = []
    for name in lesson_names(root):
        if not (root / STUDENT / name).exists():
            logger.warning(f"lesson {name} has no student copy in {STUDENT}/: run `make student`",
                           type="course", subtype="lessons")
            continue
        lessons.append(f"{STUDENT}/{Path(name).stem}")
    docs = sorted(p.stem for p in (root / "docs").glob("*.md"))
    contents = {"Lessons": lessons}
    for caption, order in GROUPS.items():
        contents[caption] = [f"docs/{name}" for name in order if name in docs]
    listed = {name for order in GROUPS.values() for name in order}
    contents["Reference"] += [f"docs/{name}" for name in docs if name not in listed]
    contents["Contributing"] = ["CONTRIBUTING"] if (root / "CONTRIBUTING.md").exists() else []
    return {caption: entries for caption, entries in contents.items() if entries}


def _add_contents(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname == app.config.root_doc:
        source[0] += "".join(_toctree(caption, entries) for caption, entries in site_contents().items())


# -- links -----------------------------------------------------------------------------------------------------------

class SiteLinks(SphinxTransform):
    """Links to lessons open their pages; links to other files of the repository open them on GitHub;
    images from other servers are replaced by the site's own copy (or fail the build)."""

    default_priority = 400

    def _github(self, path: str) -> str:
        kind = "tree" if (ROOT / path).is_dir() else "blob"
        return f"https://github.com/{self.config.course_repository}/{kind}/{self.config.course_branch or 'main'}/{path}"

    def _site_doc(self, path: str) -> str | None:
        """The page of the site that shows the repository file ``path``, if any."""
        lesson = re.fullmatch(rf"(?:{LESSONS}|{STUDENT})/(\d\d_[\w-]+)\.ipynb", path)
        if lesson and f"{STUDENT}/{lesson.group(1)}" in self.env.found_docs:
            return f"{STUDENT}/{lesson.group(1)}"
        stem = posixpath.splitext(path)[0]
        return stem if stem in self.env.found_docs else None

    def apply(self, **kwargs) -> None:
        for node in list(self.document.findall(addnodes.pending_xref)) + \
                list(self.document.findall(addnodes.download_reference)):
            if node.get("reftype") != "myst":
                continue
            if isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "doc":
                if node["reftarget"] in self.env.found_docs:
                    continue
                stem = node["reftarget"]
                path = next((stem + s for s in (".ipynb", ".md") if (Path(self.env.srcdir) / (stem + s)).exists()),
                            stem + ".md")
                fragment = node.get("reftargetid")
            elif isinstance(node, addnodes.pending_xref) and node.get("refdomain"):
                continue
            else:
                target, _, fragment = node["reftarget"].partition("#")
                if not re.search(r"[./]", target):  # a label, not a file: myst resolves it
                    continue
                path = self.env.relfn2path(target, self.env.docname)[0]
            path = posixpath.normpath(path.replace("\\", "/"))
            docname = self._site_doc(path)
            if docname is not None:
                xref = addnodes.pending_xref("", *node.children, refdomain="doc", reftype="myst", reftarget=docname,
                                             reftargetid=fragment or None, refdoc=self.env.docname,
                                             refexplicit=node.get("refexplicit", True), classes=["xref", "myst"])
                node.replace_self(xref)
            else:
                url = self._github(path) + (f"#{fragment}" if fragment else "")
                node.replace_self(nodes.reference("", "", *node.children, refuri=url, internal=False))
        for image in list(self.document.findall(nodes.image)):
            uri = image["uri"]
            if uri in LOCAL_IMAGES:
                image["uri"] = LOCAL_IMAGES[uri]
                image["candidates"] = {"*": LOCAL_IMAGES[uri].lstrip("/")}
            elif re.match(r"^[a-z]+://", uri):
                logger.warning(f"image {uri} comes from another server: the site must work offline, serve a copy "
                               f"(course_site.LOCAL_IMAGES)", location=image, type="course", subtype="offline")


# -- lesson pages: alt text, widget notes, launch buttons -------------------------------------------------------

def _figure_metadata(path: Path) -> dict[int, list[dict]]:
    """Per code cell (by index), the metadata of each output that shows a rich display (in order)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return {index: [out.get("metadata", {}) for out in cell.get("outputs", [])
                    if out.get("output_type") in ("display_data", "execute_result") and out.get("data")]
            for index, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"}


def _is(node, element: str) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == element


def _launch_links(config, docname: str) -> dict[str, str | None]:
    depth = docname.count("/")
    return launch_links(posixpath.basename(docname) + ".ipynb", config.course_repository,
                        config.course_branch or None, config.course_hub_url or None, download_prefix="../" * depth)


def launch_bar(links: dict[str, str | None]) -> str:
    """The HTML of a lesson page's "Run this lesson" bar (icons from ``course.css``)."""
    def button(kind: str, text: str, title: str, extra: str = "") -> str:
        return (f'<a class="cl-launch-button cl-launch-{kind}" data-launch="{kind}" href="{html.escape(links[kind])}"'
                f' title="{html.escape(title)}"{extra}><span class="cl-icon cl-icon-{kind}" aria-hidden="true"></span>'
                f'{text}</a>')

    buttons = [button("binder", "Binder", "Run the student copy on mybinder.org, nothing to install",
                      ' target="_blank" rel="noopener"')]
    if links.get("nbgitpuller"):
        buttons.append(button("nbgitpuller", "JupyterHub",
                              "Open the student copy on your course's JupyterHub", ' target="_blank" rel="noopener"'))
    download = (f'<a class="cl-launch-button cl-launch-download" data-launch="download" '
                f'href="{html.escape(links["download"])}" download title="Save the student copy to run it in your own '
                f'JupyterLab"><i class="fas fa-download" aria-hidden="true"></i>Download</a>')
    return ('<nav class="cl-launch" aria-label="Run this lesson"><span class="cl-launch-label">Run this lesson:</span>'
            + "".join(buttons) + download + '<span class="cl-launch-note">each opens the student copy: the '
            'exercises are yours to fill in</span></nav>')


def _widget_note(after_update_figure: bool) -> nodes.Element:
    text = ("A web page cannot run Python, so the widget that stands here works only when you run the lesson: use "
            "“Run this lesson” at the top of the page.")
    if after_update_figure:
        text += " The figure above is drawn by the widget's own update function, at one setting."
    return nodes.admonition("", nodes.title(text="Interactive widget"), nodes.paragraph(text=text),
                            classes=["cl-widget-note", "tip"])


class LessonPages(SphinxTransform):
    """On the pages made from notebooks: figures' alt text from their output metadata, a note where a widget
    stood, and on lesson pages the launch bar under the title."""

    default_priority = 410

    def apply(self, **kwargs) -> None:
        source = Path(self.env.doc2path(self.env.docname))
        if source.suffix != ".ipynb":
            return
        metadata = _figure_metadata(source)
        previous_cell = None
        for cell in list(self.document.findall(lambda n: _is(n, "cell_code"))):
            outputs = metadata.get(cell["cell_index"], [])
            bundles = list(cell.findall(lambda n: _is(n, "mime_bundle")))
            if len(bundles) != len(outputs):
                logger.warning(f"cell {cell['cell_index']}: {len(bundles)} outputs on the page, {len(outputs)} in the "
                               f"notebook", location=cell, type="course", subtype="outputs")
                outputs = [{}] * len(bundles)
            for bundle, output_metadata in zip(bundles, outputs):
                types = {child.get("mime_type"): child for child in bundle.children}
                if WIDGET_VIEW in types:
                    bundle.replace_self(_widget_note(self._drew_update_figure(previous_cell)))
                    continue
                for mime, child in types.items():
                    for image in child.findall(nodes.image):
                        alt = output_metadata.get(mime, {}).get("alt", "")
                        if alt.strip():
                            image["alt"] = alt
                        elif is_lesson(self.env.docname):
                            logger.warning(f"cell {cell['cell_index']}: a figure without alt text; re-execute the "
                                           f"lesson (tools/execute_notebooks.py), whose setup() describes every "
                                           f"figure, then `make student`", location=cell, type="course",
                                           subtype="alt")
            previous_cell = cell
        if is_lesson(self.env.docname):
            self._add_launch_bar()

    @staticmethod
    def _drew_update_figure(cell) -> bool:
        if cell is None:
            return False
        code = "".join(n.astext() for n in cell.findall(lambda n: _is(n, "cell_code_source")))
        return bool(re.search(r"\b\w+_update\(", code)) and any(True for _ in cell.findall(nodes.image))

    def _add_launch_bar(self) -> None:
        section = self.document.next_node(nodes.section)
        if section is None:
            logger.warning("a lesson without a title", location=self.document, type="course", subtype="lessons")
            return
        bar = nodes.raw("", launch_bar(_launch_links(self.config, self.env.docname)), format="html")
        section.insert(1, bar)


def _header_launch_menu(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The rocket menu in a lesson page's header: the same links as the bar under the title."""
    if not is_lesson(pagename) or "header_buttons" not in context:
        return
    links = _launch_links(app.config, pagename)
    buttons = [{"type": "link", "text": "Binder", "tooltip": "Run the student copy on Binder",
                "icon": "_static/images/logo_binder.svg", "url": links["binder"], "label": "launch-binder"}]
    if links.get("nbgitpuller"):
        buttons.append({"type": "link", "text": "JupyterHub", "tooltip": "Open the student copy on your JupyterHub",
                        "icon": "_static/images/logo_jupyterhub.svg", "url": links["nbgitpuller"],
                        "label": "launch-nbgitpuller"})
    buttons.append({"type": "link", "text": "Download .ipynb", "tooltip": "Download the student copy",
                    "icon": "fas fa-download", "url": links["download"], "label": "launch-download"})
    context["header_buttons"].insert(0, {"type": "group", "tooltip": "Run this lesson", "icon": "fas fa-rocket",
                                         "buttons": buttons, "label": "launch-buttons"})


# -- what the site serves besides its pages ----------------------------------------------------------------------

def _check_mathjax(app: Sphinx) -> None:
    if app.builder.format == "html" and not (MATHJAX / "tex-mml-chtml.js").exists():
        raise ExtensionError(f"MathJax is not installed in {MATHJAX.parent}: run `npm ci --prefix site` "
                             f"(`make site` does), so that the site shows math without a CDN.")


def _copy_files(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    shutil.copytree(MATHJAX, out / "_static" / "mathjax", dirs_exist_ok=True)
    (out / STUDENT).mkdir(exist_ok=True)
    for docname in app.env.found_docs:
        if is_lesson(docname):  # the download button's file: the student copy, served beside its page
            shutil.copy2(ROOT / f"{docname}.ipynb", out / f"{docname}.ipynb")
    root = app.builder.get_target_uri(app.config.root_doc)
    (out / "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(app.config.html_title)}'
        f'</title><meta http-equiv="refresh" content="0; url={root}"><link rel="canonical" href="{root}"></head>'
        f'<body><p><a href="{root}">{html.escape(app.config.html_title)}</a></p></body></html>\n', encoding="utf-8")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve _static/ and _images/ as they are


def setup(app: Sphinx) -> dict:
    app.add_config_value("course_repository", "causal-lessons/causal-lessons", "env", types=[str])
    app.add_config_value("course_branch", "", "env", types=[str])
    app.add_config_value("course_hub_url", "", "env", types=[str])
    app.connect("source-read", _add_contents)
    app.add_transform(SiteLinks)
    app.add_transform(LessonPages)
    app.connect("builder-inited", _check_mathjax)
    app.connect("html-page-context", _header_launch_menu, priority=502)
    app.connect("build-finished", _copy_files)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
