"""Unit tests of causal_lessons.scm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causal_lessons.scm import SCM, Bernoulli, LinearGaussianSCM, Mechanism, Normal, additive


@pytest.fixture
def confounded():
    return LinearGaussianSCM({("Z", "X"): 1.0, ("Z", "Y"): 1.0, ("X", "Y"): 0.5}, noise_std=1.0)


def test_variables_graph_and_equations(confounded):
    assert confounded.variables == ["Z", "X", "Y"]
    assert confounded.graph.edges["X", "Y"]["weight"] == 0.5
    assert confounded.parents("Y") == ["X", "Z"]
    assert confounded.equations()[2].startswith("Y := 0.5*X + 1*Z + U_Y")


def test_exact_moments_match_samples(confounded):
    data = confounded.sample(200_000, seed=1)
    assert list(data.columns) == ["Z", "X", "Y"]
    assert np.allclose(data.mean(), confounded.mean(), atol=0.02)
    assert np.allclose(data.cov(), confounded.covariance(), atol=0.03)


def test_confounded_slope_differs_from_effect(confounded):
    # Cov(X, Y) = 0.5 Var(X) + Var(Z) = 0.5*2 + 1 = 2; Var(X) = 2  ->  slope 1.0
    assert confounded.observational_slope("X", "Y") == pytest.approx(1.0)
    assert confounded.total_effect("X", "Y") == pytest.approx(0.5)


def test_adjusted_slope_is_the_effect_given_a_backdoor_set(confounded):
    assert confounded.observational_slope("X", "Y", given=["Z"]) == pytest.approx(0.5)
    assert confounded.observational_slope("X", "Y", given=[]) == pytest.approx(1.0)
    assert confounded.observational_slope("X", "Y", given=["X"]) == pytest.approx(1.0)   # x itself is ignored
    # a mediator in the regression blocks part of the effect
    mediated = LinearGaussianSCM({("X", "M"): 1.0, ("M", "Y"): 1.0, ("X", "Y"): 0.5})
    assert mediated.observational_slope("X", "Y", given=["M"]) == pytest.approx(0.5)
    assert mediated.observational_slope("X", "Y") == pytest.approx(1.5)
    with pytest.raises(ValueError, match="given must not contain y"):
        confounded.observational_slope("X", "Y", given=["Y"])
    with pytest.raises(TypeError, match="given must be a collection"):
        confounded.observational_slope("X", "Y", given="Z")
    with pytest.raises(KeyError, match="given"):
        confounded.observational_slope("X", "Y", given=["Q"])


def test_total_effect_is_sum_over_paths():
    scm = LinearGaussianSCM({("A", "B"): 2.0, ("B", "C"): 3.0, ("A", "C"): -1.0, ("C", "D"): 0.5})
    assert scm.total_effect("A", "C") == 2 * 3 - 1
    assert scm.total_effect("A", "D") == (2 * 3 - 1) * 0.5
    assert scm.total_effect("D", "A") == 0.0
    assert scm.total_effect("B", "B") == 1.0
    assert scm.total_effects().loc["A", "D"] == pytest.approx(2.5)


def test_do_returns_new_model_and_cuts_incoming_edges(confounded):
    done = confounded.do({"X": 2.0})
    assert ("Z", "X") not in done.graph.edges
    assert ("Z", "X") in confounded.graph.edges  # original unchanged
    assert done.interventions == {"X": 2.0}
    sample = done.sample(1000, seed=0)
    assert (sample["X"] == 2.0).all()
    assert done.mean()["Y"] == pytest.approx(1.0)
    assert done.noise_std["X"] == 0.0


def test_interventional_mean_difference_equals_total_effect(confounded):
    lo = confounded.do({"X": 0.0}).sample(100_000, seed=2)["Y"].mean()
    hi = confounded.do({"X": 1.0}).sample(100_000, seed=3)["Y"].mean()
    assert hi - lo == pytest.approx(0.5, abs=0.02)


def test_counterfactual_by_hand(confounded):
    facts = {"Z": 1.0, "X": 0.0, "Y": 2.0}
    noise = confounded.abduct(facts)
    assert noise == pytest.approx({"Z": 1.0, "X": -1.0, "Y": 1.0})
    cf = confounded.counterfactual(facts, {"X": 2.0})
    # Y = 0.5*2 + 1*1 + U_Y(=1) = 3
    assert cf == pytest.approx({"Z": 1.0, "X": 2.0, "Y": 3.0})
    same = confounded.counterfactual(facts, {"X": 0.0})
    assert same == pytest.approx(facts)


def test_intercepts_and_per_variable_noise():
    scm = LinearGaussianSCM({("X", "Y"): 2.0}, noise_std={"X": 0.5, "Y": 0.1}, intercepts={"Y": 1.0})
    assert scm.mean()["Y"] == pytest.approx(1.0)
    assert scm.covariance().loc["X", "X"] == pytest.approx(0.25)
    assert scm.noise_std == {"X": 0.5, "Y": 0.1}


def test_zero_weight_and_isolated_variables():
    scm = LinearGaussianSCM({("X", "Y"): 0.0}, variables=["W"])
    assert scm.variables == ["W", "X", "Y"]
    assert scm.graph.number_of_edges() == 0


def test_sampling_a_million_rows_is_vectorized():
    """10^6 rows in one call (its speed is measured by tools/bench_core.py, not asserted here)."""
    scm = LinearGaussianSCM({("A", "B"): 1.0, ("B", "C"): -1.0, ("A", "D"): 1.0, ("D", "E"): 1.0, ("C", "E"): 1.0})
    data = scm.sample(1_000_000, seed=0)
    assert data.shape == (1_000_000, 5)
    assert data["A"].std() == pytest.approx(1.0, abs=0.01)


def test_seed_reproducibility(confounded):
    pd.testing.assert_frame_equal(confounded.sample(5, seed=9), confounded.sample(5, seed=9))
    assert not confounded.sample(5, seed=1).equals(confounded.sample(5, seed=2))


def test_to_pgmpy_simulates_same_distribution(confounded):
    model = confounded.to_pgmpy()
    assert sorted(model.edges()) == sorted(confounded.graph.edges)
    data = model.simulate(50_000, seed=0)
    assert np.allclose(data[confounded.variables].cov(), confounded.covariance(), atol=0.05)


# ---------------------------------------------------------------------------- general SCM

@pytest.fixture
def sprinkler():
    return SCM({
        "Rain": Mechanism((), lambda u: u, Bernoulli(0.3)),
        "Sprinkler": Mechanism(("Rain",), lambda u, Rain: u * (1 - Rain), Bernoulli(0.5)),
        "Wet": Mechanism(("Rain", "Sprinkler"), lambda u, Rain, Sprinkler: np.maximum(Rain, Sprinkler) * (1 - u),
                         Bernoulli(0.1)),
    })


def test_general_scm_sample_and_do(sprinkler):
    data = sprinkler.sample(100_000, seed=0)
    assert data["Rain"].mean() == pytest.approx(0.3, abs=0.01)
    done = sprinkler.do({"Sprinkler": 1.0})
    assert done.sample(10_000, seed=1)["Wet"].mean() == pytest.approx(0.9, abs=0.01)
    assert ("Rain", "Sprinkler") not in done.graph.edges
    assert ("Rain", "Sprinkler") in sprinkler.graph.edges


def test_general_scm_counterfactual_by_rejection(sprinkler):
    # It rained, the sprinkler was off, the grass is wet. Had it not rained?  Then the sprinkler's
    # own noise decides: P(sprinkler on | no rain) = 0.5, and the grass's noise was "not dry" (u=0).
    cf = sprinkler.counterfactual({"Rain": 1, "Sprinkler": 0, "Wet": 1}, {"Rain": 0}, n_samples=200_000, seed=0)
    assert cf["Rain"] == 0.0
    assert cf["Wet"] == pytest.approx(0.5, abs=0.02)


def test_general_scm_exact_counterfactual_with_additive_mechanisms():
    scm = SCM({
        "X": additive((), noise=Normal(1.0)),
        "Y": additive(("X",), lambda X: X**2, Normal(1.0)),
    })
    cf = scm.counterfactual({"X": 1.0, "Y": 3.0}, {"X": 2.0})
    assert cf == pytest.approx({"X": 2.0, "Y": 6.0})  # U_Y = 3 - 1 = 2; Y = 4 + 2


def test_general_scm_matches_linear_scm():
    linear = LinearGaussianSCM({("X", "Y"): 2.0}, noise_std=1.0)
    general = SCM({"X": additive((), noise=Normal(1.0)), "Y": additive(("X",), lambda X: 2 * X, Normal(1.0))})
    facts = {"X": 0.5, "Y": 0.0}
    assert general.counterfactual(facts, {"X": -1.0}) == pytest.approx(linear.counterfactual(facts, {"X": -1.0}))
    assert general.sample(50_000, seed=0).cov().values == pytest.approx(linear.covariance().values, abs=0.05)
