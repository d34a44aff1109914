"""Lesson 09's checkers: right answers pass, wrong ones get a hint that does not give the answer away."""

from __future__ import annotations

import math

import numpy as np
import pytest

from causal_lessons.blickets import BlicketLearner, RuleOverhypothesis, binary_entropy, label_test
from causal_lessons.exercises import NOT_ANSWERED
from causal_lessons.exercises.blickets import (
    check_blicket_probability,
    check_information_gain,
    check_overhypothesis_prediction,
    check_sure_blickets,
    check_sure_design,
    shortest_sure_designs,
    unsure_worlds,
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


def test_information_gain_asks_for_the_probability_first():
    learner = BlicketLearner().observe(ONE_CAUSE)
    p = learner.p_lit("C")
    assert p == pytest.approx(0.5)
    assert check_information_gain(learner, "C", p, binary_entropy(p)).correct
    assert check_information_gain(learner, "C", 0.5, -p * math.log2(p) - (1 - p) * math.log2(1 - p)).correct
    wrong = check_information_gain(learner, "C", p, math.log(2))  # natural log instead of bits
    assert not wrong.correct and wrong.message.startswith("gain:") and "base 2" in wrong.message
    # the helper's gain alone is not enough: the probability is asked first
    no_p = check_information_gain(learner, "C", learner.expected_information_gain("C"), 1.0)
    assert not no_p.correct and no_p.message.startswith("p_light:") and "0.5" not in no_p.message
    assert not check_information_gain(learner, "C", p, "1 bit").correct
    assert "Not answered yet" in check_information_gain(learner, "C", ..., 1.0).message
    with pytest.raises(TypeError, match="learner must be a BlicketLearner"):
        check_information_gain("learner", "C", 0.5, 1.0)
    # another learner, where the probability is not one half
    other = BlicketLearner().observe([("AB", True)])
    q = other.p_lit("A")
    assert q != pytest.approx(0.5) and check_information_gain(other, "A", q, binary_entropy(q)).correct


DARK_PAIR = [("AB", False)]


@pytest.mark.parametrize("design", [["C", "AC"], ["AC", "BC"], ("C", "BC"), [{"A", "C"}, ("B", "C")], [" c ", "ca"],
                                    np.array(["C", "AC"])])
def test_sure_design_accepts_every_shortest_design(design):
    fb = check_sure_design(DARK_PAIR, design)
    assert fb.correct and "no shorter design" in fb.message


def test_shortest_sure_designs_and_unsure_worlds():
    learner = BlicketLearner().observe(DARK_PAIR)
    shortest = shortest_sure_designs(learner)
    assert sorted(sorted(label_test(t) for t in d) for d in shortest) == [["AC", "BC"], ["AC", "C"], ["BC", "C"]]
    assert unsure_worlds(learner, ["C", "AC"]) == []
    # after C alone, the two conjunctive worlds still look alike
    left = unsure_worlds(learner, ["C"])
    assert {label_test(world.blickets) for world, _ in left} == {"AC", "BC"}
    assert all(objects == ["A", "B"] for _, objects in left)
    # a learner that knows nothing needs more than two tests, and none of three does
    assert shortest_sure_designs(BlicketLearner(), max_tests=3) == []
    with pytest.raises(TypeError, match="learner must be a BlicketLearner"):
        unsure_worlds("learner", ["A"])


@pytest.mark.parametrize("design, says", [
    (["C"], "still unsure whether A and B are blickets"),
    ([], "still unsure"),
    (["C", "C"], "still unsure"),
    (["C", "AC", "B"], "Fewer tests can do it"),
    ("C", "should be a list of tests"),
    ({"C": True}, "should be a list of tests"),
    (["X"], "test 1"),
    (["C", ""], "test 2 puts nothing on the detector"),
    ([1], "test 1 must be the objects on the detector"),
])
def test_sure_design_says_what_is_wrong(design, says):
    fb = check_sure_design(DARK_PAIR, design)
    assert not fb.correct and says in fb.message


def test_sure_design_placeholder():
    assert repr(check_sure_design(DARK_PAIR, ...)).startswith("Not answered yet")


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
