"""A student-only copy of the course on a branch, for graded classes: no instructor notebooks, no guide answers.

    python tools/student_branch.py                          # branch student-only from HEAD
    python tools/student_branch.py --branch week3 --source main

It writes one commit on ``--branch`` (default ``student-only``) whose tree holds only what a student needs:
the committed student copies (``student/``), the ``causal_lessons`` package, the environment files
(``environment.yml``, ``requirements.txt``, ``pyproject.toml``, ``binder/``), the licence, and a short
README written for students.  There is no ``notebooks/`` (the instructor version, with the solutions), no
``docs/`` (the instructor guide, with the answers), no tests, tools or CI.

It uses git plumbing only (a temporary index, ``write-tree``, ``commit-tree``, ``update-ref``), so the
working tree, the index and the checked-out branch are never touched, and it runs again after ``main``
changes: the new commit's parent is the branch's previous tip (students' clones and nbgitpuller pull it
as an ordinary update), and nothing is committed when the tree is unchanged.  Before writing, it checks
that the source commit's ``student/`` copies are what ``tools/student_copies.py`` makes from its
``notebooks/`` (else: run ``make student`` and commit).  It needs only the course's own environment
(nbformat and IPython; not nbgrader).

Then ``git push origin student-only`` and build the links with
``python tools/links.py OWNER/NAME --branch student-only`` (docs/teaching.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_copies import SolutionMarkerError, student_copy  # noqa: E402

#: The files and folders of the source commit that the student-only branch keeps (everything else is left out).
KEPT = ("causal_lessons", "student", "binder", "environment.yml", "requirements.txt", "pyproject.toml", "LICENSE",
        ".gitignore")
DEFAULT_BRANCH = "student-only"

README = """\
# causal-lessons: student copy

An interactive JupyterLab course on causal reasoning in AI. This branch holds the lessons for students
(`student/`, one notebook per lesson, starting with `student/00_start_here.ipynb`) and the course's helper
package, `causal_lessons`. Each exercise's answer is left as `...`: replace it with yours and run the cell,
and the checker after it tells you whether it is right (an exercise you have not done yet says
"Not answered yet").

Your lecturer's Binder or JupyterHub link opens the lessons with nothing to install. To run them on your own
computer (Python 3.11 or 3.12):

```bash
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt
.venv/bin/pip install --no-deps -e .
.venv/bin/jupyter lab student/00_start_here.ipynb
```

Made from commit {source} of the course by `tools/student_branch.py`.
"""


class BranchError(RuntimeError):
    """The branch cannot be written (a git error, stale student copies, a checked-out branch)."""


def _git(repo: Path, *args: str, input: str | None = None, env: dict | None = None) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, text=True,
                            env=None if env is None else {**os.environ, **env})
    if result.returncode != 0:
        raise BranchError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def _blob(repo: Path, commit: str, path: str) -> str:
    return _git(repo, "show", f"{commit}:{path}")


def check_copies_in_sync(repo: Path, commit: str) -> list[str]:
    """The lessons of ``commit`` whose ``student/`` copy is missing or differs from what student_copies.py makes."""
    files = _git(repo, "ls-tree", "--name-only", commit, "notebooks/", "student/").split()
    lessons = sorted(f.split("/", 1)[1] for f in files if f.startswith("notebooks/") and f.endswith(".ipynb"))
    if not lessons:
        raise BranchError(f"{commit} has no notebooks/*.ipynb: is it a commit of the course?")
    stale = []
    for name in lessons:
        if f"student/{name}" not in files:
            stale.append(f"{name} (no student copy)")
            continue
        instructor = nbformat.reads(_blob(repo, commit, f"notebooks/{name}"), as_version=4)
        expected = json.loads(nbformat.writes(student_copy(instructor, f"notebooks/{name}")))
        if json.loads(_blob(repo, commit, f"student/{name}")) != expected:
            stale.append(name)
    extra = sorted(f for f in files if f.startswith("student/") and f"notebooks/{f.split('/', 1)[1]}" not in files)
    return stale + [f"{f} (no instructor lesson)" for f in extra]


def _checked_out(repo: Path, branch: str) -> bool:
    return f"branch refs/heads/{branch}\n" in _git(repo, "worktree", "list", "--porcelain") + "\n"


def build_tree(repo: Path, commit: str) -> str:
    """Write the student-only tree of ``commit`` into the object store; return its id."""
    entries = _git(repo, "ls-tree", "-r", "--full-tree", commit, "--", *KEPT)
    readme = _git(repo, "hash-object", "-w", "--stdin", input=README.format(source=commit[:12])).strip()
    entries += f"100644 blob {readme}\tREADME.md\n"
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git(repo, "read-tree", "--empty", env=env)
        _git(repo, "update-index", "--add", "--index-info", input=entries, env=env)
        return _git(repo, "write-tree", env=env).strip()


def write_branch(repo: Path, branch: str = DEFAULT_BRANCH, source: str = "HEAD") -> tuple[str, bool]:
    """Commit the student-only tree of ``source`` on ``branch``; return (the branch's tip, whether it moved)."""
    repo = Path(repo)
    _git(repo, "check-ref-format", "--branch", branch)
    commit = _git(repo, "rev-parse", "--verify", f"{source}^{{commit}}").strip()
    if _checked_out(repo, branch):
        raise BranchError(f"--branch {branch!r} is checked out in a worktree; switch that worktree to another "
                          f"branch first (this tool never touches a working tree).")
    stale = check_copies_in_sync(repo, commit)
    if stale:
        raise BranchError(f"the student copies in {source} are not up to date with its notebooks/: "
                          f"{', '.join(stale)}. Run `make student` and commit student/, then run this again.")
    tree = build_tree(repo, commit)
    ref = f"refs/heads/{branch}"
    previous = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", "-q", ref],
                              capture_output=True, text=True).stdout.strip()
    if previous and _git(repo, "rev-parse", f"{previous}^{{tree}}").strip() == tree:
        return previous, False
    message = (f"Student-only copy of {commit[:12]}\n\nWritten by tools/student_branch.py: student/ copies, the "
               f"package and the environment files; no instructor notebooks, no instructor guide.\n")
    parents = ["-p", previous] if previous else []
    new = _git(repo, "commit-tree", tree, *parents, "-m", message).strip()
    _git(repo, "update-ref", "-m", "student_branch.py", ref, new, previous or "0" * 40)
    return new, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--branch", default=DEFAULT_BRANCH, help=f"branch to write (default: {DEFAULT_BRANCH})")
    parser.add_argument("--source", default="HEAD", help="commit of the course to copy from (default: HEAD)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the course's git repository (default: this one)")
    args = parser.parse_args(argv)
    try:
        tip, moved = write_branch(args.repo, args.branch, args.source)
    except (BranchError, SolutionMarkerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if moved:
        print(f"{args.branch} is now {tip[:12]} (student copies of {args.source}); "
              f"next: git push origin {args.branch}")
    else:
        print(f"{args.branch} ({tip[:12]}) already holds the student copies of {args.source}; nothing to commit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
