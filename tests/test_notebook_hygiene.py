"""Every committed lesson is clean, executed, follows the course skeleton, and has self-checking exercises.

nbval (run on notebooks/) re-executes the lessons and compares their outputs;
this file checks what nbval does not: the committed file itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from notebook_io import KERNELSPEC, lesson_paths

LESSONS = lesson_paths()
SKELETON = ["## Goals", "## Check yourself", "## Summary", "## Going further"]
MAX_FUNCTION_LINES = 15


def _ids(paths):
    return [p.name for p in paths]


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _solution_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and "### BEGIN SOLUTION" in c.source]


def test_there_are_lessons():
    assert LESSONS, "notebooks/ holds no lessons"
    assert LESSONS[0].name == "00_start_here.ipynb"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_valid_small_and_clean_metadata(path):
    nb = _read(path)
    nbformat.validate(nb)
    assert path.stat().st_size < 2_000_000, "keep notebooks under 2 MB: fewer or smaller figures"
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNELSPEC["name"]
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, f"stray notebook metadata: {sorted(nb.metadata)}"
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags", "nbgrader"}, f"stray cell metadata {sorted(cell.metadata)}"
        assert "raises-exception" not in cell.metadata.get("tags", []), \
            "Run All stops at the first exception: catch errors and print them instead"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_executed_in_order_without_errors_or_stderr(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a lesson has code"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "execute the whole notebook from a fresh kernel (make execute)"
    for i, cell in enumerate(code):
        for out in cell.outputs:
            assert out.output_type != "error", f"code cell {i} has an error output"
            if out.output_type == "stream":
                assert out.name != "stderr", f"code cell {i} writes to stderr: {out.text[:200]!r}"
                assert not re.search(r"/(root|tmp|home|work)/", out.text), f"code cell {i} prints a machine path"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_first_cell_states_run_time(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown"
    assert re.search(r"[Rr]un time[^\n]*?\d+\s*(s\b|seconds|min)", first.source), \
        "the first cell states the expected run time, e.g. 'Run time: about 20 s on one core'"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_follows_the_lesson_skeleton(path):
    markdown = "\n".join(c.source for c in _read(path).cells if c.cell_type == "markdown")
    positions = []
    for heading in SKELETON:
        match = re.search(rf"^{re.escape(heading)}\b", markdown, flags=re.M)
        assert match, f"missing section {heading!r}"
        positions.append(match.start())
    assert positions == sorted(positions), f"sections must come in the order {SKELETON}"
    goals = markdown[positions[0]:].split("\n## ", 2)[0]
    bullets = [line for line in goals.splitlines() if re.match(r"^\s*[-*] ", line)]
    assert len(bullets) == 3, f"Goals has 3 bullets, found {len(bullets)}"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_exercises_check_themselves(path):
    nb = _read(path)
    cells = _solution_cells(nb)
    minimum = 1 if path.name.startswith("00_") else 3
    assert len(cells) >= minimum, f"at least {minimum} exercises with ### BEGIN/END SOLUTION"
    for cell in cells:
        src = cell.source
        assert src.count("### BEGIN SOLUTION") == src.count("### END SOLUTION") == 1, \
            "one solution region per exercise cell"
        after = src.split("### END SOLUTION", 1)[1]
        assert re.search(r"\bcheck_\w+\(", after), "a checker call follows the solution in the same cell"
        shown = "".join(
            out.get("text", "") if out.output_type == "stream" else out.get("data", {}).get("text/plain", "")
            for out in cell.outputs
        )
        assert shown.strip().startswith("Correct"), f"the reference solution must pass its checker: {shown[:200]!r}"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_notebooks_stay_thin(path):
    """House style: a function longer than about 15 lines belongs in causal_lessons, with a test."""
    for cell in _read(path).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                length = node.end_lineno - node.lineno + 1
                assert length <= MAX_FUNCTION_LINES, \
                    f"{node.name} is {length} lines long: move it into causal_lessons with a unit test"
