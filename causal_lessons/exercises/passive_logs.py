"""Checkers for lesson 02, "passive but interventional".

Each checker recomputes the right answer from the lesson's own objects (a log,
a graph) with :mod:`causal_lessons.passive_logs`; hints never give it away.
"""

from __future__ import annotations

from typing import Any

from .. import graphs
from .. import passive_logs as pl
from .core import Feedback, Unreadable, as_names, as_whole_number, check_number, check_set, exercise

__all__ = [
    "check_saturated_log_likelihood",
    "check_identifying_experiments",
    "check_effect_estimate",
    "check_remaining_graphs",
    "check_identifying_design",
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


def _variables_of(truth, answer: Any) -> set:
    """The variables a set answer names; :class:`Unreadable` without listing them all (that could be the answer)."""
    variables = sorted(truth.nodes)
    try:
        return as_names(answer, variables)
    except Unreadable:
        raise Unreadable(f"the answer should be a set of some of the {len(variables)} variables of the graph "
                         f"({variables[0]} to {variables[-1]}), such as {{{variables[0]!r}}}.") from None


@exercise("a set of variable names, such as {'A'} (or set() for none)",
          "for each variable, cut the arrows into it in each graph of the class and compare the pictures")
def check_identifying_experiments(truth: Any, answer: Any) -> Feedback:
    """Exercise: the single variables whose experiments, added to observations, single out ``truth``."""
    truth = graphs.as_dag(truth, name="truth")
    expected = pl.identifying_experiments(truth)
    answer = _variables_of(truth, answer)
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


@exercise("a whole number (how many graphs)",
          "cut the arrows into the set variable in each graph of the Markov class, and compare what is left")
def check_remaining_graphs(truth: Any, experiments: Any, answer: Any) -> Feedback:
    """Exercise: how many graphs observations plus experiments on ``experiments`` leave tied with ``truth``."""
    truth = graphs.as_dag(truth, name="truth")
    expected = len(pl.interventional_class(truth, experiments))
    try:
        value = as_whole_number(answer)
    except Unreadable as exc:
        return Feedback(False, str(exc))
    if value == expected:
        return Feedback(True, "the graphs that still look alike once the set variable's incoming arrows are cut "
                              "stay tied, however long the log.")
    return Feedback(False, "count the graphs of the Markov class (and only those: the others are already ruled out "
                           "by the observations) whose picture, with the arrows into the set variable removed, "
                           "matches the truth's (same skeleton, same v-structures).")


@exercise("a set of variable names, such as {'A', 'B'}",
          "an experiment on a variable cuts the arrows into it; you need a set of cuts that leaves every rival "
          "graph looking different from the truth")
def check_identifying_design(truth: Any, answer: Any) -> Feedback:
    """Open challenge: any set of variables whose experiments (each on its own) single out ``truth``.

    Every set that works is accepted; the feedback says how many graphs are still tied with a set that does
    not, and whether a smaller set would also do.
    """
    truth = graphs.as_dag(truth, name="truth")
    variables = sorted(truth.nodes)
    design = _variables_of(truth, answer)
    tied = len(pl.interventional_class(truth, design, variables=variables))
    if tied > 1:
        return Feedback(False, f"with experiments on {sorted(design) or 'no variable'}, {tied} graphs still fit "
                               "every row of the log equally well. Add an experiment that cuts arrows the rival "
                               "graphs disagree about.")
    smaller = any(len(pl.interventional_class(truth, design - {v}, variables=variables)) == 1 for v in design)
    return Feedback(True, "these experiments single out the truth among all "
                          f"{len(pl.all_hypotheses(variables))} graphs"
                          + ("; one of them could even be left out." if smaller else
                             ", and none of them can be left out."))
