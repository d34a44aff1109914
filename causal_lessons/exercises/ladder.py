"""Checkers for lesson 01, the ladder of causation."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from ..ladder import is_backdoor_set, tutoring_scm
from ..scm import LinearGaussianSCM
from .core import (NOT_ANSWERED, Feedback, Unreadable, as_names, as_number, check_choice, check_labels, check_number,
                   check_true, exercise, not_answered)

__all__ = ["check_observational_slope", "check_total_effect", "check_backdoor_set", "check_counterfactual",
           "check_counterfactual_prediction", "check_slope_formula", "check_rung", "RUNG_QUESTIONS", "SIDES",
           "FORMULA_POINTS"]


@exercise("a number (the slope)", "the slope is Cov(X, Y) / Var(X); work out both from the structural equations")
def check_observational_slope(scm: LinearGaussianSCM, answer, x: str = "X", y: str = "Y") -> Feedback:
    """The exact slope of the regression of y on x alone."""
    return check_number(
        answer, scm.observational_slope(x, y), tol=1e-3,
        praise="that is what a regression on observational data would find, however large the sample.",
        hint="the slope is Cov(X, Y) / Var(X); work out both from the structural equations (or scm.covariance()).",
    )


#: The (Z->X weight a, Z->Y weight c) pairs at which :func:`check_slope_formula` tries a student's formula.
FORMULA_POINTS = ((1.0, 1.0), (2.0, 1.0), (-1.0, 1.0), (0.0, 3.0), (0.5, -2.0), (-3.0, 0.5), (1.5, 2.5))


@exercise("a function slope(a, c) that returns a number, and the slope it gives for a = -1, c = 2",
          "write Var(X) and Cov(X, Y) from the equations X = aZ + U_X and Y = 0.5 X + cZ + U_Y, then divide",
          answers=("answer", "flipped"))
def check_slope_formula(answer, flipped, effect: float = 0.5) -> Feedback:
    """Derive: the exact observational slope of Y on X in the tutoring model as a function of a and c.

    ``answer(a, c)`` is compared with :func:`causal_lessons.ladder.tutoring_scm`'s slope (Z -> X weight a,
    Z -> Y weight c, unit noise) at the pairs of :data:`FORMULA_POINTS`; ``flipped`` is the slope at
    a = -1, c = 2.
    """
    if not callable(answer):
        raise Unreadable("the answer should be a function slope(a, c) (written with def, or a lambda), "
                         f"but it is a value of type {type(answer).__name__}.")
    wrong = []
    for a, c in FORMULA_POINTS:
        try:
            value = answer(a, c)
            if value is None or value is NOT_ANSWERED:
                return not_answered("a function slope(a, c) that returns a number",
                                    "your function returns nothing yet: make it return the slope")
            value = as_number(value)
        except Unreadable as exc:
            return Feedback(False, f"slope({a}, {c}) did not give a number: {exc}")
        except Exception as exc:  # the student's function failed: say how, never crash
            return Feedback(False, f"slope({a}, {c}) raised {type(exc).__name__}: {exc}")
        exact = tutoring_scm(a, effect, motivation_effect=c).observational_slope("X", "Y")
        if abs(value - exact) > 1e-6:
            wrong.append((a, c))
    if wrong:
        return Feedback(False, f"your formula is off at {len(wrong)} of {len(FORMULA_POINTS)} test points, for "
                               f"example a = {wrong[0][0]}, c = {wrong[0][1]}. Var(X) = a^2 + 1; Cov(X, Y) = "
                               "0.5 Var(X) plus what Z adds through both of its arrows.")
    reply = check_number(flipped, tutoring_scm(-1.0, effect, motivation_effect=2.0).observational_slope("X", "Y"),
                         tol=1e-6, hint="your formula is right; now evaluate it at a = -1 and c = 2.")
    if not reply.correct:
        return reply
    return Feedback(True, "slope = 0.5 + c a / (a^2 + 1). The bias is never larger in size than |c| / 2, so with "
                          "c = 1 the slope never drops below 0; with c = 2 and a = -1 it is negative: seeing says "
                          "tutoring lowers the score, doing that it raises it.")


@exercise("a number (the total effect)", "add up, over the directed paths, the products of the weights")
def check_total_effect(scm: LinearGaussianSCM, cause: str, effect: str, answer) -> Feedback:
    """The total effect, a sum over directed paths of products of weights."""
    return check_number(
        answer, scm.total_effect(cause, effect), tol=1e-6,
        praise="the total effect is the sum over directed paths of the products of their weights.",
        hint=f"list every directed path from {cause} to {effect}; multiply the weights along each; add them up. "
             "Paths that go against an arrow do not count.",
    )


@exercise("a set of variable names, such as {'A', 'B'} (or set() for none)",
          "block every path that starts with an arrow into X, without opening one through a collider")
def check_backdoor_set(graph: nx.DiGraph, x: str, y: str, answer) -> Feedback:
    """Any valid backdoor adjustment set is accepted (there can be several)."""
    answer = as_names(answer, sorted(graph.nodes))
    if answer & nx.descendants(graph, x):
        return Feedback(False, f"a backdoor set must not contain descendants of {x}: adjusting for them blocks "
                               "part of the effect or opens new paths.")
    return check_true(
        is_backdoor_set(graph, x, y, answer),
        praise="this set blocks every backdoor path, so adjusting for it identifies the effect.",
        hint=f"some path from {x} to {y} that starts with an arrow INTO {x} is still open. "
             "Remember that conditioning on a collider opens a path.",
    )


@exercise("two numbers: the noise term U of the variable (abduction), then the counterfactual value",
          "abduction (recover U_Y from his facts), action (set X), prediction (recompute Y with the same U_Y)",
          answers=("noise", "answer"))
def check_counterfactual(scm: LinearGaussianSCM, observed: Mapping[str, float], interventions: Mapping[str, float],
                         variable: str, noise, answer) -> Feedback:
    """Abduction, action, prediction: the noise term of ``variable`` recovered from the facts, then its
    counterfactual value."""
    step = check_number(
        noise, scm.abduct(observed)[variable], tol=1e-3,
        hint=f"abduction first: solve {variable}'s equation for its noise term U_{variable}, using the facts "
             "(the observed values of the variable and of its parents).")
    if not step.correct:
        return Feedback(False, f"the noise term is not right yet: {step.message}")
    expected = scm.counterfactual(observed, interventions)[variable]
    return check_number(
        answer, expected, tol=1e-3,
        praise="abduction, action, prediction: the same individual, in a world where only the intervention changed.",
        hint="the noise term is right; now set the intervened variable (action) and recompute the downstream "
             "variables with the same noise terms (prediction).",
    )


#: The options of :func:`check_counterfactual_prediction`.
SIDES = ("above", "below", "the same")


@exercise('one of "above", "below" or "the same"',
          "compare what is special about this person (motivation, and the noise term) with an average student")
def check_counterfactual_prediction(scm: LinearGaussianSCM, observed: Mapping[str, float],
                                    interventions: Mapping[str, float], variable: str, answer) -> Feedback:
    """Is one person's counterfactual value above, below or the same as the population's mean under the same do()?"""
    mine = scm.counterfactual(observed, interventions)[variable]
    everyone = float(scm.do(interventions).mean()[variable])
    expected = "the same" if abs(mine - everyone) < 1e-9 else ("above" if mine > everyone else "below")
    return check_choice(
        answer, expected, SIDES,
        praise="a counterfactual keeps everything about the person that the intervention does not change; "
               "the population average under do() averages those things out.",
        hint="under the intervention his tutoring is what everyone's is, but his motivation Z and his own noise "
             "term U_Y stay his: add up how each of them moves his score away from an average student's.",
    )


#: Conceptual questions: which rung of the ladder (1 seeing, 2 doing, 3 imagining) answers each one?
#: Only the questions: the answers are the checker's.
RUNG_QUESTIONS = (
    "Students who took tutoring scored higher on average. How much higher?",
    "If we assign tutoring to a random half of the class, how much will scores rise?",
    "Sam took no tutoring and failed. Would he have passed with ten hours of tutoring?",
    "An A/B test of a new recommendation algorithm: what is its effect on clicks?",
    "Would this patient have recovered had she not taken the drug she took?",
)
# seeing: data as they come; doing: a population under an action; imagining: one case that already happened
_RUNGS = dict(zip(RUNG_QUESTIONS, (1, 2, 3, 2, 3)))


@exercise("a dict {question: rung} with 1, 2 or 3 for every question of RUNG_QUESTIONS",
          "does the question ask about data as they come, a population under an action, or one case that "
          "already happened?", answers=("answers",))
def check_rung(answers: Mapping[str, int]) -> Feedback:
    """``answers`` maps each question of :data:`RUNG_QUESTIONS` to 1, 2 or 3 (or lists the rungs in order)."""
    return check_labels(answers, _RUNGS, [1, 2, 3], label="rung", fill="a rung (1, 2 or 3)",
                        praise="seeing (1) is about data as it comes, doing (2) about populations under an "
                               "action, imagining (3) about a particular case that already happened.",
                        hint="Ask: does it ask about a population or one individual, and was anything done?")
