"""tools/links.py: the Binder and nbgitpuller links a lecturer hands to a class."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from links import DEFAULT_PATH, binder_url, main, nbgitpuller_url, parse_repository

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text", ["ada/course", " ada/course ", "https://github.com/ada/course",
                                  "https://github.com/ada/course.git", "github.com/ada/course/"])
def test_repository_forms(text):
    assert parse_repository(text) == ("ada", "course")


def test_binder_link():
    assert binder_url("ada/causal.lessons", "student") == \
        "https://mybinder.org/v2/gh/ada/causal.lessons/student?urlpath=lab/tree/notebooks/00_start_here.ipynb"
    assert binder_url("ada/c", "feature/x", "notebooks/my lesson.ipynb") == \
        "https://mybinder.org/v2/gh/ada/c/feature%2Fx?urlpath=lab/tree/notebooks/my%20lesson.ipynb"


def test_binder_link_matches_the_readme_badge():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\(https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/(\w+)\?urlpath=lab/tree/([^)\s]+)\)", readme)
    assert badge, "the README has a Binder badge"
    assert binder_url(badge.group(1), badge.group(2), badge.group(3)) == badge.group(0)[1:-1]
    assert (ROOT / badge.group(3)).exists(), "the README's Binder link opens a notebook that exists"


def test_nbgitpuller_link_decodes_to_what_nbgitpuller_expects():
    url = nbgitpuller_url("ada/course", "https://hub.example.edu/", branch="student",
                          path="notebooks/03_experiment_then_exploit.ipynb")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    query = parse_qs(parts.query, strict_parsing=True)
    assert query == {
        "repo": ["https://github.com/ada/course"],
        "urlpath": ["lab/tree/course/notebooks/03_experiment_then_exploit.ipynb"],  # nbgitpuller clones into course/
        "branch": ["student"],
    }


@pytest.mark.parametrize("hub", ["https://hub.example.edu", "https://hub.example.edu/", "https://hub.example.edu/hub",
                                 "https://hub.example.edu/hub/home"])
def test_hub_address_forms(hub):
    assert nbgitpuller_url("ada/course", hub).startswith("https://hub.example.edu/hub/user-redirect/git-pull?")


def test_hub_under_a_prefix_keeps_it():
    assert nbgitpuller_url("ada/course", "https://uni.edu/jupyter/").startswith(
        "https://uni.edu/jupyter/hub/user-redirect/git-pull?repo=")


@pytest.mark.parametrize("call, message", [
    (lambda: parse_repository("course"), r"repository must look like 'OWNER/NAME'.*got 'course'"),
    (lambda: parse_repository("a/b/c"), r"repository must look like 'OWNER/NAME'"),
    (lambda: parse_repository(42), r"repository must be a string like 'OWNER/NAME', got 42 \(int\)"),
    (lambda: binder_url("a/b", ""), r"branch must be a branch or tag name"),
    (lambda: binder_url("a/b", "my branch"), r"branch: 'my branch' is not a valid git branch name"),
    (lambda: binder_url("a/b", "main", "../secret.ipynb"), r"path must be relative.*no '\.\.'"),
    (lambda: binder_url("a/b", "main", "/notebooks/x.ipynb"), r"path must be relative"),
    (lambda: nbgitpuller_url("a/b", "hub.example.edu"), r"hub must be the JupyterHub's address.*got 'hub.example.edu'"),
    (lambda: nbgitpuller_url("a/b", "https://hub.example.edu/?x=1"), r"no '\?\.\.\.'"),
    (lambda: nbgitpuller_url("a/b", None), r"hub must be the JupyterHub's address as a string"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_command_line(capsys):
    assert main(["ada/course", "--hub", "https://hub.example.edu"]) == 0
    out = capsys.readouterr().out
    assert binder_url("ada/course") in out
    assert nbgitpuller_url("ada/course", "https://hub.example.edu") in out
    assert main(["ada/course"]) == 0
    assert "pass --hub" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["not a repository"])
    assert "repository must look like 'OWNER/NAME'" in capsys.readouterr().err


def test_default_path_is_a_lesson():
    assert (ROOT / DEFAULT_PATH).exists()
