"""Tests of lesson 05's exercise checkers: right answers pass, wrong ones get a hint that does not give the
answer away, and every answer is recomputed from the lesson's objects."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from causal_lessons import explanations as ex
from causal_lessons.exercises.explanations import (PLAYS_LIKE, check_flip_share, check_lucky_share,
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
