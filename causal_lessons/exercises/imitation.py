"""Checkers for lesson 07, "error accumulation and DAgger".

Each checker recomputes the right answer with :mod:`causal_lessons.imitation`
(the chain analysis, the foggy ridge, the lesson's own counting model); hints
never give it away.
"""

from __future__ import annotations

from typing import Any

from .. import imitation as im
from .._validate import check_count, check_real, check_seed
from .core import Feedback, as_whole_number, check_choice, check_number, exercise

__all__ = [
    "check_bc_cost",
    "smallest_horizon_for_ratio",
    "check_horizon_for_ratio",
    "MORE_DATA_OPTIONS",
    "more_demonstrations_verdict",
    "check_more_demonstrations",
    "RELIANCE_OPTIONS",
    "check_reliance",
]


@exercise("a number (the expected cost)", "add up, for t = 1, ..., T, the chance that a step before t went wrong")
def check_bc_cost(answer: Any, *, epsilon: float, horizon: int) -> Feedback:
    """Exercise: behaviour cloning's expected cost in the chain model, computed by the student."""
    expected = im.bc_expected_cost(epsilon, horizon)
    return check_number(
        answer, expected, tol=1e-3, relative=True,
        praise=f"that is {expected / im.dagger_expected_cost(epsilon, horizon):.3g} times the cost of correcting "
               "every mistake at the next step.",
        hint="add up, for t = 1, ..., T, the chance that at least one of the first t steps went wrong; "
             "the chance that none did is (1 - ε) to the power t.")


def smallest_horizon_for_ratio(epsilon: float, factor: float, *, max_horizon: int = 100_000) -> int:
    """The smallest horizon T at which BC's expected cost is at least ``factor`` times DAgger's (``epsilon * T``)."""
    epsilon = check_real(epsilon, "epsilon", minimum=0.0, strict_minimum=True, maximum=1.0)
    factor = check_real(factor, "factor", minimum=1.0)
    max_horizon = check_count(max_horizon, "max_horizon")
    if factor * epsilon >= 1:
        raise ValueError(f"factor must be below 1/ε = {1 / epsilon:.3g}: BC's cost approaches, but never "
                         f"reaches, 1/ε times DAgger's; got factor {factor:g}.")
    for T in range(1, max_horizon + 1):
        if im.bc_expected_cost(epsilon, T) >= factor * im.dagger_expected_cost(epsilon, T):
            return T
    raise ValueError(f"BC's cost stays below {factor:g} times DAgger's up to T = {max_horizon} "
                     f"(the ratio can never pass about 1/ε = {1 / epsilon:.3g}); ask for a smaller factor.")


@exercise("a whole number of steps", "compute the ratio of the two costs for T = 1, 2, 3, ...")
def check_horizon_for_ratio(answer: Any, *, epsilon: float, factor: float) -> Feedback:
    """Exercise: the shortest horizon at which cloning costs ``factor`` times what DAgger costs."""
    expected = smallest_horizon_for_ratio(epsilon, factor)
    answer = as_whole_number(answer)
    return check_number(
        answer, expected, tol=0,
        praise=f"while εT is small the ratio is close to (T + 1) / 2, so it grows linearly with the horizon; "
               f"at ε = {epsilon:g} it reaches {factor:g} at T = {expected}.",
        hint="compute the ratio bc_expected_cost(ε, T) / dagger_expected_cost(ε, T) for T = 1, 2, 3, ... "
             "and stop at the first T where it reaches the factor.")


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
