"""Checkers for lesson 07, "error accumulation and DAgger".

Each checker recomputes the right answer with :mod:`causal_lessons.imitation`
(the chain analysis, the foggy ridge, the lesson's own counting model); hints
never give it away.
"""

from __future__ import annotations

import math
from typing import Any

from .. import imitation as im
from .._validate import check_count, check_probability, check_real, check_seed
from .core import Feedback, Unreadable, as_number, as_whole_number, check_choice, check_number, exercise

__all__ = [
    "GROWTH_OPTIONS",
    "doubling_growth",
    "check_growth_prediction",
    "check_bc_walk",
    "check_quiet_compounding",
    "MORE_DATA_OPTIONS",
    "more_demonstrations_verdict",
    "check_more_demonstrations",
    "RELIANCE_OPTIONS",
    "check_reliance",
]


#: The answers of the prediction exercise: by about what factor does BC's cost grow when the horizon doubles?
GROWTH_OPTIONS = ("about 2 times", "about 4 times", "about 8 times")


def doubling_growth(epsilon: float, horizon: int) -> float:
    """By what factor behaviour cloning's expected cost grows when the horizon doubles from ``horizon``."""
    return im.bc_expected_cost(epsilon, 2 * check_count(horizon, "horizon")) / im.bc_expected_cost(epsilon, horizon)


@exercise('one of "about 2 times", "about 4 times" or "about 8 times"',
          "while εT is small, the chance of being off the ridge at step t grows like εt")
def check_growth_prediction(answer: Any, *, epsilon: float = 0.01, horizon: int = 10) -> Feedback:
    """Exercise (predict): the horizon doubles from ``horizon``; by about what factor does BC's cost grow?

    The right option is the one nearest (on a log scale) to the factor computed by :func:`doubling_growth`.
    """
    growth = doubling_growth(epsilon, horizon)
    expected = min(GROWTH_OPTIONS, key=lambda option: abs(math.log(float(option.split()[1]) / growth)))
    return check_choice(
        answer, expected, GROWTH_OPTIONS,
        praise=f"the cost grows {growth:.2f}-fold: step t is off the ridge with probability about εt, and the sum "
               f"of εt over T steps is about εT²/2, so twice the steps cost about four times as much. A learner "
               f"corrected at the next step pays εT: twice as much.",
        hint="while εT is small, the chance of being off the ridge after t steps is about εt; add that up over "
             "the T steps, then double T.")


@exercise("two numbers: a probability and an expected cost",
          "the walker is still on the ridge only if it read every marker right",
          answers=("on_ridge", "bc_cost"))
def check_bc_walk(on_ridge: Any, bc_cost: Any, *, epsilon: float, horizon: int) -> Feedback:
    """Exercise (compute): the chance that the cloned walker is still on the ridge after the last step, and
    behaviour cloning's expected cost, in the chain model (from :func:`causal_lessons.imitation.off_path_probability`
    and :func:`~causal_lessons.imitation.bc_expected_cost`)."""
    still = 1.0 - float(im.off_path_probability(epsilon, horizon)[-1])
    first = check_number(on_ridge, still, tol=1e-3,
                         hint="it is still on the ridge after T steps only if it read all T markers right, each "
                              "with probability 1 - ε.")
    if not first:
        return Feedback(False, "on_ridge: " + first.message)
    expected = im.bc_expected_cost(epsilon, horizon)
    second = check_number(
        bc_cost, expected, tol=1e-3, relative=True,
        praise=f"that is {expected / im.dagger_expected_cost(epsilon, horizon):.3g} times the cost of correcting "
               "every mistake at the next step.",
        hint="add up, for t = 1, ..., T, the chance that at least one of the first t steps went wrong; "
             "the chance that none did is (1 - ε) to the power t.")
    return second if second else Feedback(False, "bc_cost: " + second.message)


@exercise("a per-step error ε (a number between 0 and 0.5) and a horizon T (a whole number of steps)",
          "the ratio of the two costs is about (T + 1) / 2 while εT is small; the walker finishes on the ridge "
          "with probability (1 - ε)^T", answers=("epsilon", "horizon"))
def check_quiet_compounding(epsilon: Any, horizon: Any, *, factor: float = 10.0, on_ridge: float = 0.5,
                            max_horizon: int = 100_000) -> Feedback:
    """Exercise (open challenge): any ε and T for which behaviour cloning costs at least ``factor`` times the
    corrected learner's εT, although the cloned walker still ends on the ridge in at least ``on_ridge`` of its walks.
    """
    factor = check_real(factor, "factor", minimum=1.0)
    on_ridge = check_probability(on_ridge, "on_ridge")
    try:
        eps = as_number(epsilon)
    except Unreadable as exc:
        return Feedback(False, f"epsilon: {exc}")
    if not 0 < eps < 0.5:
        return Feedback(False, "epsilon should be a per-step error between 0 and 0.5 (both excluded).")
    try:
        steps = as_whole_number(horizon)
    except Unreadable as exc:
        return Feedback(False, f"horizon: {exc}")
    if not 1 <= steps <= max_horizon:
        return Feedback(False, f"horizon should be a whole number of steps from 1 to {max_horizon:,}.")
    ratio = im.bc_expected_cost(eps, steps) / im.dagger_expected_cost(eps, steps)
    finished = 1.0 - float(im.off_path_probability(eps, steps)[-1])
    problems = []
    if ratio < factor:
        problems.append(f"behaviour cloning costs only {ratio:.3g} times the corrected learner's εT here "
                        f"({factor:g} needed): while εT is small the ratio is about (T + 1) / 2, and it never exceeds 1/ε")
    if finished < on_ridge:
        problems.append(f"the cloned walker is still on the ridge at the end of only {finished:.2%} of its walks "
                        f"(at least {on_ridge:.0%} needed): εT is too large")
    if problems:
        return Feedback(False, "; and ".join(problems) + ".")
    return Feedback(True, f"ε = {eps:g}, T = {steps}: {finished:.0%} of the cloned walks never leave the ridge, yet "
                          f"the clone costs {ratio:.3g} times as much as the corrected learner. The few walks that "
                          "fall early pay for every step that follows: compounding needs no frequent mistakes.")


#: The choices for :func:`check_more_demonstrations`.
MORE_DATA_OPTIONS = ("much lower", "about the same", "much higher")


def more_demonstrations_verdict(task: im.FoggyRidge, *, horizon: int, demonstrations: int, times: int = 10,
                                episodes: int = 20_000, seed: int = 0) -> tuple[str, float, float]:
    """Train BC on ``demonstrations`` and on ``times`` as many expert episodes; compare their measured costs.

    Returns the verdict (one of :data:`MORE_DATA_OPTIONS`: a change of less
    than 10 % is "about the same") and the two costs.
    """
    times = check_count(times, "times")
    seed = check_seed(seed)
    few = im.behaviour_cloning(task, horizon=horizon, demonstrations=demonstrations, seed=seed)
    many = im.behaviour_cloning(task, horizon=horizon, demonstrations=demonstrations * times, seed=seed + 1)
    cost_few, _ = im.measured_cost(task, few, horizon, episodes=episodes, seed=seed + 2)
    cost_many, _ = im.measured_cost(task, many, horizon, episodes=episodes, seed=seed + 2)
    change = (cost_many - cost_few) / cost_few if cost_few > 0 else 0.0
    verdict = "much lower" if change < -0.1 else "much higher" if change > 0.1 else "about the same"
    return verdict, cost_few, cost_many


@exercise('one of "much lower", "about the same" or "much higher"',
          "train behaviour_cloning with both numbers of demonstrations and compare measured_cost")
def check_more_demonstrations(answer: Any, task: im.FoggyRidge, *, horizon: int, demonstrations: int,
                              times: int = 10, seed: int = 0) -> Feedback:
    """Exercise: with ``times`` as many expert demonstrations, is behaviour cloning's cost lower?"""
    verdict, few, many = more_demonstrations_verdict(task, horizon=horizon, demonstrations=demonstrations,
                                                     times=times, seed=seed)
    return check_choice(
        answer, verdict, MORE_DATA_OPTIONS,
        praise=f"measured cost {few:.3g} with {demonstrations} demonstrations, {many:.3g} with "
               f"{demonstrations * times}: more of the expert's states cannot teach what to do on the slope, "
               "because the expert is never there.",
        hint="train behaviour_cloning with both numbers of demonstrations and compare measured_cost; "
             "then look at what each learned table does on the slope.")


#: The choices for :func:`check_reliance`.
RELIANCE_OPTIONS = ("last digit", "start and position")


@exercise('"last digit" or "start and position"', "set the last digit off the path and see what the model follows")
def check_reliance(answer: Any, model: im.CountingModel) -> Feedback:
    """Exercise: which input does this counting model follow when they disagree?"""
    shares = im.reliance_on_last_digit(model)
    expected = max(RELIANCE_OPTIONS, key=lambda option: shares[option])
    return check_choice(
        answer, expected, RELIANCE_OPTIONS,
        praise=f"given a wrong last digit, the model continues from it in {shares['last digit']:.0%} of the "
               f"contexts and returns to the path in {shares['start and position']:.0%}.",
        hint="call reliance_on_last_digit on the model: it sets the last digit off the path (an intervention) "
             "and records which input the model's prediction follows.")
