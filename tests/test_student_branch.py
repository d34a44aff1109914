"""tools/student_branch.py: the student-only branch for graded classes.

In a temporary clone of this repository (the committed state, HEAD): the tool writes the branch, whose
tree holds the student copies and the package and no instructor notebook, no instructor guide and no
solution text; a second run with nothing new commits nothing; after a new commit on the source branch
a third run adds one commit whose parent is the previous tip.  The tool never imports nbgrader.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from student_branch import DEFAULT_BRANCH, KEPT, BranchError, main, write_branch
from student_copies import BEGIN, END, solution_regions, stub_source

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


@pytest.fixture
def clone(tmp_path, monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    repo = tmp_path / "course"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(repo)], check=True)
    return repo


def _secret_lines() -> set[str]:
    """The lines of the reference solutions that are long enough to be a giveaway."""
    lines = set()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        # a line the student copy shows anyway is no secret: other cells, and an exercise's lines outside its solution
        public = {line.strip() for i, c in enumerate(nb.cells)
                  for line in (stub_source(c.source) if i in solution_regions(nb) else c.source).splitlines()}
        lines |= {line.strip() for regions in solution_regions(nb).values() for region in regions for line in region
                  if len(line.strip()) >= 12 and not line.strip().startswith("#")} - public
    return lines


def _check_tree(repo: Path, branch: str) -> None:
    files = _git(repo, "ls-tree", "-r", "--name-only", branch).split("\n")
    files = [f for f in files if f]
    assert not [f for f in files if f.startswith(("notebooks/", "docs/", "tests/", "tools/", ".ci/"))], files
    assert "README.md" in files and "pyproject.toml" in files and "binder/postBuild" in files
    assert all(f.split("/")[0] in KEPT or f == "README.md" for f in files)
    lessons = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(f[len("student/"):] for f in files if f.startswith("student/")) == lessons
    assert any(f.startswith("causal_lessons/exercises/") for f in files)
    secrets = _secret_lines()
    assert secrets, "the lessons have solution lines to look for"
    for name in lessons:
        text = _git(repo, "show", f"{branch}:student/{name}")
        assert text == (ROOT / "student" / name).read_text(), f"student/{name} on the branch is the committed copy"
        sources = "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                            for c in json.loads(text)["cells"])
        assert BEGIN not in text and END not in text
        # a secret line anywhere in the file (outputs too), as a line or a phrase of its own ("varepsilon = 0.01" in
        # prose is not the line "epsilon = 0.01")
        leaked = [line for line in secrets if line in sources.split("\n")
                  or re.search(r"(?<![\w\\])" + re.escape(json.dumps(line)[1:-1]), text)]
        assert not leaked, f"student/{name} on the branch holds solution lines: {leaked[:3]}"
    readme = _git(repo, "show", f"{branch}:README.md")
    assert "student/00_start_here.ipynb" in readme and "notebooks/" not in readme


@pytest.mark.slow
def test_the_branch_holds_no_answers_and_the_tool_runs_again(clone, capsys):
    source_before = _git(clone, "rev-parse", "HEAD").strip()
    assert main(["--repo", str(clone)]) == 0
    assert f"{DEFAULT_BRANCH} is now" in capsys.readouterr().out
    first = _git(clone, "rev-parse", DEFAULT_BRANCH).strip()
    _check_tree(clone, DEFAULT_BRANCH)
    assert _git(clone, "rev-list", "--count", first).strip() == "1", "the first commit has no parent"
    assert _git(clone, "rev-parse", "HEAD").strip() == source_before
    assert _git(clone, "status", "--porcelain") == "", "the working tree and the index are not touched"

    # run again with nothing new: nothing is committed
    assert main(["--repo", str(clone)]) == 0
    assert "nothing to commit" in capsys.readouterr().out
    assert _git(clone, "rev-parse", DEFAULT_BRANCH).strip() == first

    # main moves on (a change in the package): one more commit, on top of the previous tip
    init = clone / "causal_lessons" / "__init__.py"
    init.write_text(init.read_text() + "\n# a change after the first student branch\n")
    _git(clone, "commit", "-qam", "a change")
    tip, moved = write_branch(clone)
    assert moved and _git(clone, "rev-parse", f"{tip}^").strip() == first
    assert "# a change after the first student branch" in _git(clone, "show", f"{tip}:causal_lessons/__init__.py")
    _check_tree(clone, DEFAULT_BRANCH)


def test_stale_student_copies_are_refused(clone):
    lesson = sorted((clone / "notebooks").glob("0*.ipynb"))[0]
    nb = nbformat.read(lesson, as_version=4)
    nb.cells[0].source += "\n\nA new sentence."
    nbformat.write(nb, lesson)
    _git(clone, "commit", "-qam", "edit a lesson, forget make student")
    with pytest.raises(BranchError, match=rf"not up to date .*{lesson.name}.*Run `make student`"):
        write_branch(clone, "week1")
    assert subprocess.run(["git", "-C", str(clone), "rev-parse", "-q", "--verify", "refs/heads/week1"],
                          capture_output=True).returncode != 0


def test_a_checked_out_branch_or_bad_name_is_refused(clone, capsys):
    current = _git(clone, "branch", "--show-current").strip()
    with pytest.raises(BranchError, match="is checked out in a worktree"):
        write_branch(clone, current)
    assert main(["--repo", str(clone), "--branch", "two words"]) == 1
    assert "check-ref-format" in capsys.readouterr().err


def test_it_needs_nothing_outside_the_course_environment():
    code = ("import sys; sys.path.insert(0, 'tools'); import student_branch; "
            "assert 'nbgrader' not in sys.modules, sorted(m for m in sys.modules if 'nbgrader' in m)")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
