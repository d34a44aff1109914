"""Lesson 08's checkers: right answers pass, wrong ones get a hint that does not give the answer away."""

from __future__ import annotations

import pytest

from causal_lessons import fusion, graphs
from causal_lessons.exercises.fusion import (
    check_adjusted_bias,
    check_class_size,
    check_expected_experiments,
    check_guaranteed_experiment,
    check_identifying_design,
    unresolved_edges,
)

PATH = graphs.as_dag([("A", "B"), ("B", "C"), ("C", "D")])
HIDDEN = graphs.as_dag([("A", "E"), ("E", "B"), ("E", "C"), ("B", "D"), ("C", "D")])
TRIANGLE = graphs.as_dag([("A", "B"), ("B", "C"), ("A", "C")])


def not_yet(feedback, *forbidden):
    assert not feedback.correct and repr(feedback).startswith(("Not yet", "Not answered yet"))
    for text in forbidden:
        assert text not in feedback.message
    return feedback.message


def test_class_size():
    assert len(fusion.consistent_dags(PATH)) == 4  # the answer the lesson's solution computes
    assert check_class_size(PATH, 4).correct
    assert check_class_size(PATH, 4.0).correct
    not_yet(check_class_size(PATH, 1), "4")
    assert "whole number" in not_yet(check_class_size(PATH, 3.5))
    assert "Not answered yet" in not_yet(check_class_size(PATH, ...))
    assert "single number" in not_yet(check_class_size(PATH, "four"))
    # a collider is alone in its class
    assert check_class_size(graphs.as_dag([("A", "C"), ("B", "C")]), 1).correct


def test_guaranteed_experiment():
    known = graphs.cpdag(HIDDEN)
    assert fusion.guaranteed_experiments(known) == ["E"]
    assert check_guaranteed_experiment(known, "E").correct
    message = not_yet(check_guaranteed_experiment(known, "A"), "E)", "'E'")
    assert "do(A)" in message
    assert "already oriented" in not_yet(check_guaranteed_experiment(known, "D"))
    assert "one of" in not_yet(check_guaranteed_experiment(known, "Q"))
    assert "Not answered yet" in not_yet(check_guaranteed_experiment(known, ...))


def test_expected_experiments():
    assert check_expected_experiments(TRIANGLE, 5 / 3).correct
    assert check_expected_experiments(TRIANGLE, 1.667).correct
    not_yet(check_expected_experiments(TRIANGLE, 2), "5/3", "1.67")
    not_yet(check_expected_experiments(TRIANGLE, 1.0))
    # the expected value comes from the exact analysis, not a constant
    chain = graphs.as_dag([("A", "B"), ("B", "C")])
    assert check_expected_experiments(chain, 1.0).correct


def test_adjusted_bias():
    world = fusion.fusion_scm(confounding=1.5)
    expected = 1.5**2 / (1 + 1.5**2)  # from the algebra: Var(U) share of T's variance left after Z
    assert check_adjusted_bias(world, expected).correct
    not_yet(check_adjusted_bias(world, 0.0), f"{expected:.2f}")
    not_yet(check_adjusted_bias(world, fusion.regression_coefficient(world, "Y", "T") - 1))  # the naive bias
    assert "Not answered yet" in not_yet(check_adjusted_bias(world, None))


TWO_PIECES = graphs.as_dag([("A", "E"), ("B", "C"), ("B", "D"), ("C", "D")])


def test_unresolved_edges():
    assert unresolved_edges(TWO_PIECES, []) == [("A", "E"), ("B", "C"), ("B", "D"), ("C", "D")]
    assert unresolved_edges(TWO_PIECES, ["E"]) == [("B", "C"), ("B", "D"), ("C", "D")]
    # B comes first in the truth: do(B) orients B's edges, the one between C and D stays open
    assert unresolved_edges(TWO_PIECES, ["E", "B"]) == [("C", "D")]
    assert unresolved_edges(TWO_PIECES, ["E", "C"]) == []  # C in the middle: Meek's rules do the rest
    assert unresolved_edges(TWO_PIECES, ["A", "B", "C"]) == []


@pytest.mark.parametrize("design", [{"A", "B", "C"}, {"A", "B", "D"}, {"A", "C", "D"}, {"E", "B", "C"},
                                    {"E", "B", "D"}, ["e", "c", "d"], ("A", "B", "C")])
def test_identifying_design_accepts_every_valid_design(design):
    assert len(fusion.consistent_dags(TWO_PIECES)) == 12
    fb = check_identifying_design(TWO_PIECES, design, max_experiments=3)
    assert fb.correct and "exactly one candidate" in fb.message


@pytest.mark.parametrize("design, says", [
    ({"A", "B"}, "still leave the direction of C–D open"),
    ({"B", "C", "D"}, "still leave the direction of A–E open"),
    (set(), "A–E, B–C, B–D, C–D"),
    ({"A", "B", "C", "D"}, "the budget is 3"),
    ({"A", "E", "B"}, "open"),
    ({"Q"}, "'Q' is not a variable here"),
    ("ABC", "should be a set of variable names"),
])
def test_identifying_design_says_what_is_wrong(design, says):
    assert says in not_yet(check_identifying_design(TWO_PIECES, design, max_experiments=3))


def test_identifying_design_placeholder_and_a_larger_budget():
    assert "Not answered yet" in not_yet(check_identifying_design(TWO_PIECES, ...))
    assert check_identifying_design(TWO_PIECES, {"A", "B", "C", "D"}, max_experiments=4).correct
