"""Checkers for lesson 03, experiment then exploit (the causal DAG game)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import check_int
from ..environment import EpisodeBatch
from ..strategies import exact_choices, failure_reason, population_slopes
from .core import Feedback, Unreadable, as_label, as_number, as_pair, check_choice, check_number, exercise

__all__ = ["check_expert_choice", "check_associational_choice", "check_failure_reason", "check_divergent_share"]

REASONS = ("confounding", "reverse causation")


def _episode(batch: Any, index: Any) -> int:
    if not isinstance(batch, EpisodeBatch):
        raise TypeError(f"batch must be an EpisodeBatch (from generate_episodes), got {type(batch).__name__}.")
    return check_int(index, "index", minimum=0, maximum=len(batch) - 1)


def _as_move(answer: Any, names: list[str]) -> tuple[str, int]:
    """A student's (variable, sign) answer; :class:`Unreadable` says what shape it should have."""
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
    i = _episode(batch, index)
    move = _as_move(answer, batch.names)
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
    i = _episode(batch, index)
    move = _as_move(answer, batch.names)
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
    i = _episode(batch, index)
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
        praise="in these episodes only an agent that intervenes can tell the better choice.",
        hint="use divergent_mask(batch) (True where the associational choice is worse) and take its mean; "
             "a share is a number between 0 and 1.",
    )
