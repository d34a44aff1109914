"""Sphinx configuration of the course website (``make site``; see CONTRIBUTING.md, "The course website").

The source folder is the repository's top folder and this folder holds the configuration::

    sphinx-build -n -W --keep-going -c site -d build/site-doctrees -b html . build/site

The site renders the committed, executed **student copies** (``student/``: every figure and result of the lesson,
no exercise's answer) without running them, with the README as its home page, the lessons in course order, and the
pages of ``docs/``. What the site adds to the notebooks (launch buttons, alt text, widget notes, links) is done by
``course_site.py`` in this folder. Three settings, each from an environment variable or ``-D name=value``:

* ``course_repository`` (``CAUSAL_LESSONS_REPOSITORY``, default ``causal-lessons/causal-lessons``): the GitHub
  repository that Binder, the JupyterHub and the "view on GitHub" links open; a fork sets its own.
* ``course_branch`` (``CAUSAL_LESSONS_BRANCH``, default: none, which means the repository's default branch
  on Binder and ``main`` on a JupyterHub, as in ``tools/links.py``).
* ``course_hub_url`` (``CAUSAL_LESSONS_HUB_URL``, default: none): your JupyterHub's address. With it every lesson
  page gets a JupyterHub (nbgitpuller) launch button; without it, only Binder and the download, because the course
  has no hub of its own and a button to a made-up address would fail for every student who clicks it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# -- the course's settings ------------------------------------------------------------------------------------
course_repository = os.environ.get("CAUSAL_LESSONS_REPOSITORY") or "causal-lessons/causal-lessons"
course_branch = os.environ.get("CAUSAL_LESSONS_BRANCH") or ""
course_hub_url = os.environ.get("CAUSAL_LESSONS_HUB_URL") or ""

# -- project ----------------------------------------------------------------------------------------------------
project = "causal-lessons"
author = "causal-lessons contributors"
copyright = "causal-lessons contributors (MIT licence)"
html_title = "Causal reasoning in AI"

extensions = ["myst_nb", "course_site"]  # myst_nb loads myst_parser for the Markdown pages

# The README is the home page, as on GitHub; course_site.py adds the table of contents to it when Sphinx reads it
# (lessons found by file name, so a new lesson appears without editing anything here).
root_doc = "README"
include_patterns = ["README.md", "CONTRIBUTING.md", "docs/*.md", "student/[0-9][0-9]_*.ipynb"]
# Folders Sphinx need not even walk (the source folder is the whole repository).
exclude_patterns = [".git", ".venv", "build", "site", "test-artifacts", "notebooks", "causal_lessons", "tests",
                    "tools", "binder", ".ci", ".github", "**/.ipynb_checkpoints", "**/node_modules",
                    ".pytest_cache", ".hypothesis"]

# -- notebooks: render what is saved, never run a kernel -------------------------------------------------------------
nb_execution_mode = "off"
nb_output_stderr = "show"               # the lessons print nothing on stderr (a hygiene test); show it if they ever do
nb_render_markdown_format = "myst"      # Markdown outputs (lesson 00's map of the lessons) get real cross-links
nb_ipywidgets_js = {}                   # no widget JavaScript from a CDN: widgets get a note instead (course_site.py)
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 4                # GitHub's #anchors in the README and docs/ work on the site too
suppress_warnings = ["myst.header"]     # notebooks start at "#" and skip levels in places, as notebooks do

# -- math: MathJax served by the site itself (npm package "mathjax", pinned in site/package-lock.json) --------------
mathjax_path = "mathjax/tex-mml-chtml.js"

# -- the theme ------------------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_copy_source = False                # no _sources/ copies: the lessons' notebooks are offered by the download button
html_show_sourcelink = False
html_theme_options = {
    "repository_url": f"https://github.com/{course_repository}",
    "repository_branch": course_branch or "main",
    "use_repository_button": True,
    "use_download_button": False,       # the launch menu (course_site.py) offers the student copy instead
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
