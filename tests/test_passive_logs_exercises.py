"""Lesson 02's checkers accept the reference answers, reject wrong ones, and never give the answer away."""

from __future__ import annotations

import math

import numpy as np
import pytest

from causal_lessons import passive_logs as pl
from causal_lessons.exercises.passive_logs import (
    check_effect_estimate,
    check_identifying_experiments,
    check_saturated_log_likelihood,
    check_identifying_design,
    check_remaining_graphs,
)
from causal_lessons.scm import LinearGaussianSCM

SCM = LinearGaussianSCM({("X", "Y"): 0.8})
FORK = [("Y", "X"), ("Y", "Z")]


def test_saturated_log_likelihood():
    log = pl.make_log(SCM, 300, 0.0, seed=2)
    n, d = log.values.shape
    cov = np.cov(log.values, rowvar=False, bias=True)
    answer = -n / 2 * (math.log(np.linalg.det(2 * math.pi * cov)) + d)
    assert check_saturated_log_likelihood(log, answer).correct
    unbiased = np.cov(log.values, rowvar=False)
    wrong = -n / 2 * (math.log(np.linalg.det(2 * math.pi * unbiased)) + d)
    fb = check_saturated_log_likelihood(log, wrong)
    assert not fb.correct and "bias=True" in fb.message and f"{answer:.1f}" not in fb.message
    assert "Not answered yet" in check_saturated_log_likelihood(log, ...).message
    with pytest.raises(ValueError, match="observations only"):
        check_saturated_log_likelihood(pl.make_log(SCM, 300, 0.5, seed=2), answer)


def test_identifying_experiments():
    assert check_identifying_experiments(FORK, {"Y"}).correct
    assert check_identifying_experiments([("X", "Y"), ("Y", "Z")], ["Y", "X"]).correct
    fb = check_identifying_experiments(FORK, {"X", "Y"})
    assert not fb.correct and "extra" in fb.message
    assert "missing" in check_identifying_experiments(FORK, set()).message
    # an unknown name is explained without listing every variable (the right set could be among them)
    unknown = check_identifying_experiments(FORK, {"W"}).message
    assert "some of the 3 variables of the graph (X to Z)" in unknown and "X, Y, Z" not in unknown
    assert "some of the 3 variables" in check_identifying_experiments(FORK, "Y").message
    assert "Not answered yet" in check_identifying_experiments(FORK, ...).message


def test_effect_estimate():
    log = pl.make_log(SCM, 500, 0.5, seed=4)
    rows = ~log.was_set("Y")
    right = np.polyfit(log.column("X")[rows], log.column("Y")[rows], 1)[0]
    fb = check_effect_estimate(log, "X", "Y", right)
    assert fb.correct
    pooled = np.polyfit(log.column("X"), log.column("Y"), 1)[0]
    fb = check_effect_estimate(log, "X", "Y", pooled)
    assert not fb.correct and "Leave those rows out" in fb.message and f"{right:.2f}" not in fb.message
    fb = check_effect_estimate(log, "X", "Y", 0.0)
    assert not fb.correct and "record" in fb.message
    assert "single number" in check_effect_estimate(log, "X", "Y", "0.8").message


FULL = [("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D"), ("C", "D")]


def test_remaining_graphs():
    # setting X in the fork cuts Y→X: the fork and the reverse chain (X←Y←Z) both leave X alone
    assert check_remaining_graphs(FORK, ["X"], 2).correct
    assert check_remaining_graphs(FORK, ["X"], np.int64(2)).correct
    assert check_remaining_graphs(FORK, ["Y"], 1).correct
    wrong = check_remaining_graphs(FORK, ["X"], 3)
    assert not wrong.correct and "2" not in wrong.message
    assert "whole number" in check_remaining_graphs(FORK, ["X"], 2.5).message
    assert "Not answered yet" in check_remaining_graphs(FORK, ["X"], ...).message


def test_identifying_design_accepts_any_design_that_works():
    # the complete DAG over four variables: observations leave all 24 orders tied
    assert len(pl.interventional_class(FULL)) == 24
    working = [set(d) for r in range(5) for d in __import__("itertools").combinations("ABCD", r)
               if len(pl.interventional_class(FULL, d)) == 1]
    assert {"B", "C"} in working and {"A", "B"} not in working
    for design in working:
        assert check_identifying_design(FULL, design).correct
    assert "none of them can be left out" in check_identifying_design(FULL, {"b", "C"}).message
    assert "could even be left out" in check_identifying_design(FULL, {"A", "B", "C", "D"}).message
    short = check_identifying_design(FULL, {"C"})
    assert not short.correct and "2 graphs still fit" in short.message
    assert "24 graphs" in check_identifying_design(FULL, set()).message
    assert "should be a set of some of the 4 variables" in check_identifying_design(FULL, {"Q"}).message
    assert "Not answered yet" in check_identifying_design(FULL, ...).message
