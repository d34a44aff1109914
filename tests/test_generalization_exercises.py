"""Lesson 10's checkers: the reference answer passes; wrong answers get a hint that does not give it away."""

from __future__ import annotations

import pytest

from causal_lessons import generalization as gen
from causal_lessons.exercises.generalization import (
    OPERATION_QUESTIONS,
    OPERATIONS,
    check_ab_estimate,
    check_crossover_shift,
    check_failing_shift,
    check_operations,
    check_transported_effect,
)


@pytest.fixture(scope="module")
def log():
    return gen.run_ab_test(gen.shop_scm(0.5), n=1000, seed=11)


def _forms(x: float) -> list[str]:
    return [f"{x:.1f}", f"{x:.2f}", f"{x:.3f}", f"{x:.2g}", f"{x:.3g}"]


def _hides(message: str, x: float) -> bool:
    return not any(form in message for form in _forms(x))


def test_ab_estimate_asks_for_each_arms_mean(log):
    treated, control = log[log["T"] == 1]["Y"], log[log["T"] == 0]["Y"]
    se = (treated.var() / len(treated) + control.var() / len(control)) ** 0.5
    assert check_ab_estimate(log, treated.mean(), control.mean(), se).correct
    # a population standard deviation (ddof 0) is close enough
    se0 = (treated.var(ddof=0) / len(treated) + control.var(ddof=0) / len(control)) ** 0.5
    assert check_ab_estimate(log, treated.mean(), control.mean(), se0).correct
    # the helper's effect is not one of the asked quantities
    effect = gen.difference_in_means(log).effect
    wrong = check_ab_estimate(log, effect, control.mean(), se)
    assert not wrong.correct and wrong.message.startswith("treated_mean:") and _hides(wrong.message, treated.mean())
    swapped = check_ab_estimate(log, treated.mean(), treated.mean(), se)
    assert not swapped.correct and swapped.message.startswith("control_mean:") and _hides(swapped.message, control.mean())
    wrong_se = check_ab_estimate(log, treated.mean(), control.mean(), treated.std() / len(treated) ** 0.5)
    assert not wrong_se.correct and wrong_se.message.startswith("std_error:") and _hides(wrong_se.message, se)
    assert "Not answered yet" in repr(check_ab_estimate(log, ..., control.mean(), se))
    assert "single number" in repr(check_ab_estimate(log, "big", control.mean(), se))


def test_transported_effect(log):
    strata = gen.effects_by_stratum(log, "M")
    shares = {0: 0.1, 1: 0.9}
    right = 0.1 * strata.loc[0, "effect"] + 0.9 * strata.loc[1, "effect"]
    assert check_transported_effect(strata, shares, right).correct
    wrong = check_transported_effect(strata, shares, right + 0.3)
    assert not wrong.correct and "TARGET" in wrong.message and _hides(wrong.message, right)
    own_mix = float((strata["share"] * strata["effect"]).sum())
    told = check_transported_effect(strata, shares, own_mix)
    assert not told.correct and "experiment's own mix" in told.message and _hides(told.message, right)


def test_crossover_shift_asks_for_the_gap_first():
    source = gen.hospital_scm(marker_noise=1.0)
    causal = gen.population_least_squares(source, "Severity", ["Exposure"])
    both = gen.population_least_squares(source, "Severity", ["Exposure", "Marker"])
    gap = gen.risk(causal, source) - gen.risk(both, source)
    right = gap ** 0.5 / both.weight("Marker")
    assert check_crossover_shift(source, gap, right).correct
    wrong = check_crossover_shift(source, gap, 1.1 * right)
    assert not wrong.correct and wrong.message.startswith("crossover:") and "solve for d" in wrong.message
    assert _hides(wrong.message, right)
    no_gap = check_crossover_shift(source, gen.risk(causal, source), right)
    assert not no_gap.correct and no_gap.message.startswith("gap:") and _hides(no_gap.message, gap)
    assert "Not answered yet" in repr(check_crossover_shift(source, gap, ...))


@pytest.fixture(scope="module")
def lesson_predictors():
    source = gen.hospital_scm()
    train = source.sample(500, seed=0)
    return (gen.fit_least_squares(train, "Severity", ["Exposure"]),
            gen.fit_least_squares(train, "Severity", ["Exposure", "Marker"]), source)


@pytest.mark.parametrize("changes", [{"marker_noise": 3.0}, {"marker_weight": 0.5}, {"marker_weight": 0.0},
                                     {"marker_weight": 4.0}, {"marker_noise": 2.5, "exposure_mean": 1.0}])
def test_failing_shift_accepts_any_hospital_that_breaks_the_marker(lesson_predictors, changes):
    causal, everything, source = lesson_predictors
    hospital = gen.hospital_scm(**changes)
    assert gen.risk(everything, hospital) > gen.risk(causal, hospital)
    assert abs(gen.risk(causal, hospital) - gen.risk(causal, source)) <= 0.05 * gen.risk(causal, source)
    fb = check_failing_shift(causal, everything, source, changes)
    assert fb.correct and "breaks the predictor that leans on it" in fb.message


@pytest.mark.parametrize("changes, says", [
    ({}, "still does better"),
    ({"marker_weight": 1.0}, "still does better"),
    ({"exposure_mean": 2.0}, "still does better"),
    ({"severity_offset": 1.0}, "the disease's own mechanism"),
    ({"marker_offset": 3.0}, "leave marker_offset alone"),
    ({"marker_noise": -1.0}, "marker_noise must be a positive number"),
    ({"marker_noise": "loud"}, "marker_noise: the answer should be a single number"),
    ({"assay": 1.0}, "not a setting of gen.hospital_scm"),
    (["marker_noise", 3.0], "should be a dict"),
])
def test_failing_shift_says_what_is_wrong_with_a_hospital(lesson_predictors, changes, says):
    causal, everything, source = lesson_predictors
    fb = check_failing_shift(causal, everything, source, changes)
    assert not fb.correct and says in fb.message


def test_failing_shift_placeholder(lesson_predictors):
    assert repr(check_failing_shift(*lesson_predictors, ...)).startswith("Not answered yet")


def test_operations():
    right = dict(zip(OPERATION_QUESTIONS, ["observation", "A/B test", "simulation", "counterfactual", "A/B test"]))
    assert set(right.values()) == set(OPERATIONS) and list(right) == list(OPERATION_QUESTIONS)
    assert check_operations(right).correct
    # the question list holds no answers: handing it back is not an answer
    assert not check_operations(OPERATION_QUESTIONS).correct
    assert not check_operations(dict.fromkeys(OPERATION_QUESTIONS)).correct
    assert check_operations([right[q] for q in OPERATION_QUESTIONS]).correct   # labels in question order
    assert check_operations({q.upper() + " ": a.lower() for q, a in right.items()}).correct
    first = next(iter(right))
    one_off = dict(right, **{first: "counterfactual"})
    reply = check_operations(one_off)
    assert not reply.correct and "1 of 5" in reply.message and repr(right[first]) not in reply.message
    assert "should be one of" in check_operations(dict(right, **{first: "magic"})).message
    assert "have no operation yet" in check_operations({first: right[first]}).message
    assert "Not answered yet" in check_operations(...).message
    assert "one operation per question" in check_operations(["A/B test"]).message
