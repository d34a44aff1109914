"""Lesson 08's checkers: right answers pass, wrong ones get a hint that does not give the answer away."""

from __future__ import annotations

from causal_lessons import fusion, graphs
from causal_lessons.exercises.fusion import (
    check_adjusted_bias,
    check_class_size,
    check_expected_experiments,
    check_guaranteed_experiment,
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
