"""Lesson 11's checkers (parts 2-3): right answers pass, and every kind of wrong answer gets feedback, never a
traceback, and no wrong answer is told the right one."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons import soft_learners as sl
from causal_lessons.exercises.soft_learners import (CHANGES, check_control_prediction, check_controlled_choice,
                                                    check_failing_score)

ODD = [..., None, float("nan"), "seven", np.array([1.0, 2.0]), [1, 2], {"a": 1}, True]


@pytest.fixture(scope="module")
def hidden_batch():
    episodes = sl.world_episodes(50, sl.World("hidden", 1.0), seed=3, game_spec=sl.get_config().game)
    return sl.play_world(episodes, seed=3)


def test_the_prediction_is_computed_from_both_rules_play():
    assert check_control_prediction("higher").correct
    assert check_control_prediction(" Higher ").correct
    for wrong in ("lower", "the same"):
        feedback = check_control_prediction(wrong)
        assert not feedback.correct and "higher" not in feedback.message
    assert set(CHANGES) == {"higher", "lower", "the same"}
    # with no hidden cause the control changes nothing that matters
    assert check_control_prediction("the same", strength=0.0).correct


def test_the_controlled_choice_is_read_against_the_observation(hidden_batch):
    for index in range(10):
        part = slice(index, index + 1)
        reading = sl.controlled_tool(hidden_batch.explore_actions[part], hidden_batch.explore_values[part],
                                     hidden_batch.goal[part], hidden_batch.allowed[part])
        right = (hidden_batch.names[int(reading.var[0])], int(reading.sign[0]))
        assert check_controlled_choice(hidden_batch, index, right).correct
        assert check_controlled_choice(hidden_batch, index, [right[0].lower(), np.int64(right[1])]).correct
        flipped = check_controlled_choice(hidden_batch, index, (right[0], -right[1]))
        assert not flipped.correct and "sign" in flipped.message
    # somewhere the rigid solver's reading (no control) gives another answer: the exercise is not the rigid rule
    rigid = [(hidden_batch.names[v], int(s)) for v, s in zip(hidden_batch.exploit_var, hidden_batch.exploit_sign)]
    assert any(not check_controlled_choice(hidden_batch, i, rigid[i]).correct for i in range(50))
    with pytest.raises(TypeError, match="batch"):
        check_controlled_choice("episodes", 0, ("A", 1))


def test_the_derivation_is_one_minus_the_failure_probability_and_holds_in_simulation():
    assert check_failing_score(0.7).correct and check_failing_score(np.float64(0.4), strength=1.0).correct
    assert not check_failing_score(0.3).correct
    # the derivation, checked: episodes where exactly one candidate moves the goal
    episodes = sl.world_episodes(20000, sl.World("failing", 0.5), seed=1)
    batch = sl.play_world(episodes, seed=1)
    moves = (np.abs(episodes.choice_values()[..., 0]) > 1e-9) & episodes.candidates()
    one = moves.sum(1) == 1
    score = sl.gain_score(episodes.subset(one), batch.exploit_var[one], batch.exploit_sign[one])
    assert score["low"] - 0.02 < 0.7 < score["high"] + 0.02


@pytest.mark.parametrize("odd", ODD, ids=[repr(o)[:12] for o in ODD])
def test_any_value_gets_feedback(odd, hidden_batch):
    for feedback in (check_control_prediction(odd), check_failing_score(odd),
                     check_controlled_choice(hidden_batch, 0, odd)):
        assert not feedback.correct and feedback.message


def test_not_answered_says_what_to_write():
    assert "Not answered yet" in check_failing_score(...).message
    assert "0.7" not in check_failing_score(0.5).message
