"""Lesson 07's exercise checkers: right answers pass, wrong ones get a hint that does not give them away."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons import imitation as im
from causal_lessons.exercises import imitation as ex


def test_growth_prediction_follows_the_computed_factor():
    growth = ex.doubling_growth(0.01, 10)
    assert growth == pytest.approx(im.bc_expected_cost(0.01, 20) / im.bc_expected_cost(0.01, 10))
    assert 3.5 < growth < 4  # about four times: quadratic in the horizon while εT is small
    assert ex.check_growth_prediction("about 4 times", epsilon=0.01, horizon=10).correct
    assert ex.check_growth_prediction(" About 4 Times ", epsilon=0.01, horizon=10).correct
    wrong = ex.check_growth_prediction("about 2 times", epsilon=0.01, horizon=10)
    assert not wrong.correct and "4" not in wrong.message
    # with εT large the walker is off the ridge almost at once: the cost then grows like T, about twice
    assert ex.check_growth_prediction("about 2 times", epsilon=0.4, horizon=100).correct
    assert "one of" in ex.check_growth_prediction("fourfold", epsilon=0.01, horizon=10).message
    assert repr(ex.check_growth_prediction(...)).startswith("Not answered yet")
    with pytest.raises(ValueError, match="horizon must be a positive whole number"):
        ex.doubling_growth(0.01, 0)


def test_bc_walk_asks_for_the_chance_of_staying_and_the_cost():
    on_ridge = (1 - 0.02) ** 50
    cost = sum(1 - (1 - 0.02) ** t for t in range(1, 51))
    fb = ex.check_bc_walk(on_ridge, cost, epsilon=0.02, horizon=50)
    assert fb.correct and repr(fb).startswith("Correct")
    assert ex.check_bc_walk(np.float64(on_ridge), np.array([cost]), epsilon=0.02, horizon=50).correct
    # the cost alone, as im.bc_expected_cost prints it, is not enough
    only_cost = ex.check_bc_walk(0.02, cost, epsilon=0.02, horizon=50)
    assert not only_cost.correct and only_cost.message.startswith("on_ridge:")
    assert f"{on_ridge:.2f}" not in only_cost.message
    wrong = ex.check_bc_walk(on_ridge, 0.02 * 50, epsilon=0.02, horizon=50)
    assert not wrong.correct and wrong.message.startswith("bc_cost:") and f"{cost:.1f}" not in wrong.message
    assert not ex.check_bc_walk(..., cost, epsilon=0.02, horizon=50).correct
    assert "single number" in ex.check_bc_walk(on_ridge, "18", epsilon=0.02, horizon=50).message


@pytest.mark.parametrize("epsilon, horizon", [(0.01, 68), (0.01, 30), (0.001, 500), (np.float64(0.005), np.int64(100)),
                                              (0.01, 21.0)])
def test_quiet_compounding_accepts_any_valid_pair(epsilon, horizon):
    fb = ex.check_quiet_compounding(epsilon, horizon)
    ratio = im.bc_expected_cost(float(epsilon), int(horizon)) / im.dagger_expected_cost(float(epsilon), int(horizon))
    assert ratio >= 10 and (1 - float(epsilon)) ** int(horizon) >= 0.5
    assert fb.correct and "never leave the ridge" in fb.message


def test_quiet_compounding_says_what_is_wrong_with_a_pair():
    short = ex.check_quiet_compounding(0.01, 10)
    assert not short.correct and "(T + 1) / 2" in short.message and "ridge at the end" not in short.message
    falls = ex.check_quiet_compounding(0.01, 69)  # (0.99)^69 is just below one half
    assert not falls.correct and "49.98%" in falls.message and "(T + 1) / 2" not in falls.message
    both = ex.check_quiet_compounding(0.2, 10)
    assert not both.correct and "(T + 1) / 2" in both.message and "ridge at the end" in both.message
    assert "between 0 and 0.5" in ex.check_quiet_compounding(0.5, 10).message
    assert "between 0 and 0.5" in ex.check_quiet_compounding(-0.01, 10).message
    assert "from 1 to" in ex.check_quiet_compounding(0.01, 0).message
    assert ex.check_quiet_compounding(0.01, 68.5).message.startswith("horizon: the answer should be a whole number")
    assert ex.check_quiet_compounding("small", 68).message.startswith("epsilon:")
    assert repr(ex.check_quiet_compounding(0.01, ...)).startswith("Not answered yet")
    with pytest.raises(ValueError, match="factor must be at least 1"):
        ex.check_quiet_compounding(0.01, 68, factor=0.5)


def test_more_demonstrations_is_measured():
    task = im.FoggyRidge(0.01)
    verdict, few, many = ex.more_demonstrations_verdict(task, horizon=100, demonstrations=20, episodes=5_000)
    assert verdict == "about the same" and few == pytest.approx(many, rel=0.1)
    fb = ex.check_more_demonstrations("about the same", task, horizon=100, demonstrations=20)
    assert fb.correct
    wrong = ex.check_more_demonstrations("much lower", task, horizon=100, demonstrations=20)
    assert not wrong.correct and "about the same" not in wrong.message
    odd = ex.check_more_demonstrations("lower", task, horizon=100, demonstrations=20)
    assert not odd.correct and "one of" in odd.message


def test_reliance_follows_the_model():
    import torch

    torch.set_num_threads(1)
    demos = im.counting_demonstrations(200, length=10, seed=0)
    bc = im.CountingModel(length=10, seed=0)
    bc.fit(demos, steps=300, seed=0)
    assert ex.check_reliance("last digit", bc).correct
    wrong = ex.check_reliance("start and position", bc)
    assert not wrong.correct and "%" not in wrong.message
    (fixed,) = im.sequence_dagger(bc, demos, rounds=1, sequences=200, steps=300, seed=1)
    assert ex.check_reliance("start and position", fixed).correct
    assert not ex.check_reliance(..., fixed).correct
    assert np.isclose(sum(im.reliance_on_last_digit(fixed).values()), 1.0, atol=0.05)
    noisy = im.CountingModel(length=10, seed=0)
    noisy.fit(im.counting_demonstrations(200, length=10, slips=0.2, seed=0), steps=300, seed=0)
    assert ex.check_reliance("start and position", noisy).correct
