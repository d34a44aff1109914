"""The rigid solver, the exact tool, the teacher, and how any player plays episodes of a (broken) world.

* The **rigid solver** applies the game's exact rules: experiment once on every
  allowed variable (do(X_i = +5), in a random order), read each variable's
  effect on the goal off that one experiment (the goal's value / 5: exact in the
  linear game, up to its small noise), and exploit the largest effect with its
  sign.  It is lesson 03's expert, :class:`causal_lessons.strategies.ExpertStrategy`.
* The **effect tool** (:func:`effect_tool`) is the same arithmetic offered as
  advice: from any exploration, each experimented variable's effect estimate and
  the exploit it recommends.  A tool user reads it as one more input.
* The **teacher** whose episodes the learners imitate experiments like the
  rigid solver, then makes the exploit that is *best in its world*
  (:meth:`~causal_lessons.soft_learners.worlds.WorldEpisodes.best_choice`): in
  the game as designed that is the rigid solver's choice (up to noise); in a
  broken world it is what the rigid solver would need to know to do well.

:func:`play_world` plays whole episodes with the rigid solver's exploration and
either exploit (an :class:`~causal_lessons.game.EpisodeBatch`: training data, or
the episodes that agents then replay); :func:`play_agent` lets a trained agent
play the same episodes actively (:func:`causal_lessons.training.rollout` under the
world's rules).

>>> from causal_lessons.soft_learners.worlds import World, world_episodes
>>> batch = play_world(world_episodes(4, World("noisy", 0.5), seed=0), exploit="rigid", seed=0)
>>> batch.explore_actions.shape, batch.strategy
((4, 5), 'rigid solver')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import training
from .._validate import check_seed
from ..game import EpisodeBatch, check_batch
from ..strategies import ExpertStrategy, expert_estimates
from .worlds import WorldEpisodes

__all__ = ["EXPLOITS", "ToolReading", "effect_tool", "controlled_tool", "play_world", "play_agent",
           "check_world_episodes"]

#: How :func:`play_world` exploits: the rigid solver's rule, or the best choice in the world (the teacher).
EXPLOITS = ("rigid", "best")


@dataclass
class ToolReading:
    """What the effect tool computed: ``estimates`` (B, n; NaN where no experiment was made), and the
    exploit it recommends, ``var`` (-1 when no allowed variable other than the goal was experimented on)
    and ``sign``."""

    estimates: np.ndarray
    var: np.ndarray
    sign: np.ndarray


def effect_tool(explore_actions, explore_values, goal, allowed, intervention_value: float = 5.0) -> ToolReading:
    """The exact tool: each variable's effect on the goal read off its experiment, and the exploit it implies.

    The estimate of X_i's effect is the goal's value after do(X_i = v) divided
    by v (the last experiment counts); the recommendation is the allowed
    non-goal variable with the largest |estimate|, with the estimate's sign:
    the rigid solver's rule, which never fails: with no usable experiment it
    recommends nothing (``var`` -1).

    >>> reading = effect_tool([[0, 1]], [[[5.0, 4.9, -10.0], [0.0, 5.0, 2.0]]], [2], [[True, True, True]])
    >>> [round(float(e), 2) for e in reading.estimates[0]], int(reading.var[0]), int(reading.sign[0])
    ([-2.0, 0.4, nan], 0, -1)
    """
    goal = np.asarray(goal, dtype=np.int64)
    allowed = np.asarray(allowed, dtype=bool)
    estimates = expert_estimates(explore_actions, explore_values, goal, intervention_value)
    rows = np.arange(len(goal))
    cand = allowed.copy()
    cand[rows, goal] = False
    cand &= ~np.isnan(estimates)
    var = np.where(cand, np.abs(np.nan_to_num(estimates)), -1.0).argmax(axis=1)
    sign = np.where(np.nan_to_num(estimates[rows, var]) >= 0, 1, -1)
    var = np.where(cand.any(axis=1), var, -1)
    return ToolReading(estimates, var.astype(np.int64), sign.astype(np.int64))


def controlled_tool(explore_actions, explore_values, goal, allowed, intervention_value: float = 5.0
                    ) -> ToolReading:
    """The effect tool read against a control: each experiment's goal value minus the goal's value in the
    episode's last observation step, divided by v (no control: as :func:`effect_tool`).

    A rule for worlds whose level need not start at 0 (a hidden common cause);
    the rigid solver, whose model says the level is 0, has no use for the control.

    >>> reading = controlled_tool([[0, 1, -1]], [[[5.0, 4.9, 3.0], [0.0, 5.0, 2.0], [0.1, 0.0, 2.5]]], [2],
    ...                           [[True, True, True]])
    >>> [round(float(e), 2) for e in reading.estimates[0]], int(reading.var[0]), int(reading.sign[0])
    ([0.1, -0.1, nan], 0, 1)
    """
    actions = np.asarray(explore_actions, dtype=np.int64)
    values = np.asarray(explore_values, dtype=float)
    goal = np.asarray(goal, dtype=np.int64)
    rows = np.arange(len(goal))
    observed = actions < 0
    last = np.where(observed.any(axis=1), actions.shape[1] - 1 - observed[:, ::-1].argmax(axis=1), -1)
    base = np.where(last >= 0, values[rows, np.maximum(last, 0), goal], 0.0)
    shifted = values - np.where(np.arange(values.shape[2]) == goal[:, None], base[:, None], 0.0)[:, None, :]
    return effect_tool(actions, shifted, goal, allowed, intervention_value)


def check_world_episodes(episodes: Any, name: str = "episodes") -> WorldEpisodes:
    """Raise a clear TypeError unless ``episodes`` is a :class:`~causal_lessons.soft_learners.worlds.WorldEpisodes`."""
    if not isinstance(episodes, WorldEpisodes):
        raise TypeError(f"{name} must be WorldEpisodes from causal_lessons.soft_learners.world_episodes, "
                        f"got {type(episodes).__name__}.")
    return episodes


def _streams(seed) -> tuple[np.random.Generator, np.random.Generator]:
    # children 4 and 5 of the seed: world_episodes draws the tasks from children 0-3 of the same seed
    play, world = np.random.SeedSequence(check_seed(seed)).spawn(6)[4:]
    return np.random.default_rng(play), np.random.default_rng(world)


def play_world(episodes: WorldEpisodes, *, exploit: str = "rigid", seed: int | None = 0) -> EpisodeBatch:
    """Play every episode: one experiment per allowed variable, then the rigid solver's exploit or the best one.

    Returns an :class:`~causal_lessons.game.EpisodeBatch` (the exploration the
    player saw, its exploit, ``reward`` = what that exploit is worth in the
    world); ``strategy`` is "rigid solver" or "teacher".  With ``exploit="best"``
    ties between equally good exploits are broken at random.  ``total_effects``
    are the game's linear ones (the world's own values are
    :meth:`~causal_lessons.soft_learners.worlds.WorldEpisodes.choice_values`).
    """
    check_world_episodes(episodes)
    if exploit not in EXPLOITS:
        raise ValueError(f"exploit must be one of {', '.join(repr(e) for e in EXPLOITS)}, got {exploit!r}.")
    play_rng, world_rng = _streams(seed)
    v = episodes.intervention_value
    rigid = ExpertStrategy()
    actions = rigid.explore_actions(episodes.allowed, episodes.n_explore, play_rng)
    values = episodes.simulate(actions, v, world_rng)
    if exploit == "rigid":
        reading = effect_tool(actions, values, episodes.goal, episodes.allowed, v)
        var, sign = reading.var, reading.sign
    else:
        var, sign, _ = episodes.best_choice(play_rng)
    return EpisodeBatch(
        names=list(episodes.names), weights=episodes.weights.astype(np.float32),
        total_effects=episodes.total_effects.astype(np.float32), allowed=episodes.allowed,
        explore_actions=actions.astype(np.int64), explore_values=values.astype(np.float32), goal=episodes.goal,
        exploit_var=var, exploit_sign=sign, reward=episodes.value_of(var, sign).astype(np.float32),
        noise_std=float(np.mean(episodes.noise_std)), intervention_value=v,
        strategy="rigid solver" if exploit == "rigid" else "teacher")


def play_agent(agent, episodes: WorldEpisodes, batch: EpisodeBatch | None = None, *, seed: int | None = 0,
               device: Any = "cpu") -> training.RolloutResult:
    """Let a trained agent play ``episodes`` actively under their world's rules (greedy choices).

    ``batch``: the same episodes as an :class:`~causal_lessons.game.EpisodeBatch`
    (e.g. from :func:`play_world`; made here when None): only its tasks are used.
    The result's ``exploit_var`` (-1: no valid exploit) and ``exploit_sign`` are
    scored with :meth:`~causal_lessons.soft_learners.worlds.WorldEpisodes.value_of`
    (its ``reward`` follows the linear game's rules, not the world's).
    """
    check_world_episodes(episodes)
    batch = play_world(episodes, seed=seed) if batch is None else batch
    check_batch(batch)
    if len(batch) != len(episodes) or not np.array_equal(np.asarray(batch.goal), episodes.goal):
        raise ValueError("batch must hold the same episodes as episodes (play_world(episodes) makes one).")
    def simulator(rows, actions, value, rng):
        return episodes.simulate(actions, value, rng, episodes=rows)

    return training.rollout(agent, batch, seed=seed, device=device, simulator=simulator,
                            intervention_value=episodes.intervention_value)
