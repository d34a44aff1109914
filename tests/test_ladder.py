"""Lesson 01's module and checkers (the widget: test_ladder_widget.py)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causal_lessons import ladder
from causal_lessons.exercises import ladder as ex


@pytest.mark.parametrize("a", [-2.0, -1.0, 0.0, 0.5, 1.0, 2.0])
def test_confounding_bias_formula_matches_the_model(a):
    scm = ladder.tutoring_scm(confounding=a, effect=0.5)
    assert scm.observational_slope("X", "Y") - scm.total_effect("X", "Y") == pytest.approx(ladder.confounding_bias(a))


def test_compare_rungs_samples_agree_with_exact_values():
    result = ladder.compare_rungs(ladder.tutoring_scm(1.0), n=20_000, seed=0)
    assert result["observational_sample"] == pytest.approx(result["observational_exact"], abs=0.05)
    assert result["interventional_sample"] == pytest.approx(result["interventional_exact"], abs=0.05)
    assert result["observational_exact"] == pytest.approx(1.0)
    assert result["interventional_exact"] == pytest.approx(0.5)


def test_regression_slope_and_its_errors():
    assert ladder.regression_slope([0, 1, 2], [1, 3, 5]) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="does not vary"):
        ladder.regression_slope([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        ladder.regression_slope([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        ladder.regression_slope([1, np.nan], [1, 2])


def test_backdoor_adjustment_recovers_the_interventional_probability():
    rng = np.random.default_rng(0)
    n = 200_000
    z = rng.random(n) < 0.5
    x = rng.random(n) < np.where(z, 0.8, 0.2)
    y = rng.random(n) < np.select([~x & ~z, ~x & z, x & ~z, x & z], [0.1, 0.4, 0.5, 0.8])
    data = pd.DataFrame({"Z": z.astype(int), "X": x.astype(int), "Y": y.astype(int)})
    assert ladder.backdoor_adjustment(data, "X", "Y", ["Z"], x_value=1, y_value=1) == pytest.approx(0.65, abs=0.01)
    # without adjustment: the observational conditional probability
    assert ladder.backdoor_adjustment(data, "X", "Y", [], x_value=1, y_value=1) == pytest.approx(0.74, abs=0.01)


def test_backdoor_adjustment_needs_both_treatments_in_every_stratum():
    data = pd.DataFrame({"Z": [0, 0, 1, 1], "X": [0, 1, 0, 0], "Y": [0, 1, 1, 0]})
    with pytest.raises(ValueError, match="stratum"):
        ladder.backdoor_adjustment(data, "X", "Y", ["Z"], x_value=1, y_value=1)


def test_is_backdoor_set_on_the_m_graph():
    g = nx.DiGraph([("Z1", "Z3"), ("Z2", "Z3"), ("Z1", "X"), ("Z2", "Y"), ("Z3", "X"), ("Z3", "Y"),
                    ("X", "W"), ("W", "Y")])
    assert not ladder.is_backdoor_set(g, "X", "Y", {"Z3"})      # opens Z1 -> Z3 <- Z2
    assert ladder.is_backdoor_set(g, "X", "Y", {"Z1", "Z3"})
    assert ladder.is_backdoor_set(g, "X", "Y", {"Z2", "Z3"})
    assert not ladder.is_backdoor_set(g, "X", "Y", {"Z1", "Z3", "W"})  # W is a descendant of X
    assert not ladder.is_backdoor_set(g, "X", "Y", set())


def test_checkers_accept_right_and_reject_wrong_answers_without_revealing():
    scm = ladder.tutoring_scm(confounding=2.0)
    right = scm.observational_slope("X", "Y")
    assert ex.check_observational_slope(scm, right).correct
    wrong = ex.check_observational_slope(scm, 0.5)
    assert not wrong.correct and f"{right:.2f}" not in wrong.message
    assert not ex.check_observational_slope(scm, ...).correct
    assert not ex.check_observational_slope(scm, "0.9").correct

    paths = ladder.LinearGaussianSCM({("A", "B"): 2.0, ("B", "C"): -1.0, ("A", "C"): 3.0, ("C", "D"): 0.5,
                                      ("B", "D"): 1.0})
    assert ex.check_total_effect(paths, "A", "D", 2.5).correct
    assert not ex.check_total_effect(paths, "A", "D", 1.5).correct

    g = nx.DiGraph([("Z", "X"), ("Z", "Y"), ("X", "Y"), ("X", "M"), ("M", "Y")])
    assert ex.check_backdoor_set(g, "X", "Y", {"Z"}).correct
    assert not ex.check_backdoor_set(g, "X", "Y", set()).correct
    assert "descendant" in ex.check_backdoor_set(g, "X", "Y", {"Z", "M"}).message
    assert "not a variable" in ex.check_backdoor_set(g, "X", "Y", {"Q"}).message

    model = ladder.tutoring_scm(1.0)
    facts = {"Z": -0.5, "X": 1.0, "Y": 0.3}
    value = model.counterfactual(facts, {"X": -1.0})["Y"]
    noise = facts["Y"] - 0.5 * facts["X"] - facts["Z"]
    assert ex.check_counterfactual(model, facts, {"X": -1.0}, "Y", noise, value).correct
    bad = ex.check_counterfactual(model, facts, {"X": -1.0}, "Y", noise, value + 1)
    assert not bad.correct and f"{value:.2f}" not in bad.message and "noise term is right" in bad.message
    off = ex.check_counterfactual(model, facts, {"X": -1.0}, "Y", noise + 1, value)
    assert not off.correct and "noise term is not right" in off.message and f"{noise:.2f}" not in off.message
    assert "Not answered yet" in ex.check_counterfactual(model, facts, {"X": -1.0}, "Y", ..., value).message


def test_counterfactual_prediction_compares_one_person_with_the_population():
    model = ladder.tutoring_scm(1.0)
    ben = {"Z": -0.5, "X": 1.0, "Y": 0.3}          # U_Y = 0.3: his counterfactual -0.7, everyone's -0.5
    assert ex.check_counterfactual_prediction(model, ben, {"X": -1.0}, "Y", "below").correct
    assert ex.check_counterfactual_prediction(model, ben, {"X": -1.0}, "Y", " Below ").correct
    lucky = {"Z": 0.5, "X": 1.0, "Y": 2.0}         # U_Y = 1.0, Z = 0.5: above
    assert ex.check_counterfactual_prediction(model, lucky, {"X": -1.0}, "Y", "above").correct
    average = {"Z": 0.0, "X": 0.0, "Y": 0.0}
    assert ex.check_counterfactual_prediction(model, average, {"X": -1.0}, "Y", "the same").correct
    wrong = ex.check_counterfactual_prediction(model, ben, {"X": -1.0}, "Y", "above")
    assert not wrong.correct and "below" not in wrong.message
    assert "one of" in ex.check_counterfactual_prediction(model, ben, {"X": -1.0}, "Y", "up").message


def test_sign_can_flip_only_when_the_confounder_acts_strongly_enough():
    # slope = effect + c a / (a^2 + 1) >= effect - c / 2: with effect 0.5 it can turn negative only for c > 1
    for a in np.linspace(-3, 3, 61):
        assert ladder.tutoring_scm(a).observational_slope("X", "Y") >= -1e-12
        flipped = ladder.tutoring_scm(a, motivation_effect=2.0)
        assert flipped.observational_slope("X", "Y") == pytest.approx(0.5 + ladder.confounding_bias(a, 2.0))
    assert ladder.tutoring_scm(-1.0, motivation_effect=2.0).observational_slope("X", "Y") == pytest.approx(-0.5)


def test_slope_formula_checker_tries_the_formula_and_its_use():
    right = lambda a, c: 0.5 + c * a / (a * a + 1)     # noqa: E731
    assert ex.check_slope_formula(right, -0.5).correct
    assert ex.check_slope_formula(right, np.float64(-0.5)).correct
    off = ex.check_slope_formula(lambda a, c: 0.5 + a / (a * a + 1), -0.5)
    assert not off.correct and "off at" in off.message
    assert "evaluate it at a = -1" in ex.check_slope_formula(right, 0.5).message
    assert "raised ZeroDivisionError" in ex.check_slope_formula(lambda a, c: 1 / 0, -0.5).message
    assert "function" in ex.check_slope_formula(3.0, -0.5).message

    def placeholder(a, c):
        ...
    assert repr(ex.check_slope_formula(placeholder, -0.5)).startswith("Not answered yet")
    assert repr(ex.check_slope_formula(right, ...)).startswith("Not answered yet")
