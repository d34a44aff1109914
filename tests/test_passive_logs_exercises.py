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
    check_unmarked_verdict,
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
    assert "'W' is not a variable" in check_identifying_experiments(FORK, {"W"}).message
    assert "should be a set of variable names" in check_identifying_experiments(FORK, "Y").message
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


def test_unmarked_verdict():
    log = pl.make_log(SCM, 400, 0.5, seed=1)
    assert check_unmarked_verdict(log, "neither").correct
    assert not check_unmarked_verdict(log, "X→Y").correct
    assert "one of" in check_unmarked_verdict(log, "X=>Y").message
    # "->" is the same arrow as "→", and labels ignore case and surrounding space
    assert repr(check_unmarked_verdict(log, " x->y ")) == repr(check_unmarked_verdict(log, "X→Y"))
    assert "Not answered yet" in check_unmarked_verdict(log, None).message
