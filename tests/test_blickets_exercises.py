"""Lesson 09's checkers: right answers pass, wrong ones get a hint that does not give the answer away."""

from __future__ import annotations

import math

import pytest

from causal_lessons.blickets import BlicketLearner, RuleOverhypothesis, binary_entropy
from causal_lessons.exercises import NOT_ANSWERED
from causal_lessons.exercises.blickets import (
    check_blicket_probability,
    check_information_gain,
    check_overhypothesis_prediction,
    check_sure_blickets,
)

ONE_CAUSE = [("A", True), ("B", False), ("AB", True)]
BACKWARD_BLOCKING = [("AB", True), ("A", True)]


def test_sure_blickets():
    assert check_sure_blickets(ONE_CAUSE, {"A"}).correct
    assert check_sure_blickets(ONE_CAUSE, "A").correct
    assert check_sure_blickets(ONE_CAUSE, ["A"]).correct
    missing = check_sure_blickets(ONE_CAUSE, set())
    assert not missing.correct and "missing" in missing.message
    extra = check_sure_blickets(ONE_CAUSE, {"A", "C"})
    assert not extra.correct and "extra" in extra.message
    assert not check_sure_blickets(ONE_CAUSE, "AZ").correct
    assert "Not answered yet" in check_sure_blickets(ONE_CAUSE, NOT_ANSWERED).message
    # a conjunctive demonstration: both objects of the lit pair are sure blickets
    assert check_sure_blickets([("A", False), ("B", False), ("AB", True), ("AC", False)], {"A", "B"}).correct


def test_blicket_probability_backward_blocking():
    assert check_blicket_probability(BACKWARD_BLOCKING, "B", 0.5).correct
    wrong = check_blicket_probability(BACKWARD_BLOCKING, "B", 2 / 3)
    assert not wrong.correct and "0.5" not in wrong.message
    assert "Not answered yet" in check_blicket_probability(BACKWARD_BLOCKING, "B", NOT_ANSWERED).message
    with pytest.raises(KeyError, match="unknown object 'Q'"):
        check_blicket_probability(BACKWARD_BLOCKING, "Q", 0.5)


def test_information_gain():
    learner = BlicketLearner().observe(ONE_CAUSE)
    p = learner.p_lit("C")
    assert p == pytest.approx(0.5)
    assert check_information_gain(learner, "C", binary_entropy(p)).correct
    assert check_information_gain(learner, "C", -p * math.log2(p) - (1 - p) * math.log2(1 - p)).correct
    wrong = check_information_gain(learner, "C", math.log(2))  # natural log instead of bits
    assert not wrong.correct and "base 2" in wrong.message
    assert not check_information_gain(learner, "C", "1 bit").correct
    with pytest.raises(TypeError, match="learner must be a BlicketLearner"):
        check_information_gain("learner", "C", 1.0)


def test_overhypothesis_prediction():
    belief = RuleOverhypothesis(1, 1)
    for _ in range(4):
        belief.update({"conjunctive": 1.0, "disjunctive": 0.0})
    belief.update({"conjunctive": 0.0, "disjunctive": 1.0})
    assert check_overhypothesis_prediction(belief, (1 + 4) / (2 + 5)).correct
    wrong = check_overhypothesis_prediction(belief, 4 / 5)  # forgot the prior's pseudo-counts
    assert not wrong.correct and "5/7" not in wrong.message
    with pytest.raises(TypeError, match="belief must be a RuleOverhypothesis"):
        check_overhypothesis_prediction(0.5, 0.5)
