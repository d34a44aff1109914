"""tools/links.py: the Binder and nbgitpuller links a lecturer hands to a class.

Every link opens a student copy (student/) unless the instructor version is asked for; the README's
badge is such a link, with the instructor version beside it; binder/postBuild builds nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from links import (DEFAULT_PATH, binder_url, download_url, git_repository, launch_links, lesson_path, main,
                   nbgitpuller_path, nbgitpuller_url, parse_repository)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text", ["ada/course", " ada/course ", "https://github.com/ada/course",
                                  "https://github.com/ada/course.git", "github.com/ada/course/"])
def test_repository_forms(text):
    assert parse_repository(text) == ("ada", "course")


def test_binder_link():
    assert binder_url("ada/causal.lessons", "student") == \
        "https://mybinder.org/v2/gh/ada/causal.lessons/student?urlpath=lab/tree/student/00_start_here.ipynb"
    assert binder_url("ada/c", "feature/x", "notebooks/my lesson.ipynb") == \
        "https://mybinder.org/v2/gh/ada/c/feature%2Fx?urlpath=lab/tree/notebooks/my%20lesson.ipynb"


def _binder_links(text: str):
    return re.finditer(r"\((https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/(\w+)\?urlpath=lab/tree/([^)\s]+))\)", text)


def test_binder_link_matches_the_readme_badge():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\[!\[Binder\]\([^)]*\)\]" + r"\((https://mybinder[^)\s]+)\)", readme)
    assert badge, "the README has a Binder badge"
    assert badge.group(1) == launch_links("00_start_here.ipynb", "causal-lessons/causal-lessons")["binder"], \
        "the README's badge opens lesson 00's student copy"
    links = list(_binder_links(readme))
    for link in links:
        assert binder_url(link.group(2), link.group(3), link.group(4)) == link.group(1)
        assert (ROOT / link.group(4)).exists(), f"the README's Binder link opens {link.group(4)}, which does not exist"
    instructor = launch_links("00_start_here.ipynb", "causal-lessons/causal-lessons", instructor=True)["binder"]
    line = next((line for line in readme.splitlines() if instructor in line), "")
    assert "instructor version" in line.lower(), "beside the badge, a link to the instructor version, labelled so"


def test_lesson_paths_and_launch_links():
    assert lesson_path("03_x.ipynb") == "student/03_x.ipynb"
    assert lesson_path("03_x.ipynb", instructor=True) == "notebooks/03_x.ipynb"
    links = launch_links("03_x.ipynb", "ada/course", "week3", "https://hub.example.edu")
    assert links == {"binder": binder_url("ada/course", "week3", "student/03_x.ipynb"),
                     "nbgitpuller": nbgitpuller_url("ada/course", "https://hub.example.edu", "week3", "student/03_x.ipynb"),
                     "download": "https://raw.githubusercontent.com/ada/course/week3/student/03_x.ipynb"}
    assert launch_links("03_x.ipynb", "ada/course")["nbgitpuller"] is None
    assert "branch=main" in launch_links("03_x.ipynb", "ada/course", hub="https://hub.example.edu")["nbgitpuller"]
    assert download_url("ada/course", "feature/x", "student/my lesson.ipynb") == \
        "https://raw.githubusercontent.com/ada/course/feature/x/student/my%20lesson.ipynb"


@pytest.mark.parametrize("lesson", ["notebooks/03_x.ipynb", "03_x.py", "", None, "../03_x.ipynb"])
def test_a_lesson_is_named_by_its_file_name(lesson):
    with pytest.raises(ValueError, match=r"lesson_filename must be a lesson's file name"):
        lesson_path(lesson)


def test_every_lesson_has_a_student_copy_to_open():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert (ROOT / lesson_path(path.name)).exists(), f"{lesson_path(path.name)} is missing: run `make student`"


def test_binder_needs_no_build_step_for_students():
    """postBuild only installs the package: the student copies it opens are committed, not generated."""
    post_build = (ROOT / "binder" / "postBuild").read_text()
    commands = [line for line in post_build.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands == ["set -euo pipefail", "python -m pip install --no-deps -e ."], commands
    assert "nbgrader" not in (ROOT / "binder" / "environment.yml").read_text()


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
    assert binder_url("ada/course") in out and "student/00_start_here.ipynb (student copy)" in out
    assert nbgitpuller_url("ada/course", "https://hub.example.edu") in out
    assert download_url("ada/course") in out
    assert main(["ada/course"]) == 0
    assert "pass --hub" in capsys.readouterr().out
    assert main(["ada/course", "--instructor", "--lesson", "03_x.ipynb"]) == 0
    out = capsys.readouterr().out
    assert binder_url("ada/course", path="notebooks/03_x.ipynb") in out and "instructor version" in out
    assert main(["ada/course", "--path", "notebooks/03_x.ipynb"]) == 0
    assert "instructor version" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["ada/course", "--instructor", "--path", "notebooks/03_x.ipynb"])
    assert "--instructor goes with --lesson" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["not a repository"])
    assert "repository must look like 'OWNER/NAME'" in capsys.readouterr().err


def test_default_path_is_lesson_00s_student_copy():
    assert DEFAULT_PATH == "student/00_start_here.ipynb" and (ROOT / DEFAULT_PATH).exists()


# ---------------------------------------------------------------- any git address, for the hub link

@pytest.mark.parametrize("address, expected", [
    ("ada/course", ("https://github.com/ada/course", "course")),
    ("https://github.com/ada/course.git", ("https://github.com/ada/course", "course")),
    ("https://gitlab.example.edu/teaching/course.git", ("https://gitlab.example.edu/teaching/course.git", "course.git")),
    ("file:///srv/courses/causal-lessons/", ("file:///srv/courses/causal-lessons", "causal-lessons")),
    ("ssh://git@git.example.edu/teaching/course", ("ssh://git@git.example.edu/teaching/course", "course")),
])
def test_git_repository_gives_the_clone_address_and_nbgitpullers_folder(address, expected):
    assert git_repository(address) == expected


@pytest.mark.parametrize("address", ["https://gitlab.example.edu/course?x=1", "https:///course", "ftp://x/course",
                                     "file://", None])
def test_a_bad_git_address_is_refused_with_what_was_expected(address):
    with pytest.raises((ValueError, TypeError), match="repository must"):
        git_repository(address)


def test_the_hub_link_for_a_git_address_opens_the_folder_nbgitpuller_clones_into():
    link = nbgitpuller_url("file:///srv/causal-lessons", "http://127.0.0.1:8000", "main", "student/03_x.ipynb")
    query = parse_qs(urlsplit(link).query)
    assert query == {"repo": ["file:///srv/causal-lessons"], "urlpath": ["lab/tree/causal-lessons/student/03_x.ipynb"],
                     "branch": ["main"]}
    links = launch_links("03_x.ipynb", "file:///srv/causal-lessons", hub="http://127.0.0.1:8000")
    assert links["nbgitpuller"] == link and links["binder"] is None and links["download"] is None


def test_the_default_url_is_the_hub_link_inside_the_server():
    path = nbgitpuller_path("ada/course", "week3", "student/03_x.ipynb")
    assert path.startswith("/git-pull?")
    assert nbgitpuller_url("ada/course", "https://hub.example.edu/", "week3", "student/03_x.ipynb") == \
        "https://hub.example.edu/hub/user-redirect" + path


def test_command_line_with_a_git_address_prints_only_the_hub_link(capsys):
    assert main(["https://gitlab.example.edu/teaching/course.git", "--hub", "https://hub.example.edu"]) == 0
    out = capsys.readouterr().out
    assert "JupyterHub: https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgitlab" in out
    assert "mybinder" not in out and "only for a GitHub repository" in out


def test_a_website_serves_the_download_itself():
    """The course website serves each student copy beside its page: the download link is relative to the page."""
    links = launch_links("03_x.ipynb", "ada/course", download_prefix="../")
    assert links["download"] == "../student/03_x.ipynb"
    assert links["binder"] == launch_links("03_x.ipynb", "ada/course")["binder"], "only the download changes"
    assert launch_links("03_x.ipynb", "ada/course", download_prefix="https://uni.edu/course/")["download"] == \
        "https://uni.edu/course/student/03_x.ipynb"
    assert launch_links("03_x.ipynb", "ada/course", instructor=True, download_prefix="")["download"] == \
        "notebooks/03_x.ipynb"


@pytest.mark.parametrize("prefix", ["..", "javascript:alert(1)/", "..\\\\", 3])
def test_a_download_prefix_is_a_folder_address(prefix):
    with pytest.raises(ValueError, match=r"download_prefix must be the address of the folder.*ending in '/'"):
        launch_links("03_x.ipynb", "ada/course", download_prefix=prefix)
