"""Checkers for lesson 02, "passive but interventional".

Each checker recomputes the right answer from the lesson's own objects (a log,
a graph) with :mod:`causal_lessons.passive_logs`; hints never give it away.
"""

from __future__ import annotations

from typing import Any

from .. import graphs
from .. import passive_logs as pl
from .core import Feedback, as_names, check_choice, check_number, check_set, exercise

__all__ = [
    "check_saturated_log_likelihood",
    "check_identifying_experiments",
    "check_effect_estimate",
    "check_unmarked_verdict",
]


@exercise("a number (the maximized log-likelihood)",
          "-n/2 * (log det(2π Σ) + d), with Σ the covariance with divisor n")
def check_saturated_log_likelihood(log: pl.PassiveLog, answer: Any) -> Feedback:
    """Exercise: the maximized log-likelihood of an unrestricted Gaussian on an observational log.

    It must equal the score of either direction, ``X→Y`` or ``Y→X``, which the
    checker computes with :func:`passive_logs.log_likelihood`.
    """
    log = pl.check_log(log)
    if (log.setter >= 0).any():
        raise ValueError("this exercise needs a log of observations only (p = 0).")
    a, b = log.variables[:2]
    expected = pl.log_likelihood(log, [(a, b)])
    return check_number(
        answer, expected, tol=1e-6, relative=True,
        praise=f"the unrestricted Gaussian reaches exactly the score of {a}→{b} and of {b}→{a}: "
               "each direction can fit any covariance matrix.",
        hint="use the covariance with divisor n (np.cov(..., bias=True)), its determinant, and "
             "-n/2 * (log det(2π Σ) + d) with d the number of variables.")


@exercise("a set of variable names, such as {'A'} (or set() for none)",
          "for each variable, cut the arrows into it in each graph of the class and compare the pictures")
def check_identifying_experiments(truth: Any, answer: Any) -> Feedback:
    """Exercise: the single variables whose experiments, added to observations, single out ``truth``."""
    truth = graphs.as_dag(truth, name="truth")
    expected = pl.identifying_experiments(truth)
    answer = as_names(answer, sorted(truth.nodes))
    return check_set(
        answer, expected,
        praise="right: an experiment helps when cutting the set variable's incoming edges leaves "
               "a different picture under each rival graph.",
        hint="for each variable, remove the arrows into it in each graph of the Markov class and ask whether "
             "the results still share skeleton and v-structures (interventional_class does this).")


@exercise("a number (the slope)", "fit Y on X with a straight line, on the rows in which Y was not set")
def check_effect_estimate(log: pl.PassiveLog, cause: str, effect: str, answer: Any) -> Feedback:
    """Exercise: the slope of ``effect`` on ``cause``, fitted on the rows in which ``effect`` was not set."""
    log = pl.check_log(log)
    expected = pl.fit_mechanism(log, effect, [cause]).weights[cause]
    pooled = pl.fit_mechanism(log.unmarked(), effect, [cause]).weights[cause]
    fb = check_number(answer, expected, tol=1e-3,
                      praise=f"that is the effect of {cause} on {effect}, estimated from the rows that "
                             f"follow {effect}'s mechanism.",
                      hint=f"not quite: fit {effect} on {cause} with an intercept (a straight line), using only "
                           f"the rows whose record does not say that {effect} was set.")
    if not fb.correct and check_number(answer, pooled, tol=1e-3).correct:
        return Feedback(False, f"this slope uses every row, including those in which someone set {effect} "
                               f"by hand: there {effect} did not listen to {cause}. Leave those rows out.")
    return fb


@exercise('one of "X→Y", "Y→X" or "neither"', "score both directions on the unmarked log and compare")
def check_unmarked_verdict(log: pl.PassiveLog, answer: Any) -> Feedback:
    """Exercise: which direction a learner that takes every row of ``log`` for an observation favours.

    The checker scores both directions on the unmarked log; a difference below
    one part in a billion counts as "neither".
    """
    log = pl.check_log(log).unmarked()
    a, b = log.variables[:2]
    forward, backward = pl.log_likelihood(log, [(a, b)]), pl.log_likelihood(log, [(b, a)])
    if abs(forward - backward) <= 1e-9 * max(1.0, abs(forward)):
        expected = "neither"
    else:
        expected = f"{a}→{b}" if forward > backward else f"{b}→{a}"
    options = (f"{a}→{b}", f"{b}→{a}", "neither")
    return check_choice(
        answer, expected, options,
        praise="yes: read as observations, any two-variable data fit both directions equally well; "
               "the experiments in the log are wasted without their record.",
        hint="score both directions on log.unmarked() and compare; then ask whether this could ever differ.")
