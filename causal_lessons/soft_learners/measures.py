"""How lesson 11 scores the players: the share of the best gain, how often a learner follows the tool, and what
a curve's end says.

* :func:`gain_score` -- a player's **score** in a batch of episodes: the mean
  gain of its exploits over doing nothing, as a share of the mean gain of the best
  exploits in the same episodes (1: as good as knowing the world; 0: no better
  than doing nothing), with a
  95% interval over the test episodes.
* :func:`follow_rates` -- how often a learner's exploit is the one the effect
  tool recommends, split by whether the tool's recommendation is the best exploit.
* :func:`evaluate_players` -- the rigid solver and any trained learners on the
  same episodes of a world.
* :func:`verdict` -- what the lesson says about a player's curve (summaries over
  training seeds are in :mod:`causal_lessons.seeds`).

>>> from causal_lessons.soft_learners.worlds import World, world_episodes
>>> episodes = world_episodes(500, World("clean"), seed=0)
>>> var, sign, _ = episodes.best_choice()
>>> gain_score(episodes, var, sign)["score"]
1.0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import training
from .._validate import check_real
from .players import check_world_episodes, effect_tool, play_agent, play_world
from .worlds import WorldEpisodes

__all__ = ["HOLDS_LOSS", "BREAK_SCORE", "BEST_OF_BOTH_MARGIN", "gain_score", "follow_rates", "evaluate_players",
           "verdict"]

#: A player **holds** when its score at strength 1 is at most this much below its score in the clean game.
HOLDS_LOSS = 0.05
#: A player **breaks** when its score at strength 1 is at most this (it keeps at most half of the best gain).
BREAK_SCORE = 0.5
#: The tool user gets "the best of both" where its score is at most this much below the better of the other two.
BEST_OF_BOTH_MARGIN = 0.02


def gain_score(episodes: WorldEpisodes, var, sign) -> dict[str, float]:
    """Score of the exploits ``var``, ``sign`` (B,) in ``episodes``: ``score``, ``low``, ``high`` (95%), ``episodes``.

    score = mean(value - natural) / mean(best - natural), where value is what
    the exploit is worth, natural what doing nothing is worth and best the best
    exploit's worth (:class:`~causal_lessons.soft_learners.worlds.WorldEpisodes`);
    the interval is the delta method's over paired episodes
    (:func:`causal_lessons.training.ratio_interval`).
    """
    check_world_episodes(episodes)
    var, sign = np.asarray(var), np.asarray(sign)
    if var.shape != (len(episodes),) or sign.shape != (len(episodes),):
        raise ValueError(f"var and sign must hold one entry per episode ({len(episodes)}), "
                         f"got shapes {var.shape} and {sign.shape}.")
    natural = episodes.natural_values()
    gained = episodes.value_of(var, sign) - natural
    best = episodes.best_choice()[2] - natural
    ratio, low, high = training.ratio_interval(gained, best)
    return {"score": ratio, "low": low, "high": high, "episodes": len(episodes)}


def follow_rates(episodes: WorldEpisodes, explore_actions, explore_values, var, sign) -> dict[str, float]:
    """How often a player's exploit (``var``, ``sign``) agrees with the effect tool's recommendation on the
    player's own exploration, i.e. is worth exactly as much (equally good choices are common: effects are
    whole numbers): ``follow`` (all episodes), ``tool_right`` (the share where the tool's recommendation is
    worth the best), ``follow_when_right`` and ``follow_when_wrong`` (NaN when there is no such episode)."""
    check_world_episodes(episodes)
    reading = effect_tool(explore_actions, explore_values, episodes.goal, episodes.allowed,
                          episodes.intervention_value)
    advised = episodes.value_of(reading.var, reading.sign)
    follows = (np.abs(episodes.value_of(var, sign) - advised) < 1e-9) & (reading.var >= 0)
    right = advised >= episodes.best_choice()[2] - 1e-9

    def share(mask):
        return float(follows[mask].mean()) if mask.any() else math.nan

    return {"follow": float(follows.mean()), "tool_right": float(right.mean()),
            "follow_when_right": share(right), "follow_when_wrong": share(~right)}


def evaluate_players(episodes: WorldEpisodes, agents: dict[str, Any] | None = None, *, seed: int = 0,
                     device: Any = "cpu") -> dict[str, dict[str, float]]:
    """Score the rigid solver and every agent of ``agents`` ({name: trained agent}) on the same episodes.

    Each entry has :func:`gain_score`'s numbers and :func:`follow_rates`' (the
    rigid solver follows its own tool, always).  ``seed`` seeds the rigid solver's
    order of experiments and the world's draws.
    """
    check_world_episodes(episodes)
    if agents is not None and not isinstance(agents, dict):
        raise TypeError(f"agents must be a dict {{name: agent}}, got {type(agents).__name__}.")
    batch = play_world(episodes, exploit="rigid", seed=seed)
    out = {"rigid": {**gain_score(episodes, batch.exploit_var, batch.exploit_sign),
                     **follow_rates(episodes, batch.explore_actions, batch.explore_values, batch.exploit_var,
                                    batch.exploit_sign)}}
    for name, agent in (agents or {}).items():
        result = play_agent(agent, episodes, batch, seed=seed, device=device)
        out[name] = {**gain_score(episodes, result.exploit_var, result.exploit_sign),
                     **follow_rates(episodes, result.explore_actions, result.explore_values, result.exploit_var,
                                    result.exploit_sign)}
    return out


def verdict(clean_score: float, strong_score: float) -> str:
    """What happened to a player between the clean game and strength 1: ``"holds"`` (it lost at most
    :data:`HOLDS_LOSS`), ``"breaks"`` (it kept at most :data:`BREAK_SCORE` of the best gain) or
    ``"degrades gracefully"`` (in between).

    >>> verdict(0.99, 0.97), verdict(0.99, 0.8), verdict(0.99, 0.3)
    ('holds', 'degrades gracefully', 'breaks')
    """
    clean = check_real(clean_score, "clean_score")
    strong = check_real(strong_score, "strong_score")
    if clean - strong <= HOLDS_LOSS + 1e-12:
        return "holds"
    if strong <= BREAK_SCORE + 1e-12:
        return "breaks"
    return "degrades gracefully"
