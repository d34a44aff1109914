"""Checkers for lesson 08, causal data fusion.

Every expected answer is computed from the lesson's objects by :mod:`causal_lessons.fusion`.
"""

from __future__ import annotations

import networkx as nx

from ..fusion import (
    consistent_dags,
    expected_experiments,
    guaranteed_experiments,
    informative_variables,
    regression_coefficient,
)
from ..scm import LinearGaussianSCM
from .core import Feedback, Unreadable, as_label, as_names, as_whole_number, check_number, check_true, exercise

__all__ = ["check_class_size", "check_guaranteed_experiment", "check_expected_experiments", "check_adjusted_bias",
           "unresolved_edges", "check_identifying_design"]


@exercise("a whole number of DAGs", "count the orientations of the CPDAG's undirected edges that add no "
          "v-structure and no cycle")
def check_class_size(dag: nx.DiGraph, answer) -> Feedback:
    """How many DAGs (including ``dag``) imply exactly the same conditional independences as ``dag``?"""
    expected = len(consistent_dags(dag, observational=True))
    answer = as_whole_number(answer)
    return check_number(
        answer, expected, tol=0.5,
        praise="each of them has the same skeleton and the same v-structures, so observation cannot tell them apart.",
        hint="draw the CPDAG (skeleton plus v-structures); count the ways to orient its undirected edges that "
             "create no new v-structure and no cycle. Do not forget the true DAG itself.",
    )


@exercise("a variable name in quotes, one of the graph's letters",
          "try a variable that touches many of the undirected edges")
def check_guaranteed_experiment(pdag: nx.DiGraph, answer) -> Feedback:
    """Name one variable whose single experiment orients every undirected edge of ``pdag``, whatever its result."""
    options = sorted(pdag.nodes)
    good = guaranteed_experiments(pdag)
    answer = as_label(answer, options)
    if answer not in informative_variables(pdag):
        return Feedback(False, f"every edge at {answer} is already oriented, so do({answer}) teaches nothing new: "
                               "spend the experiment where observation left a question open.")
    return check_true(
        answer in good,
        praise=f"whichever way do({answer}) comes out, Meek's rules orient everything that is left.",
        hint=f"do({answer}) orients the edges at {answer}, but for at least one possible result some edge "
             "further away stays undirected. Try a variable that touches more of the undirected edges.",
    )


@exercise("a number (an expected count of experiments)",
          "for each possible first experiment, count the DAGs of the class it identifies at once")
def check_expected_experiments(dag: nx.DiGraph, answer) -> Feedback:
    """Expected number of experiments of the optimal strategy, given ideal observational data from ``dag``."""
    expected = expected_experiments(dag, observational=True, strategy="optimal")
    return check_number(
        answer, expected, tol=0.01,
        praise="that is the average, over the equally likely DAGs of the class, of the experiments the best "
               "adaptive strategy needs.",
        hint="every DAG of the class is equally likely. For each possible first experiment, count in how many "
             "of the DAGs it identifies the graph at once; the others need one more experiment.",
    )


@exercise("a number (the bias)", "the regression coefficient of T, with Z in the regression, minus the true effect")
def check_adjusted_bias(scm: LinearGaussianSCM, answer) -> Feedback:
    """Bias of the observational regression of Y on T adjusted for Z, with unlimited data."""
    expected = regression_coefficient(scm, "Y", "T", ["Z"]) - scm.total_effect("T", "Y")
    return check_number(
        answer, expected, tol=1e-3,
        praise="adjusting for Z removes its confounding, but the path through the unmeasured U stays open; "
               "no sample size removes this bias.",
        hint="the bias is the regression coefficient of T (with Z in the regression) minus the true effect. "
             "Compute the coefficient from scm.covariance(), or with causal_lessons.fusion.regression_coefficient.",
    )


def unresolved_edges(dag: nx.DiGraph, design) -> list[tuple[str, str]]:
    """The edges whose direction observation and the experiments ``design`` leave open when ``dag`` is the truth:
    the adjacent pairs ``(a, b)`` (a before b alphabetically) that the remaining candidate DAGs orient in different
    ways; ``[]`` when the truth is identified."""
    candidates = consistent_dags(dag, list(design))
    pairs = sorted({tuple(sorted(e)) for g in candidates for e in g.edges})
    return [(a, b) for a, b in pairs if len({g.has_edge(a, b) for g in candidates}) > 1]


@exercise("a set of variable names, such as {'A', 'B'}: the variables to experiment on",
          "every undirected edge needs an experiment at one of its ends, or Meek's rules to orient it",
          answers=("design",))
def check_identifying_design(dag: nx.DiGraph, design, *, max_experiments: int = 3) -> Feedback:
    """Open challenge: any set of at most ``max_experiments`` single-variable experiments, decided in advance, that
    identifies the truth together with observation, whichever DAG of ``dag``'s equivalence class it is."""
    names = sorted(dag.nodes)
    try:
        chosen = as_names(design, names, "a set of variable names, such as {'A', 'B'}: the variables to experiment on")
    except Unreadable as exc:
        # name the known variables without listing them in a row: "A, B, C, ..." would read like a design
        message, listed, _ = str(exc).partition("; the variables are")
        if listed:
            message += f"; the variables are the letters {names[0]} to {names[-1]}."
        return Feedback(False, message)
    if len(chosen) > max_experiments:
        return Feedback(False, f"that is {len(chosen)} experiments; the budget is {max_experiments}. Which of them "
                               "could observation and the others make unnecessary?")
    for member in consistent_dags(dag):
        left = unresolved_edges(member, sorted(chosen))
        if left:
            shown = ", ".join(f"{a}–{b}" for a, b in left)
            arrows = ", ".join(f"{a}→{b}" for a, b in sorted(member.edges))
            return Feedback(False, f"if the true DAG were {arrows}, these experiments would still leave the "
                                   f"direction of {shown} open. An experiment tells the direction of every edge at "
                                   "its variable; what is left must follow by Meek's rules.")
    return Feedback(True, f"whichever DAG of the class is true, observation and these {len(chosen)} experiments "
                          "leave exactly one candidate: each undirected piece of the CPDAG got the experiments it "
                          "needs, and Meek's rules did the rest.")
