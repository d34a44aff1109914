"""Lesson 07's exercise checkers: right answers pass, wrong ones get a hint that does not give them away."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons import imitation as im
from causal_lessons.exercises import imitation as ex


def test_bc_cost():
    right = sum(1 - (1 - 0.02) ** t for t in range(1, 51))
    fb = ex.check_bc_cost(right, epsilon=0.02, horizon=50)
    assert fb.correct and repr(fb).startswith("Correct")
    wrong = ex.check_bc_cost(0.02 * 50, epsilon=0.02, horizon=50)
    assert not wrong.correct and f"{right:.1f}" not in wrong.message
    assert not ex.check_bc_cost(..., epsilon=0.02, horizon=50).correct
    assert "single number" in ex.check_bc_cost("18", epsilon=0.02, horizon=50).message


def test_horizon_for_ratio_is_computed_by_search():
    expected = ex.smallest_horizon_for_ratio(0.01, 10)
    ratio = lambda T: im.bc_expected_cost(0.01, T) / im.dagger_expected_cost(0.01, T)  # noqa: E731
    assert ratio(expected) >= 10 > ratio(expected - 1)
    assert ex.check_horizon_for_ratio(expected, epsilon=0.01, factor=10).correct
    assert ex.check_horizon_for_ratio(float(expected), epsilon=0.01, factor=10).correct
    wrong = ex.check_horizon_for_ratio(expected - 1, epsilon=0.01, factor=10)
    assert not wrong.correct and str(expected) not in wrong.message
    assert "whole number" in ex.check_horizon_for_ratio(20.5, epsilon=0.01, factor=10).message
    assert not ex.check_horizon_for_ratio(None, epsilon=0.01, factor=10).correct


def test_horizon_for_ratio_refuses_an_impossible_factor():
    with pytest.raises(ValueError, match="factor must be below 1/ε"):
        ex.smallest_horizon_for_ratio(0.1, 10)
    with pytest.raises(ValueError, match="epsilon must be greater than 0"):
        ex.smallest_horizon_for_ratio(0.0, 2)


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
