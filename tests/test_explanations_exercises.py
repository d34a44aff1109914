"""Tests of lesson 05's exercise checkers: right answers pass, wrong ones get a hint that does not give the
answer away, and every answer is recomputed from the lesson's objects."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from causal_lessons import explanations as ex
from causal_lessons.exercises.explanations import (PLAYS_LIKE, check_flip_share, check_lucky_share, check_mixture_design,
                                                   check_plays_like, check_shortcut_prediction, lucky_share,
                                                   most_exploited)


def test_shortcut_prediction_is_read_from_the_agents_rollout():
    batch = SimpleNamespace(names=list("ABCDE"), goal=np.array([2, 2, 2, 0, 2]))
    result = SimpleNamespace(exploit_var=np.array([1, 1, 3, 4, -1]))
    assert most_exploited(batch, result, "C") == "B"
    assert most_exploited(batch, result, "A") == "E"
    right = check_shortcut_prediction("B", batch, result, goal="C")
    assert right.correct and right.message.startswith("the plain agent exploits B most often when the goal is C")
    wrong = check_shortcut_prediction("D", batch, result, goal="C")
    assert not wrong.correct and "B" not in wrong.message
    assert not check_shortcut_prediction(..., batch, result).correct
    assert "should be one of" in check_shortcut_prediction("Z", batch, result).message
    # another rollout, another right answer: nothing is hard-coded
    assert check_shortcut_prediction("D", batch, SimpleNamespace(exploit_var=np.array([3, 3, 1, 4, 3])), "C").correct
    with pytest.raises(KeyError, match="unknown variable 'F'"):
        most_exploited(batch, result, "F")
    with pytest.raises(ValueError, match="no exploit intervention in the episodes with goal A"):
        most_exploited(batch, SimpleNamespace(exploit_var=np.array([1, 1, 1, -1, 1])), "A")


def test_flip_share_checker():
    assert check_flip_share(1 / 3, n_vars=4).correct
    assert check_flip_share(ex.greedy_flip_share(6), n_vars=6).correct
    wrong = check_flip_share(2 / 7, n_vars=4)
    assert not wrong.correct and "0.333" not in wrong.message and "1/3" not in wrong.message
    assert not check_flip_share("a third", n_vars=4).correct
    assert not check_flip_share(..., n_vars=4).correct


def test_lucky_share_checker():
    batch = ex.mixed_episodes(2000, low_share=0.4, seed=1, label="return")
    right = lucky_share(batch)
    high = batch.quality == 2
    assert right == pytest.approx(np.mean(batch.played_by[high] != 0))
    assert 0.1 < right < 0.5
    assert check_lucky_share(right, batch).correct
    wrong = check_lucky_share(right + 0.1, batch)
    assert not wrong.correct and f"{right:.0%}" not in wrong.message and f"{right:.2f}" not in wrong.message
    with pytest.raises(TypeError, match="batch must be a QualityBatch"):
        lucky_share(SimpleNamespace(goal=[1]))
    none_high = ex.mixed_episodes(10, low_share=0.0, seed=0, label="strategy")
    none_high.quality[:] = 0
    with pytest.raises(ValueError, match="no episode of this batch is labelled 'high'"):
        lucky_share(none_high)


def test_plays_like_checker_reads_the_table():
    rows = [{"kind": "return", "low_share": 0.2, "asked": asked, "reward_fraction": 0.1, "agreement": 0.5,
             "explore_coverage": 0.0, "first_observes": 1.0} for asked in ex.QUALITY_LEVELS]
    rows += [{"kind": "strategy", "low_share": 0.2, "asked": asked, "reward_fraction": 0.9, "agreement": 0.9,
              "explore_coverage": 1.0, "first_observes": 0.0} for asked in ex.QUALITY_LEVELS]
    table = pd.DataFrame(rows)
    assert check_plays_like("the associational strategy", table, "return", 0.2, "low").correct
    assert check_plays_like("the expert", table, "strategy", 0.2, "low").correct
    wrong = check_plays_like("the expert", table, "return", 0.2, "low")
    assert not wrong.correct and "associational" not in wrong.message
    assert "should be one of" in check_plays_like("a parrot", table).message
    assert PLAYS_LIKE == ("the expert", "the associational strategy", "neither")


@pytest.mark.parametrize("associational, random", [(0.05, 0.5), (0.0, 0.5), (0.05, 0.65), (np.float64(0.01), 0.9),
                                                    (0, 0.99)])
def test_mixture_design_accepts_any_mixture_that_still_starts_with_an_experiment(associational, random):
    first = ex.mixture_first_move(float(associational), float(random))
    assert first["each variable"] > first["observe"] and associational + random >= 0.5
    fb = check_mixture_design(associational, random, low_at_least=0.5)
    assert fb.correct and "not low quality as such" in fb.message


@pytest.mark.parametrize("associational, random, says", [
    (0.1, 0.5, "greedy imitation would start by observing"),
    (0.25, 0.25, "greedy imitation would start by observing"),  # the lesson's mixture at 50%: past the flip
    (0.0, 1.0, "equally likely first moves"),
    (0.3, 0.1, "only 40% of this mixture"),
    (0.6, 0.6, "more than 1"),
    (-0.1, 0.6, "associational should be a share between 0 and 1"),
    (0.05, 1.5, "random should be a share between 0 and 1"),
    ("some", 0.5, "associational: the answer should be a single number"),
])
def test_mixture_design_says_what_is_wrong(associational, random, says):
    fb = check_mixture_design(associational, random, low_at_least=0.5)
    assert not fb.correct and says in fb.message


def test_mixture_design_placeholder_and_the_lesson_split():
    assert repr(check_mixture_design(..., 0.5)).startswith("Not answered yet")
    # the lesson's half-and-half split agrees with mixture_first_step
    assert ex.mixture_first_move(0.2, 0.2) == ex.mixture_first_step(0.4)
