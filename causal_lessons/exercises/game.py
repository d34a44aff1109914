"""Checkers for lesson 03, experiment then exploit (the causal DAG game)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import check_int
from ..environment import EpisodeBatch
from ..strategies import exact_choices, failure_reason, population_slopes
from .core import Feedback, check_choice, check_number

__all__ = ["check_expert_choice", "check_associational_choice", "check_failure_reason", "check_divergent_share"]

REASONS = ("confounding", "reverse causation")


def _episode(batch: Any, index: Any) -> int:
    if not isinstance(batch, EpisodeBatch):
        raise TypeError(f"batch must be an EpisodeBatch (from generate_episodes), got {type(batch).__name__}.")
    return check_int(index, "index", minimum=0, maximum=len(batch) - 1)


def _as_move(answer: Any, names: list[str]) -> tuple[str, int] | Feedback:
    """A student's (variable, sign) answer, or Feedback saying what shape it should have."""
    if answer is ... or answer is None:
        return Feedback(False, "no answer yet: replace the ... with a (variable, sign) pair such as ('B', -1).")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return Feedback(False, f"the answer should be a (variable, sign) pair such as ('B', -1), got {answer!r}.")
    name, sign = answer
    if name not in names:
        return Feedback(False, f"{name!r} is not a variable of this game; the variables are {', '.join(names)}.")
    if isinstance(sign, bool) or sign not in (1, -1):
        return Feedback(False, f"the sign should be +1 or -1, got {sign!r}.")
    return name, int(sign)


def check_expert_choice(batch: EpisodeBatch, index: int, answer: Any) -> Feedback:
    """The expert's exploit in episode ``index``: read each experiment's effect on the goal, keep the largest."""
    i = _episode(batch, index)
    move = _as_move(answer, batch.names)
    if isinstance(move, Feedback):
        return move
    expected = (batch.names[batch.exploit_var[i]], int(batch.exploit_sign[i]))
    if move == expected:
        return Feedback(True, "the largest estimated effect on the goal, used with its sign.")
    if move[0] == expected[0]:
        return Feedback(False, "right variable, wrong sign: a negative effect is exploited by setting the variable to -5.")
    return Feedback(False, "divide the goal's value after each experiment by 5 to estimate each variable's effect "
                           "on the goal; choose the largest in size, not counting the goal itself.")


def check_associational_choice(batch: EpisodeBatch, index: int, answer: Any) -> Feedback:
    """The choice of an associational learner with infinite observational data in episode ``index``.

    Every variable tied for the largest |population slope| is accepted.
    """
    i = _episode(batch, index)
    move = _as_move(answer, batch.names)
    if isinstance(move, Feedback):
        return move
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
