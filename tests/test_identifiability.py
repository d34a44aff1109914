"""causal_lessons.identifiability: a causal graph from observations alone under equal noise variances."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons.game import GameSpec, sample_tasks
from causal_lessons.identifiability import (
    RecoveryStudy,
    equal_variance_order,
    observe,
    order_fits,
    recovery_study,
    regress_on_order,
)
from causal_lessons.scm import LinearGaussianSCM

# C -> A -> B, C -> B: the causal order is C, A, B (not alphabetical)
W = np.array([[0.0, 1.0, 0.0],
              [0.0, 0.0, 0.0],
              [-1.0, 1.0, 0.0]])


def test_observe_samples_the_linear_gaussian_model():
    data = observe(W, 100_000, noise_std=0.5, seed=1)
    scm = LinearGaussianSCM({("C", "A"): -1.0, ("A", "B"): 1.0, ("C", "B"): 1.0}, noise_std=0.5)
    assert data.shape == (100_000, 3)
    exact = scm.covariance().loc[["A", "B", "C"], ["A", "B", "C"]].to_numpy()
    assert np.allclose(np.cov(data, rowvar=False), exact, atol=0.01)
    stack = observe(np.stack([W, W]), 10, noise_std=[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]], seed=0)
    assert stack.shape == (2, 10, 3)
    assert np.array_equal(observe(W, 5, seed=3), observe(W, 5, seed=3))


def test_equal_variances_give_a_causal_order():
    data = observe(W, 5_000, noise_std=0.1, seed=2)
    order = equal_variance_order(data)
    assert order.tolist() == [2, 0, 1]
    assert order_fits(order, W)
    weights = regress_on_order(data, order)
    assert np.allclose(weights, W, atol=0.05)


def test_unequal_variances_can_mislead_the_order():
    # A -> B with weight 0.5: A's noise much larger than B's makes B look like the cause
    w = np.array([[0.0, 0.5], [0.0, 0.0]])
    data = observe(w, 5_000, noise_std=[1.0, 0.1], seed=0)
    order = equal_variance_order(data)
    assert order.tolist() == [1, 0] and not order_fits(order, w)


def test_order_fits_and_stacks():
    assert order_fits([2, 0, 1], W) and not order_fits([0, 1, 2], W)
    assert order_fits(np.array([[2, 0, 1], [0, 1, 2]]), np.stack([W, W])).tolist() == [True, False]
    with pytest.raises(ValueError, match="permutation"):
        order_fits([0, 0, 1], W)
    with pytest.raises(ValueError, match="square"):
        order_fits([0, 1], np.zeros((2, 3)))


def test_stacked_orders_match_one_at_a_time():
    tasks = sample_tasks(20, seed=4)
    data = observe(tasks.weights, 200, seed=5)
    orders = equal_variance_order(data)
    assert orders.shape == (20, 5)
    for i in range(20):
        assert orders[i].tolist() == equal_variance_order(data[i]).tolist()
        assert np.allclose(regress_on_order(data, orders)[i], regress_on_order(data[i], orders[i]))


def test_recovery_study_equal_variances_recover_the_game():
    study = recovery_study(300, 300, seed=0)
    assert isinstance(study, RecoveryStudy) and study.n_episodes == 300 and study.noise_ratio == 1.0
    assert study.order == 1.0 and study.graph >= 0.99 and study.exploit >= 0.99
    assert study.divergent_exploit >= 0.99 and study.n_divergent > 0
    few = recovery_study(300, 10, seed=0)
    assert few.graph < study.graph


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovery_study_unequal_variances_break_it_whatever_the_sample(seed):
    equal = recovery_study(500, 1000, seed=seed)
    unequal = recovery_study(500, 1000, noise_ratio=4.0, seed=seed)
    assert equal.graph == 1.0
    assert unequal.graph < 0.85 and unequal.order < 0.9
    # with infinite data the equal-variance order is exact; with unequal variances it still fails in some graphs
    assert recovery_study(500, None, seed=seed).graph == 1.0
    for ratio, at_most in ((2.0, 0.95), (4.0, 0.9)):
        assert recovery_study(500, None, noise_ratio=ratio, seed=seed).graph < at_most


def test_covariance_input_gives_the_population_order():
    exact = LinearGaussianSCM({("C", "A"): -1.0, ("A", "B"): 1.0, ("C", "B"): 1.0}, noise_std=0.1)
    cov = exact.covariance().loc[["A", "B", "C"], ["A", "B", "C"]].to_numpy()
    order = equal_variance_order(cov, covariance=True)
    assert order.tolist() == [2, 0, 1]
    assert np.allclose(regress_on_order(cov, order, covariance=True), W)
    with pytest.raises(ValueError, match="covariance=True"):
        equal_variance_order(np.zeros((2, 3)), covariance=True)


def test_recovery_study_checks_its_arguments():
    with pytest.raises(ValueError, match="n_samples must exceed"):
        recovery_study(10, 5)
    with pytest.raises(ValueError, match="noise_ratio"):
        recovery_study(10, 50, noise_ratio=0.5)
    with pytest.raises(ValueError, match="n_episodes"):
        recovery_study(0, 50)
    small = recovery_study(50, 50, game=GameSpec(n_vars=3), seed=1)
    assert small.n_episodes == 50


def test_argument_errors_speak_to_a_student():
    with pytest.raises(ValueError, match="weights must be a square"):
        observe(np.zeros((2, 3)), 10)
    with pytest.raises(ValueError, match="noise_std must be one number"):
        observe(W, 10, noise_std=[1.0, 2.0])
    with pytest.raises(ValueError, match="noise_std must be positive"):
        observe(W, 10, noise_std=-1.0)
    with pytest.raises(ValueError, match="data must be samples"):
        equal_variance_order(np.zeros(4))
