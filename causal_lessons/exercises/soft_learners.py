"""Checkers for lesson 11, parts 2 and 3 (soft learners and logical tools): exercises 2 (predict), 3 (compute) and
5 (derive)."""

from __future__ import annotations

from typing import Any

from .. import soft_learners as sl
from ..game import EpisodeBatch
from .core import Feedback, check_choice, check_number, exercise
from .game import as_move, episode_index

__all__ = ["CHANGES", "check_control_prediction", "check_controlled_choice", "check_failing_score"]

#: The answers exercise 2 accepts.
CHANGES = ("higher", "lower", "the same")


@exercise("a word that compares the two scores", "what does the goal's value in the observation step tell you "
          "about the level that the hidden cause sets?")
def check_control_prediction(answer: Any, strength: float = 1.0, n_episodes: int = 2000, seed: int = 0) -> Feedback:
    """Exercise 2 (predict): does the rule that reads each experiment against the observation step
    (:func:`causal_lessons.soft_learners.controlled_tool`) score higher, lower or the same as the rigid solver in
    the hidden-cause world at ``strength`` (computed on ``n_episodes`` episodes)?"""
    episodes = sl.world_episodes(n_episodes, sl.World("hidden", strength), seed=seed, game_spec=sl.get_config().game)
    batch = sl.play_world(episodes, seed=seed)
    control = sl.controlled_tool(batch.explore_actions, batch.explore_values, episodes.goal, episodes.allowed,
                                 episodes.intervention_value)
    rigid = sl.gain_score(episodes, batch.exploit_var, batch.exploit_sign)
    controlled = sl.gain_score(episodes, control.var, control.sign)
    if controlled["score"] > rigid["score"] + sl.BEST_OF_BOTH_MARGIN:
        expected = "higher"
    elif controlled["score"] < rigid["score"] - sl.BEST_OF_BOTH_MARGIN:
        expected = "lower"
    else:
        expected = "the same"
    return check_choice(answer, expected, CHANGES,
                        praise="the control measures the level the hidden cause sets, and the difference removes most "
                               "of it: one piece of knowledge about this world, built in by hand.",
                        hint="the rigid solver takes the goal's level to be 0 before every experiment; what does the "
                             "observation step show the level to be?")


@exercise("a (variable, sign) pair such as ('B', -1)", "subtract the goal's value in the observation step from its "
          "value after each experiment")
def check_controlled_choice(batch: EpisodeBatch, index: int, answer: Any) -> Feedback:
    """Exercise 3 (compute): the exploit read against the control observation in episode ``index``."""
    i = episode_index(batch, index, made_by="play_world")
    move = as_move(answer, batch.names)
    if not (batch.explore_actions[i] < 0).any():
        raise ValueError(f"episode {index} has no observation step to serve as a control.")
    part = slice(i, i + 1)
    reading = sl.controlled_tool(batch.explore_actions[part], batch.explore_values[part], batch.goal[part],
                                 batch.allowed[part], batch.intervention_value)
    expected = (batch.names[int(reading.var[0])], int(reading.sign[0]))
    if move == expected:
        return Feedback(True, "measured against the control, the hidden cause's push drops out of every reading.")
    if move[0] == expected[0]:
        return Feedback(False, "right variable; the sign is the sign of the difference from the control.")
    return Feedback(False, "for each experimented variable (not the goal), take the goal's value after it minus the "
                           "goal's value in the observation step; choose the largest difference in size.")


@exercise("a share between 0 and 1 (a number)", "when the experiment on the one useful variable works, the rigid "
          "solver finds it; when it fails, every reading is noise")
def check_failing_score(answer: Any, strength: float = 0.5) -> Feedback:
    """Exercise 5 (derive): the rigid solver's expected score in failing worlds at ``strength``, in episodes where
    exactly one exploit candidate moves the goal."""
    p = sl.World("failing", strength).parameter
    return check_number(answer, 1.0 - p, tol=0.005,
                        praise="its experiment on the useful variable fails with probability p, and then its "
                               "choice is a coin toss worth nothing on average: 1 - p.",
                        hint="split on whether the experiment on the one useful variable worked; what is a "
                             "choice worth on average when every reading is noise?")
