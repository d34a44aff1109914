"""Checkers for lesson 03, experiment then exploit (the causal DAG game)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import check_int
from ..environment import EpisodeBatch
from ..strategies import exact_choices, expert_values, failure_reason, population_slopes
from .core import Feedback, Unreadable, as_label, as_names, as_number, as_pair, check_choice, check_number, exercise

__all__ = ["check_expert_choice", "check_associational_choice", "check_failure_reason", "check_divergent_share",
           "check_noise_prediction", "check_adjustment_set", "REASONS", "NOISE_OPTIONS", "as_move", "episode_index"]

#: The options of :func:`check_failure_reason`.
REASONS = ("confounding", "reverse causation")
#: The options of :func:`check_noise_prediction`: which exact expected rewards change with the noise scale.
NOISE_OPTIONS = ("expert", "associational", "both", "neither")


def episode_index(batch: Any, index: Any, *, made_by: str = "generate_episodes") -> int:
    """``index`` checked as an episode of ``batch`` (an :class:`EpisodeBatch`, which ``made_by`` returns)."""
    if not isinstance(batch, EpisodeBatch):
        raise TypeError(f"batch must be an EpisodeBatch (from {made_by}), got {type(batch).__name__}.")
    return check_int(index, "index", minimum=0, maximum=len(batch) - 1)


def as_move(answer: Any, names: list[str]) -> tuple[str, int]:
    """A student's (variable, sign) answer, read as (one of ``names``, +1 or -1); :class:`Unreadable` says
    what shape it should have (the lessons' checkers of a move, lessons 03 and 11)."""
    name, sign = as_pair(answer, "a (variable, sign) pair such as ('B', -1)")
    try:
        name = as_label(name, names)
    except Unreadable:
        raise Unreadable(f"{name!r} is not a variable of this game; the variables are {', '.join(names)}.") from None
    try:
        value = as_number(sign)
    except Unreadable:
        value = None
    if value not in (1.0, -1.0):
        raise Unreadable(f"the sign should be +1 or -1, got {sign!r}.")
    return name, int(value)


MOVE = "a (variable, sign) pair such as ('B', -1)"


@exercise(MOVE, "divide the goal's value after each experiment by 5 and keep the largest in size")
def check_expert_choice(batch: EpisodeBatch, index: int, answer: Any) -> Feedback:
    """The expert's exploit in episode ``index``: read each experiment's effect on the goal, keep the largest."""
    i = episode_index(batch, index)
    move = as_move(answer, batch.names)
    expected = (batch.names[batch.exploit_var[i]], int(batch.exploit_sign[i]))
    if move == expected:
        return Feedback(True, "the largest estimated effect on the goal, used with its sign.")
    if move[0] == expected[0]:
        return Feedback(False, "right variable, wrong sign: a negative effect is exploited by setting the variable to -5.")
    return Feedback(False, "divide the goal's value after each experiment by 5 to estimate each variable's effect "
                           "on the goal; choose the largest in size, not counting the goal itself.")


@exercise(MOVE, "compare the observational slopes of the goal on each other variable")
def check_associational_choice(batch: EpisodeBatch, index: int, answer: Any) -> Feedback:
    """The choice of an associational learner with infinite observational data in episode ``index``.

    Every variable tied for the largest |population slope| is accepted.
    """
    i = episode_index(batch, index)
    move = as_move(answer, batch.names)
    goal = int(batch.goal[i])
    slopes = population_slopes(batch.total_effects[i:i + 1], batch.goal[i:i + 1])[0]
    allowed = batch.allowed[i].copy()
    allowed[goal] = False
    size = np.where(allowed, np.abs(slopes), -np.inf)
    best = {(batch.names[j], 1 if slopes[j] >= 0 else -1) for j in np.flatnonzero(np.isclose(size, size.max()))}
    if move in best:
        return Feedback(True, "that variable has the strongest association with the goal.")
    if move[1] != (1 if slopes[batch.names.index(move[0])] >= 0 else -1) and (move[0], -move[1]) in best:
        return Feedback(False, "right variable; the sign follows the sign of the slope.")
    return Feedback(False, "compute scm.observational_slope(variable, goal) for every allowed variable other than "
                           "the goal, and take the largest in size, with its sign.")


@exercise('"confounding" or "reverse causation"', "look for a directed path between the chosen variable and "
          "the goal, and which way it points")
def check_failure_reason(batch: EpisodeBatch, index: int, answer: Any) -> Feedback:
    """Why the associational choice goes wrong in a divergent episode: confounding or reverse causation."""
    i = episode_index(batch, index)
    exact = exact_choices(batch.subset([i]))
    if not exact.divergent[0]:
        raise ValueError(f"episode {i} is not divergent: the associational choice is as good as the causal one there.")
    if exact.assoc_ties[0] > 1:
        raise ValueError(f"in episode {i} several variables tie for the strongest association; "
                         "pick an episode where the associational choice is unique.")
    expected = failure_reason(batch.total_effects[i], int(batch.goal[i]), int(exact.assoc_var[0]))
    goal, chosen = batch.names[batch.goal[i]], batch.names[exact.assoc_var[0]]
    return check_choice(
        answer, expected, REASONS,
        praise=f"{'the goal causes' if expected == REASONS[1] else 'a common cause moves both'} {chosen} "
               f"{'' if expected == REASONS[1] else 'and ' + goal}: they move together, "
               "but setting it does not push the goal the way the association suggests.",
        hint=f"look for a directed path between {chosen} and {goal} in the drawing, and ask which way it points; "
             "if there is none, look for a variable with arrows into both.",
    )


@exercise("a number between 0 and 1 (a share)", "the share of episodes in which divergent_mask is True")
def check_divergent_share(batch: EpisodeBatch, answer: Any) -> Feedback:
    """The share of episodes in which the associational choice (infinite data) is worse than the causal one."""
    if not isinstance(batch, EpisodeBatch):
        raise TypeError(f"batch must be an EpisodeBatch (from generate_episodes), got {type(batch).__name__}.")
    share = float(exact_choices(batch).divergent.mean())
    return check_number(
        answer, share, tol=0.002,
        praise="in these episodes the associational rule picks a worse variable, however long it watches.",
        hint="use divergent_mask(batch) (True where the associational choice is worse) and take its mean; "
             "a share is a number between 0 and 1.",
    )


@exercise('one of "expert", "associational", "both" or "neither"',
          "ask how each strategy gets its numbers: from five noisy experiments, or from correlations")
def check_noise_prediction(batch: EpisodeBatch, answer: Any, factor: float = 10.0) -> Feedback:
    """Which exact expected rewards change when every noise scale of the game is multiplied by ``factor``?

    The expert's (:func:`~causal_lessons.strategies.expert_values`), the associational learner's with
    infinite data (the choice the population slopes make), both, or neither: computed on ``batch``'s
    episodes at both noise scales (the first 100 of them, to answer quickly).
    """
    if not isinstance(batch, EpisodeBatch):
        raise TypeError(f"batch must be an EpisodeBatch (from generate_episodes), got {type(batch).__name__}.")
    sigma, part = batch.noise_std, slice(0, 100)
    arrays = {"total_effects": batch.total_effects[part], "goal": batch.goal[part], "allowed": batch.allowed[part],
              "intervention_value": batch.intervention_value}
    expert = [expert_values(noise_std=s, **arrays).mean() for s in (sigma, factor * sigma)]
    slopes = [population_slopes(arrays["total_effects"], arrays["goal"], noise_std=s) for s in (sigma, factor * sigma)]
    expert_changes = not np.isclose(expert[0], expert[1], rtol=1e-6, atol=1e-9)
    assoc_changes = not np.allclose(slopes[0], slopes[1], rtol=1e-9, atol=1e-12)
    expected = {(True, True): "both", (True, False): "expert", (False, True): "associational",
                (False, False): "neither"}[(expert_changes, assoc_changes)]
    return check_choice(
        answer, expected, NOISE_OPTIONS,
        praise="with every noise term scaled alike, every covariance scales alike, so correlations and slopes "
               "stay put; the expert's estimates come from single noisy experiments, which get noisier.",
        hint="write a slope Cov(X, goal) / Var(X) with every noise variance multiplied by 100 and see what "
             "changes; then ask what one experiment, read off one noisy sample, would show with ten times the noise.",
    )


@exercise("a set of variable names, such as {'A', 'B'} (or set() for none)",
          "look at the drawing for paths from that variable to the goal that start with an arrow into it")
def check_adjustment_set(batch: EpisodeBatch, index: int, answer: Any) -> Feedback:
    """Open challenge: variables whose addition to the regression makes the exploited variable's slope its effect.

    In episode ``index``, the variable is the one the expert exploits; any set S for which the population
    regression of the goal on it and S gives it a coefficient equal to its total effect is accepted.
    """
    i = episode_index(batch, index)
    names = list(batch.names)
    chosen = set(as_names(answer, names))
    goal, variable = names[batch.goal[i]], names[batch.exploit_var[i]]
    if goal in chosen:
        return Feedback(False, "the set cannot contain the goal itself: it is what is being regressed.")
    scm = batch.scm(i)
    slope = scm.observational_slope(variable, goal, given=chosen)
    if abs(slope - scm.total_effect(variable, goal)) < 1e-6:
        return Feedback(True, "with these variables in the regression, the watcher's slope is the effect: "
                              "but to choose them it had to know the graph.")
    return Feedback(False, "with this set the slope is still not the effect: some path from the variable to the "
                           "goal that starts with an arrow into the variable is open, or a directed path or a "
                           "collider is in the set.")
