"""Lesson 12's checkers: right answers pass, and every kind of wrong answer gets feedback, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons import dynamics as dyn
from causal_lessons.exercises.dynamics import (check_clamp_prediction, check_clamped_temperature, check_critical_gain,
                                               check_stable_design)

ODD = [..., None, float("nan"), "seven", np.array([1.0, 2.0]), [1, 2], {"a": 1}, True]


def test_right_answers_pass_numpy_scalars_too():
    assert check_clamp_prediction("warmer").correct
    assert check_clamped_temperature(np.float64(dyn.house(4.0).equilibrium({"H": 6.0})["T"])).correct
    assert check_critical_gain(np.float32(8.0)).correct
    assert check_critical_gain(dyn.critical_gain(thermometer_rate=3.0), thermometer_rate=3.0).correct


def test_the_open_challenge_accepts_any_valid_design():
    assert check_stable_design(5.0, 5.0).correct
    assert check_stable_design(np.float64(20.0), 1.0).correct
    assert not check_stable_design(1.0, 1.0).correct
    assert "never settles" in check_stable_design(1.0, 1.0).message


@pytest.mark.parametrize("odd", ODD, ids=[repr(o)[:12] for o in ODD])
def test_any_value_gets_feedback(odd):
    for check in (check_clamp_prediction, check_clamped_temperature, check_critical_gain):
        feedback = check(odd)
        assert not feedback.correct and feedback.message
    assert not check_stable_design(odd, 5.0).correct and not check_stable_design(5.0, odd).correct


def test_not_answered_and_wrong_answers_do_not_reveal_the_answer():
    assert "Not answered yet" in check_clamped_temperature(...).message
    assert "11" not in check_clamped_temperature(12.0).message
    assert "8" not in check_critical_gain(5.0).message
    assert not check_clamp_prediction("colder").correct and not check_clamp_prediction("hotter").correct
