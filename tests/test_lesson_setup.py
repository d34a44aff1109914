"""lesson.setup, the lesson map, the environment report and lesson 00's widget and checker."""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest

from causal_lessons import lesson
from causal_lessons.exercises.lesson import check_first_exercise
from causal_lessons.widgets.lesson import self_check_update, self_check_widget


def test_setup_seeds_everything_and_returns_a_generator():
    rng = lesson.setup(seed=3)
    a = (random.random(), np.random.random(), rng.random())
    rng = lesson.setup(seed=3)
    assert (random.random(), np.random.random(), rng.random()) == a


def test_setup_with_torch_uses_one_thread():
    lesson.setup(seed=0, torch=True)
    import torch

    assert torch.get_num_threads() == 1
    x = torch.rand(2)
    lesson.setup(seed=0, torch=True)
    assert torch.equal(torch.rand(2), x)


def test_setup_rejects_a_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        lesson.setup(seed=-1)


def test_lesson_map_lists_present_lessons_with_run_times(tmp_path):
    text = lesson.lesson_map()
    assert "| 01 | [The ladder of causation" in text
    assert "about" in text and "on one core" in text
    (tmp_path / "01_ladder_of_causation.ipynb").write_text(
        '{"cells": [{"cell_type": "markdown", "source": "# Lesson 01 \\u2014 Ladder\\n**Run time:** about 7 s on one core."}]}')
    small = lesson.lesson_map(tmp_path)
    assert "| 01 | [Ladder](01_ladder_of_causation.ipynb)" in small and "about 7 s on one core" in small
    assert "Planned, not yet in this folder: 00" in small
    with pytest.raises(FileNotFoundError, match="does not exist"):
        lesson.lesson_map(tmp_path / "nowhere")


def test_syllabus_numbers_match_file_names():
    for number, name, idea in lesson.SYLLABUS:
        assert name.startswith(number + "_") and name.endswith(".ipynb") and idea


def test_environment_report_passes_here():
    rows = lesson.environment_report()
    assert all(row["ok"] for row in rows), [r for r in rows if not r["ok"]]
    assert rows[0]["detail"] == ".".join(map(str, sys.version_info[:3]))


def test_self_check_widget_and_update_function():
    view = self_check_update(2.0)
    assert view.readout == "E[Y | do(X = +2.0)] = +5.0" and view["expected"] == 5.0 and view.figure is None
    box = self_check_widget()
    row, readout, _output = box.children
    (slider,) = row.children
    slider.value = -1.0
    assert readout.value == self_check_update(-1.0).readout


def test_first_exercise_checker():
    assert check_first_exercise(5).correct
    wrong = check_first_exercise(4)
    assert not wrong.correct and "5" not in wrong.message
    assert "Not answered yet" in check_first_exercise(...).message
