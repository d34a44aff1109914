"""nbgrader and the lessons.

* ``nbgrader generate_assignment --no-metadata`` accepts the lessons exactly as committed and writes
  the same stubs as ``make student`` (with the ``nbgrader_config.py`` that student_copies.py writes).
* ``student_copies.py --nbgrader COURSE`` prepares the lessons for nbgrader's full pipeline (cell
  metadata, a locked test cell per exercise): ``generate_assignment`` accepts them, and
  ``autograde`` gives full marks to the reference solutions and none to an untouched copy.

Each test works in its own temporary course folder; the committed lessons are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from notebook_io import lesson_paths
from student_copies import (END, STUB, SolutionMarkerError, assignment_name, exercise_cells, main, nbgrader_config_text,
                            nbgrader_source, student_copy)

LESSONS = lesson_paths()


def _nbgrader(course: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    # nbgrader runs `alembic` for its database: the environment's bin/ must be on PATH, as when it is activated
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _sources(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def _is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _toy(after: str = "check(answer)"):
    return new_notebook(cells=[
        new_markdown_cell("# Toy\n\nRun time: about 1 s on one core."),
        new_code_cell("def check(a):\n    return a == 42"),
        new_code_cell(f"answer = ...\n### BEGIN SOLUTION\nanswer = 42\n{END}\n{after}"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


# ---------------------------------------------------------------- the preparation step, on a small notebook

def test_nbgrader_source_marks_the_answer_and_adds_a_locked_test():
    nb = _toy("x = 1\ncheck(answer)")
    prepared = nbgrader_source(nb, "toy")
    assert "nbgrader" not in nb.cells[2].metadata, "the lesson itself is not changed"
    answer, test = prepared.cells[2], prepared.cells[3]
    assert answer.metadata["nbgrader"] == {"grade": False, "grade_id": "exercise-1", "locked": False,
                                           "schema_version": 3, "solution": True, "task": False}
    assert test.metadata["nbgrader"]["grade_id"] == "exercise-1-check"
    assert test.metadata["nbgrader"]["locked"] and test.metadata["nbgrader"]["points"] == 1
    assert test.source.endswith("x = 1\n_grade = check(answer)\nassert _grade, _grade")
    assert [c.id for c in prepared.cells] == [f"cell-{i:03d}" for i in range(4)]
    nbformat.validate(prepared)


def test_an_exercise_without_a_final_checker_call_is_refused():
    with pytest.raises(SolutionMarkerError, match=r"toy, cell 2: the exercise cell must end with its checker call"):
        nbgrader_source(_toy("result = check(answer)"), "toy")


def test_config_sets_the_same_stub():
    namespace = {"get_config": lambda: _Config()}
    exec(nbgrader_config_text(), namespace)
    config = namespace["c"]
    assert config.ClearSolutions.code_stub == {"python": STUB}
    assert config.CourseDirectory.course_id == "causal-lessons"


class _Config:
    """Just enough of traitlets' Config to read nbgrader_config.py."""

    def __getattr__(self, name):
        value = _Config()
        object.__setattr__(self, name, value)
        return value


def test_assignment_names():
    assert assignment_name(Path("notebooks/03_experiment_then_exploit.ipynb")) == "lesson03"
    assert assignment_name(Path("extra lesson.ipynb")) == "extra_lesson"


def test_command_line_writes_a_course_and_keeps_an_existing_config(tmp_path, capsys):
    lesson = tmp_path / "99_toy.ipynb"
    nbformat.write(_toy(), lesson)
    course = tmp_path / "course"
    assert main(["--nbgrader", str(course), str(lesson)]) == 0
    assert (course / "source" / "lesson99" / "99_toy.ipynb").exists()
    assert (course / "nbgrader_config.py").read_text() == nbgrader_config_text()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    assert main(["--nbgrader", str(course), "--assignment", "week1", str(lesson)]) == 0
    assert (course / "source" / "week1" / "99_toy.ipynb").exists()
    assert (course / "nbgrader_config.py").read_text() == "c = get_config()\n"
    assert "c.ClearSolutions.code_stub" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--nbgrader", str(course), "--assignment", "week 1", str(lesson)])
    assert "--assignment must be letters" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "x"), "--assignment", "week1", str(lesson)])


# ---------------------------------------------------------------- nbgrader itself, on every lesson

def test_generate_assignment_accepts_the_lessons_as_committed_and_writes_the_same_stubs(tmp_path):
    course = tmp_path / "course"
    source = course / "source" / "lessons"
    source.mkdir(parents=True)
    for path in LESSONS:
        shutil.copy(path, source / path.name)
    (course / "nbgrader_config.py").write_text(nbgrader_config_text())
    _nbgrader(course, "generate_assignment", "lessons", "--no-db", "--no-metadata")
    for path in LESSONS:
        released = nbformat.read(course / "release" / "lessons" / path.name, as_version=4)
        ours = student_copy(nbformat.read(path, as_version=4), path.name)
        assert _sources(released) == _sources(ours), f"{path.name}: nbgrader's cells differ from make student's"
        for i in exercise_cells(nbformat.read(path, as_version=4)):
            assert STUB in released.cells[i].source


def test_the_prepared_course_passes_nbgraders_full_pipeline(tmp_path):
    course = tmp_path / "course"
    assert main(["--nbgrader", str(course), "--assignment", "lessons"]) == 0
    _nbgrader(course, "generate_assignment", "lessons")
    for path in LESSONS:
        released = nbformat.read(course / "release" / "lessons" / path.name, as_version=4)
        instructor = nbformat.read(path, as_version=4)
        tests = [c for c in released.cells if _is_test_cell(c)]
        assert len(tests) == len(exercise_cells(instructor))
        assert all(c.metadata["nbgrader"]["locked"] and c.metadata["nbgrader"]["points"] == 1 for c in tests)
        answers = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert len(answers) == len(tests)
        kept = nbformat.v4.new_notebook(cells=[c for c in released.cells if not _is_test_cell(c)])
        assert _sources(kept) == _sources(student_copy(instructor, path.name)), \
            f"{path.name}: apart from the test cells, the release is the student copy"


def _quickest_lesson() -> Path:
    def stated_seconds(path):
        first = nbformat.read(path, as_version=4).cells[0].source
        match = re.search(r"[Rr]un time[^\n]*?(\d+)\s*s\b", first)
        return int(match.group(1)) if match else 10**6
    return min(LESSONS, key=stated_seconds)


@pytest.mark.slow
def test_autograde_gives_full_marks_to_the_solutions_and_none_to_an_untouched_copy(tmp_path):
    from nbgrader.api import Gradebook

    lesson = _quickest_lesson()
    assignment = assignment_name(lesson)
    course = tmp_path / "course"
    assert main(["--nbgrader", str(course), str(lesson)]) == 0
    _nbgrader(course, "generate_assignment", assignment)
    for student, version in (("solver", "source"), ("idle", "release")):
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        shutil.copy(course / version / assignment / lesson.name, folder / lesson.name)
    _nbgrader(course, "autograde", assignment)
    exercises = len(exercise_cells(nbformat.read(lesson, as_version=4)))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        solver = gradebook.find_submission(assignment, "solver")
        idle = gradebook.find_submission(assignment, "idle")
        assert (solver.score, solver.max_score) == (exercises, exercises)
        assert idle.score == 0
