"""Checkers for lesson 05, explanations and a quality signal.

Each checker recomputes its answer from the lesson's own objects (rollouts,
mixed batches, the sweep's table) or from the package's exact formulas:
nothing is hard-coded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import explanations as ex
from .._validate import check_int
from ..explanations import PLAYS_LIKE, plays_like
from .core import Feedback, Unreadable, as_number, check_choice, check_number, exercise

__all__ = ["PLAYS_LIKE", "most_exploited", "check_shortcut_prediction", "check_flip_share", "lucky_share",
           "check_lucky_share", "check_plays_like", "check_mixture_design"]

def most_exploited(batch, result, goal: str) -> str:
    """The variable an agent exploited most often in the episodes of ``batch`` whose goal is ``goal``."""
    names = list(batch.names)
    if goal not in names:
        raise KeyError(f"goal: unknown variable {goal!r}; the variables are {', '.join(names)}.")
    mask = np.asarray(batch.goal) == names.index(goal)
    chosen = np.asarray(result.exploit_var)[mask]
    chosen = chosen[chosen >= 0]
    if chosen.size == 0:
        raise ValueError(f"the agent made no exploit intervention in the episodes with goal {goal}.")
    return names[int(np.bincount(chosen, minlength=len(names)).argmax())]


@exercise("a variable name in quotes, one of the graph's letters",
          "which rule can the agent read off from the names alone?")
def check_shortcut_prediction(answer: Any, batch, result, goal: str = "C") -> Feedback:
    """Prediction: in de-confounded episodes with goal ``goal``, which variable does the plain agent exploit
    most often?  ``result`` is its rollout of ``batch``."""
    right = most_exploited(batch, result, goal)
    return check_choice(
        answer, right, list(batch.names),
        praise=f"the plain agent exploits {right} most often when the goal is {goal}: in every training episode the "
               "variable named just before the goal was the best one, and that rule is easier to read off "
               "than the experiments' results.",
        hint="the agent never saw an episode in which the two rules disagree; which rule can it read off from "
             "the names alone?")


@exercise("a number between 0 and 1 (a share)",
          "write P(observe) and P(one variable) as functions of the low-quality share and set them equal")
def check_flip_share(answer: Any, n_vars: int = 4) -> Feedback:
    """With ``n_vars`` variables, the low-quality share at which "observe" becomes the mixture's most likely first
    move (half of the low-quality episodes associational, half random)."""
    n_vars = check_int(n_vars, "n_vars", minimum=2)
    right = ex.greedy_flip_share(n_vars)
    return check_number(
        answer, right, tol=0.01,
        praise=f"{right:.3f}: above it a plain imitator that plays its most likely move starts by observing, and "
               "from then on it is in an associational episode.",
        hint=f"write the probability of 'observe' as the associational share plus the random share times "
             f"1/({n_vars} + 1), the probability of one variable as the expert share / {n_vars} plus the random "
             "share times the same 1/(n + 1), and solve for the share where they are equal.")


def lucky_share(batch) -> float:
    """Share of the episodes labelled "high" (by their return) that the expert did not play."""
    quality = getattr(batch, "quality", None)
    played = getattr(batch, "played_by", None)
    if quality is None or played is None:
        raise TypeError("batch must be a QualityBatch from causal_lessons.explanations.mixed_episodes.")
    high = np.asarray(quality) == ex.QUALITY_LEVELS.index("high")
    if not high.any():
        raise ValueError("no episode of this batch is labelled 'high'.")
    return float(np.mean(np.asarray(played)[high] != 0))


@exercise("a number between 0 and 1 (a share)",
          "among the episodes labelled 'high', count those the expert did not play")
def check_lucky_share(answer: Any, batch) -> Feedback:
    """What share of the return-labelled "high" episodes in ``batch`` were played by another strategy than the
    expert's?"""
    right = lucky_share(batch)
    return check_number(
        answer, right, tol=0.01,
        praise=f"{right:.0%} of the 'high' episodes were played by the associational or the random strategy: a "
               "good outcome does not tell how the episode was played, so asking for 'high' asks for a mixture "
               "whose most likely first move may be to observe.",
        hint="select the episodes whose quality is the index of 'high' and count those whose played_by is not the "
             "expert's (0).")


@exercise('one of "the expert", "the associational strategy" or "neither"',
          "set the widget to this agent, share and quality, and read its first move")
def check_plays_like(answer: Any, table, kind: str = "return", low_share: float = 0.2,
                     asked: str = "low") -> Feedback:
    """Whom does the agent of ``kind`` (trained with ``low_share`` low-quality data) play like when asked for
    ``asked``?  Answered from the sweep's ``table`` by :func:`causal_lessons.explanations.plays_like` (the
    answers are :data:`PLAYS_LIKE`)."""
    found = plays_like(table, kind, low_share, asked)
    right = found["plays_like"]
    return check_choice(
        answer, right, PLAYS_LIKE,
        praise=f"it plays like {right} (first move 'observe' in {found['first_observes']:.0%} of episodes, "
               f"experiments on every variable in {found['explore_coverage']:.0%}): the token selects the "
               "behaviour of the training episodes that carried it.",
        hint="set the widget to this agent, share and quality, and read its first move and its exploration in the "
             "readout.")


@exercise("two shares between 0 and 1: of associational and of random episodes (the rest is the expert's)",
          "which low-quality strategy puts all of its first moves on one option?",
          answers=("associational", "random"))
def check_mixture_design(associational: Any, random: Any, *, low_at_least: float = 0.5, n_vars: int = 5) -> Feedback:
    """Open challenge: any mixture, at least ``low_at_least`` of it low-quality (shares ``associational`` and
    ``random``, the rest the expert's), whose most likely first move is still an experiment
    (:func:`causal_lessons.explanations.mixture_first_move`): a greedy plain imitator of it starts by experimenting."""
    shares = {}
    for name, value in (("associational", associational), ("random", random)):
        try:
            shares[name] = as_number(value)
        except Unreadable as exc:
            return Feedback(False, f"{name}: {exc}")
        if not 0 <= shares[name] <= 1:
            return Feedback(False, f"{name} should be a share between 0 and 1.")
    low = shares["associational"] + shares["random"]
    if low > 1 + 1e-9:
        return Feedback(False, "the two shares add up to more than 1: together they are the low-quality part of the "
                               "data, and the expert plays the rest.")
    if low < low_at_least - 1e-9:
        return Feedback(False, f"only {low:.0%} of this mixture is low quality; the challenge asks for at least "
                               f"{low_at_least:.0%}.")
    first = ex.mixture_first_move(shares["associational"], shares["random"], n_vars)
    if abs(first["observe"] - first["each variable"]) <= 1e-12:
        return Feedback(False, f"in this mixture 'observe' and each variable are equally likely first moves "
                               f"({first['observe']:.3f}): greedy imitation has no preferred first move. A little "
                               "less of the strategy that always observes would tip it.")
    if first["observe"] > first["each variable"]:
        return Feedback(False, f"in this mixture the first move is 'observe' with probability {first['observe']:.3f} "
                               f"and each variable with {first['each variable']:.3f}: greedy imitation would start by "
                               "observing. Which low-quality strategy puts all of its first moves on one option?")
    return Feedback(True, f"{low:.0%} of the data are low quality, yet each variable ({first['each variable']:.3f}) "
                          f"beats 'observe' ({first['observe']:.3f}) as a first move, so a greedy imitator starts by "
                          "experimenting. It is the associational share, all of its first moves on 'observe', not "
                          "low quality as such, that flips greedy imitation.")
