"""Explanations and a quality signal: two ways to change what a passive learner generalizes (lesson 05).

**Explanations as extra prediction targets** (after Lampinen et al. 2022, 2023).
Besides the expert's next action, an *explaining* agent predicts an
explanation of what it saw: at each experiment, which variables the
intervention moved (down, not at all, up); at the exploit, *why this choice*:
how strongly, and in which direction, the goal responded to each of the
episode's experiments.  The test is a **perfectly confounded** training
distribution: in every training episode the best variable to intervene on is
also the goal's *shortcut partner*, the variable named just before it (A for
goal B, B for C, ..., E for A; see :data:`SHORTCUT_PAIRS`).  Two rules explain
every expert choice equally well, "exploit the experiment that moved the goal
most" (causal) and "exploit the variable named before the goal" (shortcut).
The de-confounded test (:func:`deconfounded_episodes`) separates them: the
unique best variable is never the partner.

**Conditioning on a quality signal** (after Chen et al. 2021, Srivastava et
al. 2019, Kumar et al. 2019).  Training data mix expert episodes with
lower-quality ones (half associational, half random, from the generator).  A
*conditioned* agent reads a quality token in its start token (one of
:data:`QUALITY_LEVELS`): either the strategy that played the episode
(``label="strategy"``: a label of *how* it was played) or the share of the best
possible reward it earned (``label="return"``: *how it turned out*).  At test
time one asks it for a quality (:func:`asking`).  :func:`mixture_first_step`
and :func:`greedy_flip_share` give the exact first-move probabilities of the
mixture, which plain behaviour cloning learns and greedy play turns into a
single move.

Torch is imported inside the functions that need it.

>>> sorted(shortcut_partner([1, 0], n_vars=5).tolist())
[0, 4]
>>> round(greedy_flip_share(), 4)
0.2857
"""

from __future__ import annotations

import argparse
import contextlib
import json
import numbers
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import agents as agents_mod
from . import environment as env_mod
from . import graphs
from . import training
from ._validate import check_count, check_int, check_probability, check_real, check_seed

__all__ = [
    "SHORTCUT_PAIRS",
    "other_pairs",
    "shortcut_partner",
    "confounded_sampler",
    "deconfounded_episodes",
    "explanation_targets",
    "make_explaining_agent",
    "explanation_outputs",
    "explanation_loss",
    "explained_loss",
    "ConfoundConfig",
    "CONFOUND_KINDS",
    "train_confounded",
    "choice_report",
    "agent_explanations",
    "explanation_report",
    "plot_explanation",
    "QUALITY_LEVELS",
    "QUALITY_LABELS",
    "STRATEGY_QUALITY",
    "QualityBatch",
    "mixed_episodes",
    "return_quality",
    "quality_sampler",
    "make_conditioned_agent",
    "asking",
    "quality_index",
    "mixture_first_step",
    "greedy_flip_share",
    "first_step_probabilities",
    "QualityConfig",
    "QUALITY_KINDS",
    "SWEEP_SHARES",
    "train_quality_agent",
    "quality_metrics",
    "quality_table",
    "quality_test_episodes",
    "plot_quality_sweep",
    "save_agents",
    "load_agents",
    "run_sweep",
    "load_sweep",
    "SWEEP_CHECKPOINT",
    "main",
]

# ==================================================================================================
# Part 1: explanations and a perfectly confounded training distribution
# ==================================================================================================

_NAMES5 = graphs.variable_names(5)
#: (partner, goal) pairs of the confounded training data: the variable named just before the goal (cyclically).
SHORTCUT_PAIRS = tuple((_NAMES5[(i - 1) % 5], _NAMES5[i]) for i in range(5))
_TEST_SEED = 2_000_003


def other_pairs(n_vars: int = 5) -> list[tuple[str, str]]:
    """Every ordered (source, goal) pair of ``n_vars`` variables except the shortcut pairs (the test's pairs)."""
    names = graphs.variable_names(check_int(n_vars, "n_vars", minimum=3, maximum=env_mod.MAX_VARS))
    partners = {(names[(i - 1) % len(names)], names[i]) for i in range(len(names))}
    return [(a, b) for a in names for b in names if a != b and (a, b) not in partners]


def _shortcut_pairs(n_vars: int) -> list[tuple[str, str]]:
    names = graphs.variable_names(n_vars)
    return [(names[(i - 1) % n_vars], names[i]) for i in range(n_vars)]


def shortcut_partner(goal: Any, n_vars: int = 5) -> np.ndarray:
    """Index of each goal's shortcut partner: the variable named just before it (A's partner is the last one)."""
    n_vars = check_int(n_vars, "n_vars", minimum=3, maximum=env_mod.MAX_VARS)
    goal = np.asarray(goal, dtype=np.int64)
    if goal.size and (goal.min() < 0 or goal.max() >= n_vars):
        raise ValueError(f"goal must hold variable indices 0..{n_vars - 1}, got values from {goal.min()} to {goal.max()}.")
    return (goal - 1) % n_vars


def confounded_sampler(*, deconfounded_share: float = 0.0, n_vars: int = 5
                       ) -> Callable[[int, int], env_mod.EpisodeBatch]:
    """The confounded training distribution as ``sampler(n_episodes, seed)`` for :func:`causal_lessons.training.train`.

    Expert episodes (every variable allowed) in which the goal's shortcut
    partner is the unique best variable to intervene on, so "the experiment
    that moved the goal most" and "the variable named before the goal" always
    agree.  With ``deconfounded_share`` > 0 that share of each batch is ordinary
    expert episodes instead (where the two rules usually disagree).
    """
    share = check_probability(deconfounded_share, "deconfounded_share")
    if share >= 1:
        raise ValueError("deconfounded_share must be below 1 (1 would leave no confounded episode).")
    n = check_int(n_vars, "n_vars", minimum=3, maximum=env_mod.MAX_VARS)
    pairs = _shortcut_pairs(n)

    def sampler(n_episodes: int, seed: int) -> env_mod.EpisodeBatch:
        n_episodes = check_count(n_episodes, "n_episodes")
        mixed = int(round(n_episodes * share))
        batch = env_mod.generate_episodes(n_episodes - mixed, n_vars=n, heldout_links=pairs, test_links=True,
                                          seed=seed) if mixed < n_episodes else None
        if mixed == 0:
            return batch
        from .experiments.passive_agents import concat_batches

        plain = env_mod.generate_episodes(mixed, n_vars=n, seed=seed + 1_000_000_007)
        joined = plain if batch is None else concat_batches([batch, plain])
        return joined.subset(np.random.default_rng(seed).permutation(n_episodes))

    return sampler


def deconfounded_episodes(n_episodes: int, *, seed: int = 0, n_vars: int = 5,
                          strategy: str = "expert") -> env_mod.EpisodeBatch:
    """Test episodes that separate the two rules: the unique best variable is *not* the goal's shortcut partner.

    Every variable is allowed; played by ``strategy`` (the expert, for the
    reference reward).  The same ``seed`` gives the same DAGs and goals.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    return env_mod.generate_episodes(n_episodes, strategy=strategy, n_vars=n_vars, heldout_links=other_pairs(n_vars),
                                     test_links=True, seed=_TEST_SEED + 7919 * check_seed(seed))


def explanation_targets(batch: Any, intervention_value: float | None = None) -> dict[str, np.ndarray]:
    """The explanations an explaining agent learns to predict, from a batch's episodes.

    * ``strength`` (B, K): how strongly the goal responded to experiment k,
      ``|goal value after do(X = v)| / v`` (the size of the estimated effect);
    * ``direction`` (B, K): 1.0 if the goal rose, 0.0 if it fell;
    * ``moved`` (B, K, n): what experiment k did to each variable: 0 fell, 1 did
      not move, 2 rose (a move is a change of at least half the intervention's
      size, ``|value| >= v / 2``);
    * masks ``strength_mask`` (experiments on a variable other than the goal),
      ``direction_mask`` (those where the goal moved) and ``moved_mask``
      (experiments, every variable but the one set).
    """
    training._check_batch(batch)
    v = getattr(batch, "intervention_value", 5.0) if intervention_value is None else intervention_value
    return _explanation_arrays(batch.explore_actions, batch.explore_values, batch.goal, v)


def _explanation_arrays(actions, values, goal, intervention_value) -> dict[str, np.ndarray]:
    v = check_real(intervention_value, "intervention_value", minimum=0.0, strict_minimum=True)
    actions = np.asarray(actions, dtype=np.int64)
    values = np.asarray(values, dtype=np.float32) / v
    goal = np.asarray(goal, dtype=np.int64)
    b, k, n = values.shape
    response = values[np.arange(b), :, goal]                                   # (B, K)
    experiment = actions >= 0
    strength_mask = experiment & (actions != goal[:, None])
    direction_mask = strength_mask & (np.abs(response) >= 0.5)
    moved = np.where(values >= 0.5, 2, np.where(values <= -0.5, 0, 1)).astype(np.int64)
    moved_mask = experiment[:, :, None] & (np.arange(n)[None, None, :] != actions[:, :, None])
    return {
        "strength": np.where(strength_mask, np.abs(response), 0.0).astype(np.float32),
        "direction": (response > 0).astype(np.float32),
        "moved": moved,
        "strength_mask": strength_mask,
        "direction_mask": direction_mask,
        "moved_mask": moved_mask,
    }


_CLASSES: dict[str, Any] = {}


def _explaining_class():
    """The explaining agent's class (a PassiveAgent with explanation heads), built on first use."""
    if "ExplainingAgent" not in _CLASSES:
        from torch import nn

        base = agents_mod._agent_class()

        class ExplainingAgent(base):
            """A passive agent with explanation heads on the same transformer.

            ``strength_head`` and ``direction_head`` read the goal token (why this
            choice: the goal's response to each experiment); ``moved_head`` reads
            each step token (what that experiment moved).
            """

            def __init__(self, config):
                super().__init__(config)
                d = config.d_model
                self.strength_head = nn.Linear(d, config.max_steps)
                self.direction_head = nn.Linear(d, config.max_steps)
                self.moved_head = nn.Linear(d, 3 * config.n_vars)

        _CLASSES["ExplainingAgent"] = ExplainingAgent
    return _CLASSES["ExplainingAgent"]


def _as_config(config, overrides) -> agents_mod.AgentConfig:
    if config is None:
        return agents_mod.AgentConfig(**overrides)
    if not isinstance(config, agents_mod.AgentConfig):
        raise TypeError(f"config must be an AgentConfig, got {type(config).__name__}.")
    return agents_mod.AgentConfig(**{**config.to_dict(), **overrides}) if overrides else config


def make_explaining_agent(config: agents_mod.AgentConfig | None = None, *, seed: int | None = 0, **overrides):
    """A passive agent (as :func:`causal_lessons.agents.make_agent`) with explanation heads, seeded.

    The transformer and the action heads get exactly the weights ``make_agent``
    gives with the same config and seed (the explanation heads are made after
    them), so agents trained with and without explanations start from the same network.
    """
    return agents_mod.build_seeded(_explaining_class(), _as_config(config, overrides), seed)


def _check_explaining(agent):
    agents_mod.check_agent(agent)
    if not hasattr(agent, "strength_head"):
        raise TypeError("agent must be an explaining agent built by causal_lessons.explanations.make_explaining_agent; "
                        "this one has no explanation heads.")
    return agent


def explanation_outputs(agent, hidden) -> dict[str, Any]:
    """An explaining agent's explanations from its hidden states (B, K + 2, d), as torch tensors.

    ``strength`` (B, K) and ``direction`` (B, K, a probability that the goal
    rose) read from the goal token; ``moved`` (B, K, n, 3) class logits read
    from each step token.
    """
    _check_explaining(agent)
    k = hidden.shape[1] - 2
    goal = hidden[:, -1]
    steps = hidden[:, 1:1 + k]
    return {
        "strength": agent.strength_head(goal)[:, :k],
        "direction": agent.direction_head(goal)[:, :k].sigmoid(),
        "moved": agent.moved_head(steps).view(hidden.shape[0], k, agent.config.n_vars, 3),
    }


def explanation_loss(agent, hidden, tensors: dict[str, Any]):
    """Explanation loss of one batch (a torch scalar): Huber loss of the strengths, cross-entropy of the
    directions and of the moves, each averaged over its valid entries, summed."""
    import torch
    from torch.nn import functional as F

    out = explanation_outputs(agent, hidden)
    n = tensors["moved"].shape[-1]
    moved_logits = out["moved"][..., :n, :]
    total = torch.zeros((), device=hidden.device)
    mask = tensors["strength_mask"]
    if bool(mask.any()):
        total = total + F.smooth_l1_loss(out["strength"][mask], tensors["strength"][mask])
    mask = tensors["direction_mask"]
    if bool(mask.any()):
        total = total + F.binary_cross_entropy(out["direction"][mask].clamp(1e-6, 1 - 1e-6),
                                               tensors["direction"][mask])
    mask = tensors["moved_mask"]
    if bool(mask.any()):
        total = total + F.cross_entropy(moved_logits[mask], tensors["moved"][mask])
    return total


def _explanation_tensors(batch, agent, device) -> dict[str, Any]:
    import torch

    out = training._batch_tensors(batch, agent, device)
    for key, value in explanation_targets(batch, agent.config.intervention_value).items():
        out[key] = torch.from_numpy(np.ascontiguousarray(value)).to(device)
    return out


def explained_loss(weight: float = 1.0) -> tuple[Callable, Callable]:
    """``(loss_fn, tensors_fn)`` for :func:`causal_lessons.training.train`: imitation plus ``weight`` x explanations.

    With ``weight=0`` the loss is plain behaviour cloning (the explanation heads are not trained).
    """
    weight = check_real(weight, "weight", minimum=0.0)

    def loss_fn(agent, tensors):
        hidden = agent.encode(tensors["tokens"])
        total, explore, exploit = training.bc_loss(agent, tensors, hidden=hidden)
        if weight > 0:
            total = total + weight * explanation_loss(agent, hidden, tensors)
        return total, explore, exploit

    return loss_fn, _explanation_tensors


@dataclass(frozen=True)
class ConfoundConfig:
    """Sizes of the explanation experiment (part 1): a pointer agent as in lesson 04, its training budget."""

    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 128
    steps: int = 1000
    batch_size: int = 64
    lr: float = 5e-3
    warmup: int = 100
    weight_decay: float = 0.1
    explain_weight: float = 1.0
    deconfounded_share: float = 0.1

    def agent_config(self) -> agents_mod.AgentConfig:
        """The pointer agent of the experiment."""
        return agents_mod.AgentConfig(n_vars=5, d_model=self.d_model, n_layers=self.n_layers, n_heads=self.n_heads,
                                      d_ff=self.d_ff, max_steps=8, head="pointer", value_scales=(5.0,))

    def train_config(self) -> training.TrainConfig:
        """The training settings."""
        return training.TrainConfig(steps=self.steps, batch_size=self.batch_size, lr=self.lr, warmup=self.warmup,
                                    weight_decay=self.weight_decay)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)


#: The agents of part 1: plain imitation, imitation plus explanations, plain imitation on partly de-confounded data.
CONFOUND_KINDS = ("plain", "explained", "deconfounded")


def train_confounded(kind: str, config: ConfoundConfig | None = None, *, seed: int = 0, progress: bool = False,
                     device: Any = "cpu", **overrides):
    """Train one agent of part 1 on the confounded data; returns ``(agent, history)``.

    ``kind``: ``"plain"`` (imitation only), ``"explained"`` (imitation plus
    ``config.explain_weight`` x explanations) or ``"deconfounded"`` (imitation
    only, with ``config.deconfounded_share`` of ordinary expert episodes mixed
    in).  Every kind starts from the same network (same seed) and sees the
    same number of episodes.  ``overrides`` change fields of the config.
    """
    if kind not in CONFOUND_KINDS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in CONFOUND_KINDS)}, got {kind!r}.")
    config = ConfoundConfig() if config is None else config
    if not isinstance(config, ConfoundConfig):
        raise TypeError(f"config must be a ConfoundConfig, got {type(config).__name__}.")
    if overrides:
        unknown = sorted(set(overrides) - {f.name for f in fields(ConfoundConfig)})
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}; the settings are "
                             f"{', '.join(f.name for f in fields(ConfoundConfig))}.")
        config = replace(config, **overrides)
    agent = make_explaining_agent(config.agent_config(), seed=seed)
    share = config.deconfounded_share if kind == "deconfounded" else 0.0
    loss_fn, tensors_fn = explained_loss(config.explain_weight if kind == "explained" else 0.0)
    history = training.train(agent, confounded_sampler(deconfounded_share=share), config.train_config(), seed=seed,
                             device=device, progress=progress, description=f"{kind} agent", loss_fn=loss_fn,
                             tensors_fn=tensors_fn)
    return agent, history


def choice_report(agent, batch: env_mod.EpisodeBatch, *, seed: int = 0,
                  result: training.RolloutResult | None = None) -> dict[str, float]:
    """How an agent plays de-confounded episodes actively: which rule do its exploit choices follow?

    ``reward_fraction`` (its mean expected reward over the expert's on the same
    episodes), ``best_pick`` (share of episodes where it exploits the unique
    best variable, the causal rule), ``shortcut_pick`` (share where it exploits
    the goal's shortcut partner), ``explore_coverage`` and ``episodes``.
    """
    agents_mod.check_agent(agent)
    training._check_batch(batch)
    if result is None:
        result = training.rollout(agent, batch, seed=seed)
    iv = agent.config.intervention_value
    expert = training.expected_reward(batch.total_effects, batch.goal, batch.exploit_var, batch.exploit_sign, iv)
    best = np.abs(np.asarray(batch.total_effects)[np.arange(len(batch)), :, batch.goal])
    best[np.arange(len(batch)), batch.goal] = -1.0
    best_var = best.argmax(1)
    partner = shortcut_partner(batch.goal, batch.n_vars)
    return {
        "reward_fraction": float(result.reward.mean() / expert.mean()),
        "best_pick": float(np.mean(result.exploit_var == best_var)),
        "shortcut_pick": float(np.mean(result.exploit_var == partner)),
        "explore_coverage": float(result.coverage(batch.allowed).mean()),
        "episodes": int(len(batch)),
    }


def agent_explanations(agent, batch: env_mod.EpisodeBatch, result: training.RolloutResult) -> dict[str, np.ndarray]:
    """An explaining agent's explanations of its own rollout (from :func:`causal_lessons.training.rollout`).

    ``strength`` (B, K): how strongly it says the goal responded to each of its
    experiments; ``direction`` (B, K): its probability that the goal rose;
    ``pointer`` (B, K): its exploit scores of the experiments (softmax); and the
    truth it explains, ``true_strength`` (B, K, the goal's observed response
    size, NaN where no experiment on another variable was made).
    """
    import torch

    _check_explaining(agent)
    tokens = torch.from_numpy(training.rollout_tokens(agent, batch, result))
    with torch.no_grad():
        hidden = agent.encode(tokens)
        out = explanation_outputs(agent, hidden)
        pointer = agent.pointer_logits(hidden).softmax(-1)
    targets = _explanation_arrays(result.explore_actions, result.explore_values, batch.goal,
                                  agent.config.intervention_value)
    true = np.where(targets["strength_mask"], targets["strength"], np.nan)
    return {"strength": out["strength"].numpy(), "direction": out["direction"].numpy(),
            "pointer": pointer.numpy(), "true_strength": true}


def explanation_report(agent, batch: env_mod.EpisodeBatch, result: training.RolloutResult | None = None, *,
                       seed: int = 0) -> dict[str, float]:
    """Does the explaining agent *say* the right thing, and does it *do* it?  On de-confounded episodes.

    ``names_best``: share of episodes in which the experiment it says moved the
    goal most (largest explained strength) is the one that truly did;
    ``strength_error``: mean absolute error of its explained strengths;
    ``says_best_does_shortcut``: share in which it names the best experiment
    but exploits the shortcut partner instead.
    """
    _check_explaining(agent)
    if result is None:
        result = training.rollout(agent, batch, seed=seed)
    ex = agent_explanations(agent, batch, result)
    true = ex["true_strength"]
    valid = ~np.isnan(true).all(1)
    said = np.where(np.isnan(true), -np.inf, ex["strength"]).argmax(1)
    truly = np.nan_to_num(true, nan=-np.inf).argmax(1)
    rows = np.arange(len(batch))
    said_var = result.explore_actions[rows, said]
    partner = shortcut_partner(batch.goal, batch.n_vars)
    names_best = (said == truly) & valid
    return {
        "names_best": float(names_best[valid].mean()),
        "strength_error": float(np.nanmean(np.abs(np.where(np.isnan(true), np.nan, ex["strength"]) - true))),
        "says_best_does_shortcut": float(np.mean(names_best & (result.exploit_var == partner)
                                                 & (said_var != partner))),
        "episodes": int(valid.sum()),
    }


def plot_explanation(agent, batch: env_mod.EpisodeBatch, result: training.RolloutResult, index: int, ax=None):
    """One de-confounded episode: the goal's true response to each of the agent's experiments, the agent's
    explanation (its stated strengths), its exploit scores, and the shortcut partner.  Returns a dict."""
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    index = check_int(index, "index", minimum=0, maximum=len(batch) - 1)
    one = batch.subset([index])
    part = training.RolloutResult(**{f.name: getattr(result, f.name)[index:index + 1] for f in fields(result)})
    ex = agent_explanations(agent, one, part)
    names = list(batch.names)
    goal = names[int(one.goal[0])]
    partner = names[int(shortcut_partner(one.goal, one.n_vars)[0])]
    actions = part.explore_actions[0]
    labels = [f"do {names[a]}" if a >= 0 else "obs." for a in actions]
    steps = np.arange(1, len(actions) + 1)
    true = np.nan_to_num(ex["true_strength"][0], nan=0.0)
    said = np.where(np.isnan(ex["true_strength"][0]), 0.0, ex["strength"][0])
    chosen = names[int(part.exploit_var[0])] if part.exploit_var[0] >= 0 else "nothing"
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    ax.bar(steps - 0.2, true, width=0.4, color=COLORS["expert"], label="goal's true response")
    ax.bar(steps + 0.2, said, width=0.4, color=COLORS["agent"], label="agent's explanation")
    twin = ax.twinx()
    twin.plot(steps, ex["pointer"][0], "o--", color=COLORS["bc"], label="exploit score")
    twin.set_ylim(-0.05, 1.05)
    twin.set_ylabel("exploit score", color=COLORS["bc"])
    twin.grid(False)
    ax.set_xticks(steps, [lab + (" (partner)" if lab == f"do {partner}" else "") for lab in labels], fontsize=8)
    ax.set_ylabel(f"|response of {goal}| / 5")
    ax.set_title(f"goal {goal}: the agent exploits {chosen}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    truly = names[int(actions[np.nan_to_num(ex["true_strength"][0], nan=-1).argmax()])]
    said_best = names[int(actions[np.where(np.isnan(ex["true_strength"][0]), -np.inf, ex["strength"][0]).argmax()])]
    return {"goal": goal, "partner": partner, "best": truly, "explained_best": said_best, "chosen": chosen, "ax": ax}


# ==================================================================================================
# Part 2: conditioning on a quality signal
# ==================================================================================================

#: The quality tokens, from worst to best.
QUALITY_LEVELS = ("low", "medium", "high")
#: What the quality token says: the strategy that played the episode, or the share of the best reward it earned.
QUALITY_LABELS = ("strategy", "return")
#: The quality token of each strategy under ``label="strategy"``.
STRATEGY_QUALITY = {"random": "low", "associational": "medium", "expert": "high"}
_STRATEGY_ORDER = ("expert", "associational", "random")
#: The share of the best possible reward an episode must earn for the return labels "medium" and "high".
RETURN_THRESHOLDS = (0.5, 0.9)


@dataclass
class QualityBatch(env_mod.EpisodeBatch):
    """An :class:`~causal_lessons.environment.EpisodeBatch` of mixed strategies, with a quality label per episode.

    ``played_by`` (B,): the strategy of each episode (0 expert, 1 associational,
    2 random); ``quality`` (B,): the quality token's index in :data:`QUALITY_LEVELS`.
    """

    played_by: np.ndarray | None = None
    quality: np.ndarray | None = None

    @property
    def played_by_names(self) -> np.ndarray:
        """The strategy of each episode, by name."""
        return np.array(_STRATEGY_ORDER)[self.played_by]

    def subset(self, index) -> QualityBatch:
        """The episodes selected by ``index`` (a boolean mask, a list of indices or a slice), labels included."""
        base = env_mod.EpisodeBatch(**{f.name: getattr(self, f.name) for f in fields(env_mod.EpisodeBatch)})
        picked = base.subset(index)                      # checks the index
        if isinstance(index, numbers.Integral) and not isinstance(index, bool):
            index = [int(index)]
        rows = np.arange(len(self))[index if isinstance(index, slice) else np.asarray(index)]
        values = {f.name: getattr(picked, f.name) for f in fields(picked)}
        return QualityBatch(**values, played_by=self.played_by[rows], quality=self.quality[rows])


def quality_index(quality: Any) -> int:
    """The index of a quality token given by name ("low", "medium", "high") or index, with a clear error."""
    if isinstance(quality, str):
        if quality not in QUALITY_LEVELS:
            raise ValueError(f"quality must be one of {', '.join(repr(q) for q in QUALITY_LEVELS)}, got {quality!r}.")
        return QUALITY_LEVELS.index(quality)
    return check_int(quality, "quality", minimum=0, maximum=len(QUALITY_LEVELS) - 1)


def return_quality(batch: Any) -> np.ndarray:
    """Quality index of each episode from its outcome: the share of the best possible expected reward it earned.

    Below :data:`RETURN_THRESHOLDS` [0] "low", below [1] "medium", else "high"
    (an episode in which no intervention can help the goal counts as "high").
    The reward is the episode's sampled reward; the best possible one is
    computed from the true effects (a grader who knows the answer).
    """
    from .strategies import exact_choices

    training._check_batch(batch)
    best = exact_choices(batch).causal_value
    reward = np.asarray(batch.reward, dtype=float)
    share = np.where(best > 1e-9, reward / np.maximum(best, 1e-9), 1.0)
    return np.digitize(share, RETURN_THRESHOLDS).astype(np.int64)


def _check_label(label: str) -> str:
    if label not in QUALITY_LABELS:
        raise ValueError(f"label must be one of {', '.join(repr(q) for q in QUALITY_LABELS)}, got {label!r}.")
    return label


def mixed_episodes(n_episodes: int, *, low_share: float, seed: int = 0, label: str = "strategy",
                   n_vars: int = 5) -> QualityBatch:
    """``n_episodes`` episodes, a share ``low_share`` of them low-quality (half associational, half random),
    the rest played by the expert, shuffled; each labelled with a quality index (``label``)."""
    from .experiments.passive_agents import concat_batches

    n_episodes = check_count(n_episodes, "n_episodes")
    low_share = check_probability(low_share, "low_share")
    label = _check_label(label)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    played = rng.choice(3, size=n_episodes, p=[1 - low_share, low_share / 2, low_share / 2])
    parts, who = [], []
    for i, strategy in enumerate(_STRATEGY_ORDER):
        count = int((played == i).sum())
        if count:
            parts.append(env_mod.generate_episodes(count, strategy=strategy, n_vars=n_vars, seed=3 * seed + i))
            who.append(np.full(count, i, dtype=np.int64))
    joined = concat_batches(parts)
    order = rng.permutation(n_episodes)
    joined = joined.subset(order)
    played_by = np.concatenate(who)[order]
    values = {f.name: getattr(joined, f.name) for f in fields(joined)}
    values["strategy"] = "mixture"
    if label == "strategy":
        quality = np.array([QUALITY_LEVELS.index(STRATEGY_QUALITY[_STRATEGY_ORDER[i]]) for i in range(3)])[played_by]
    else:
        quality = return_quality(joined)
    return QualityBatch(**values, played_by=played_by, quality=quality.astype(np.int64))


def quality_sampler(*, low_share: float, label: str = "strategy") -> Callable[[int, int], QualityBatch]:
    """The mixed training data as ``sampler(n_episodes, seed)`` for :func:`causal_lessons.training.train`."""
    low_share = check_probability(low_share, "low_share")
    label = _check_label(label)

    def sampler(n_episodes: int, seed: int) -> QualityBatch:
        return mixed_episodes(n_episodes, low_share=low_share, seed=seed, label=label)

    return sampler


def _quality_layout_class():
    if "QualityLayout" not in _CLASSES:
        @dataclass(frozen=True)
        class QualityLayout(agents_mod.TokenLayout):
            """A token layout with a quality slot (one-hot over the quality levels) after the usual ones."""

            n_quality: int = len(QUALITY_LEVELS)

            def __post_init__(self):
                super().__post_init__()
                slices = dict(self.slices)
                slices["quality"] = slice(self.size, self.size + self.n_quality)
                object.__setattr__(self, "slices", slices)
                object.__setattr__(self, "size", self.size + self.n_quality)

        _CLASSES["QualityLayout"] = QualityLayout
    return _CLASSES["QualityLayout"]


def _conditioned_class():
    """The conditioned agent's class (a PassiveAgent whose start token also carries a quality), built on first use."""
    if "ConditionedAgent" not in _CLASSES:
        from torch import nn

        base = agents_mod._agent_class()
        layout_class = _quality_layout_class()

        class ConditionedAgent(base):
            """A passive agent that reads a quality token in its start token.

            In training the tokens carry each episode's quality; when it plays,
            :func:`asking` sets ``asked``, the quality written into every start token.
            """

            def __init__(self, config):
                super().__init__(config)
                self.layout = layout_class(config.n_vars, config.value_scales)
                self.embed = nn.Linear(self.layout.size, config.d_model)
                self.asked: int | None = None

            def encode(self, tokens, return_attention: bool = False):
                part = self.layout.slices["quality"]
                if self.asked is not None:
                    tokens = tokens.clone()
                    tokens[:, 0, part] = 0.0
                    tokens[:, 0, part.start + self.asked] = 1.0
                elif not bool((tokens[:, 0, part].sum(-1) > 0).all()):
                    raise ValueError("this agent is conditioned on a quality: ask for one first, e.g. "
                                     "`with asking(agent, 'high'): training.rollout(agent, batch)`.")
                return super().encode(tokens, return_attention)

        _CLASSES["ConditionedAgent"] = ConditionedAgent
    return _CLASSES["ConditionedAgent"]


def make_conditioned_agent(config: agents_mod.AgentConfig | None = None, *, seed: int | None = 0, **overrides):
    """A passive agent (as :func:`causal_lessons.agents.make_agent`) that reads a quality token, seeded."""
    return agents_mod.build_seeded(_conditioned_class(), _as_config(config, overrides), seed)


def _is_conditioned(agent) -> bool:
    return "quality" in getattr(agent, "layout", agents_mod.TokenLayout(2)).slices


@contextlib.contextmanager
def asking(agent, quality):
    """Within the block, ``agent`` plays as if every episode had the quality token ``quality``.

    >>> agent = make_conditioned_agent(d_model=16, n_heads=2, d_ff=16, seed=0)
    >>> with asking(agent, "high"):
    ...     agent.asked
    2
    >>> agent.asked is None
    True
    """
    agents_mod.check_agent(agent)
    if not _is_conditioned(agent):
        raise TypeError("asking() needs an agent conditioned on a quality (make_conditioned_agent); this agent "
                        "reads no quality token.")
    previous = agent.asked
    agent.asked = quality_index(quality)
    try:
        yield agent
    finally:
        agent.asked = previous


def _quality_tensors(batch, agent, device) -> dict[str, Any]:
    out = training._batch_tensors(batch, agent, device)
    if _is_conditioned(agent):
        quality = getattr(batch, "quality", None)
        if quality is None:
            raise TypeError("a conditioned agent is trained on batches with a quality label per episode "
                            "(from quality_sampler or mixed_episodes).")
        part = agent.layout.slices["quality"]
        out["tokens"][:, 0, part] = 0.0
        out["tokens"][np.arange(len(quality)), 0, part.start + np.asarray(quality)] = 1.0
    return out


def mixture_first_step(low_share: float, n_vars: int = 5) -> dict[str, float]:
    """The exact probabilities of the first exploration move in the mixed data (every variable allowed).

    The expert experiments first on each variable with probability 1/n; the
    associational strategy always observes; the random one observes or
    experiments on each variable with probability 1/(n + 1).  Returns
    ``{"observe": p, "each variable": q}``.
    """
    s = check_probability(low_share, "low_share")
    n = check_int(n_vars, "n_vars", minimum=2, maximum=env_mod.MAX_VARS)
    observe = s / 2 + (s / 2) / (n + 1)
    return {"observe": observe, "each variable": (1 - observe) / n}


def greedy_flip_share(n_vars: int = 5) -> float:
    """The low-quality share above which "observe" is the mixture's most likely first move: ``2 / (n + 2)``.

    From :func:`mixture_first_step`: observe has probability ``a s`` with
    ``a = (n + 2) / (2 (n + 1))``, each variable ``(1 - a s) / n``; they are equal
    at ``a s (n + 1) = 1``.  Greedy play of a perfect imitator of the mixture
    starts by observing above this share and by experimenting below it.
    """
    n = check_int(n_vars, "n_vars", minimum=2, maximum=env_mod.MAX_VARS)
    a = (n + 2) / (2 * (n + 1))
    return 1.0 / (a * (n + 1))


def first_step_probabilities(agent, *, n_vars: int = 5, quality: Any = None) -> dict[str, float]:
    """The agent's own probabilities for its first exploration move (every variable allowed): "observe" and
    each variable by name.  For a conditioned agent, ``quality`` is the token it is asked for."""
    import torch

    agents_mod.check_agent(agent)
    n = check_int(n_vars, "n_vars", minimum=2, maximum=agent.config.n_vars)
    tokens = torch.from_numpy(agents_mod.start_tokens(np.ones((1, n), bool), agent.layout))[:, None]
    context = asking(agent, quality) if quality is not None else contextlib.nullcontext()
    if quality is None and _is_conditioned(agent):
        raise ValueError("this agent is conditioned on a quality: pass quality='low', 'medium' or 'high'.")
    with context, torch.no_grad():
        agent.eval()
        probs = agent.explore_logits(agent.encode(tokens))[0, -1].softmax(-1).numpy()
    names = graphs.variable_names(n)
    out = {name: float(probs[i]) for i, name in enumerate(names)}
    out["observe"] = float(probs[agent.config.n_vars])
    return out


@dataclass(frozen=True)
class QualityConfig:
    """Sizes of the quality experiment (part 2): a small identity-head agent and its training budget.

    The identity head (a "variable x sign" classifier) can imitate the associational strategy's exploits,
    which point at no experiment.  Values are read in units of the intervention and of the noise.
    """

    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 64
    steps: int = 1500
    batch_size: int = 64
    lr: float = 5e-3
    warmup: int = 100
    weight_decay: float = 0.1

    def agent_config(self) -> agents_mod.AgentConfig:
        """The agent of the experiment."""
        return agents_mod.AgentConfig(n_vars=5, d_model=self.d_model, n_layers=self.n_layers, n_heads=self.n_heads,
                                      d_ff=self.d_ff, max_steps=8, head="identity", value_scales=(5.0, 0.1))

    def train_config(self) -> training.TrainConfig:
        """The training settings."""
        return training.TrainConfig(steps=self.steps, batch_size=self.batch_size, lr=self.lr, warmup=self.warmup,
                                    weight_decay=self.weight_decay)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)


#: The agents of part 2: plain imitation, conditioned on the strategy label, conditioned on the return.
QUALITY_KINDS = ("plain", "strategy", "return")
#: The shares of low-quality training data in the shipped sweep.
SWEEP_SHARES = (0.0, 0.2, 0.4, 0.6, 0.8)


def train_quality_agent(kind: str, low_share: float, config: QualityConfig | None = None, *, seed: int = 0,
                        progress: bool = False, device: Any = "cpu"):
    """Train one agent of part 2 on mixed data with ``low_share`` low-quality episodes; ``(agent, history)``.

    ``kind``: ``"plain"`` (behaviour cloning, no quality token), ``"strategy"`` or
    ``"return"`` (conditioned on that quality label).  Every kind sees the same episodes.
    """
    if kind not in QUALITY_KINDS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in QUALITY_KINDS)}, got {kind!r}.")
    config = QualityConfig() if config is None else config
    if not isinstance(config, QualityConfig):
        raise TypeError(f"config must be a QualityConfig, got {type(config).__name__}.")
    if kind == "plain":
        agent = agents_mod.make_agent(config.agent_config(), seed=seed)
    else:
        agent = make_conditioned_agent(config.agent_config(), seed=seed)
    sampler = quality_sampler(low_share=low_share, label="strategy" if kind == "plain" else kind)
    history = training.train(agent, sampler, config.train_config(), seed=seed, device=device, progress=progress,
                             description=f"{kind} agent, low share {low_share:g}", tensors_fn=_quality_tensors)
    return agent, history


def quality_metrics(agent, batch: env_mod.EpisodeBatch, *, quality: Any = None, seed: int = 0) -> dict[str, float]:
    """An agent's active play on ordinary test episodes (for a conditioned agent: asked for ``quality``).

    ``reward_fraction`` (mean expected reward over the expert's on the same
    episodes), ``agreement`` (share of episodes where it earns as much as the
    expert), ``explore_coverage`` (it experimented on every variable),
    ``first_observes`` (its first move was "observe").
    """
    agents_mod.check_agent(agent)
    if _is_conditioned(agent) and quality is None:
        raise ValueError("this agent is conditioned on a quality: pass quality='low', 'medium' or 'high'.")
    if not _is_conditioned(agent) and quality is not None:
        raise ValueError("this agent reads no quality token: leave quality=None.")
    context = asking(agent, quality) if quality is not None else contextlib.nullcontext()
    with context:
        result = training.rollout(agent, batch, seed=seed)
    metrics = training.evaluate(agent, batch, result=result)
    return {"reward_fraction": metrics["reward_fraction"], "agreement": metrics["agreement"],
            "explore_coverage": metrics["explore_coverage"],
            "first_observes": float(np.mean(result.explore_actions[:, 0] < 0))}


def quality_table(agents: dict, batch: env_mod.EpisodeBatch, *, seed: int = 0):
    """Evaluate a sweep of agents (``{(kind, low_share): agent}``) on ``batch``: one row per agent and asked
    quality (plain agents: "none"), sorted; columns kind, low_share, asked and :func:`quality_metrics`."""
    import pandas as pd

    if not isinstance(agents, dict) or not agents:
        raise TypeError("agents must be a dict {(kind, low_share): agent}, e.g. from load_sweep().")
    rows = []
    for (kind, share), agent in agents.items():
        asks = QUALITY_LEVELS if _is_conditioned(agent) else (None,)
        for asked in asks:
            metrics = quality_metrics(agent, batch, quality=asked, seed=seed)
            rows.append({"kind": kind, "low_share": float(share), "asked": asked or "none", **metrics})
    table = pd.DataFrame(rows)
    table["kind"] = pd.Categorical(table["kind"], QUALITY_KINDS)
    table["asked"] = pd.Categorical(table["asked"], ("none",) + QUALITY_LEVELS)
    return table.sort_values(["kind", "low_share", "asked"]).reset_index(drop=True)


def plot_quality_sweep(table, ax=None, *, highlight: tuple | None = None, flip_share: float | None = None):
    """Reward (fraction of the expert's) against the share of low-quality training data: the plain agent, and
    each conditioned agent asked for "high".  ``highlight``: a (kind, low_share) point to ring;
    ``flip_share``: a vertical line where greedy imitation of the mixture starts by observing."""
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4))
    styles = {"plain": ("plain imitation", COLORS["bc"], "o-"),
              "strategy": ("conditioned on the strategy, asked for high", COLORS["agent"], "s-"),
              "return": ("conditioned on the return, asked for high", COLORS["purple"], "^-")}
    for kind, (label, color, style) in styles.items():
        rows = table[(table["kind"] == kind) & (table["asked"].isin(["none", "high"]))].sort_values("low_share")
        if len(rows):
            ax.plot(rows["low_share"], rows["reward_fraction"], style, color=color, label=label, ms=5)
    if highlight is not None:
        kind, share = highlight
        row = table[(table["kind"] == kind) & (np.isclose(table["low_share"], share))
                    & (table["asked"].isin(["none", "high"]))]
        if len(row):
            ax.plot(row["low_share"], row["reward_fraction"], "o", ms=14, mfc="none", color=COLORS["black"])
    if flip_share is not None:
        ax.axvline(flip_share, color=COLORS["grey"], ls=":", lw=1)
        ax.text(flip_share + 0.01, 0.0, "greedy imitation of the mixture\nobserves first from here on",
                fontsize=8, color=COLORS["grey"], va="bottom")
    ax.axhline(1.0, color=COLORS["expert"], ls="--", lw=1, label="expert")
    ax.set_xlabel("share of low-quality episodes in training (half associational, half random)")
    ax.set_ylabel("reward / expert's")
    ax.set_ylim(min(-0.05, float(table["reward_fraction"].min()) - 0.05), 1.1)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    return ax


# ----------------------------------------------------------------------------------------------
# Saving and loading several agents in one file
# ----------------------------------------------------------------------------------------------

def save_agents(path: str | Path, agents: dict[str, Any], *, metadata: dict[str, Any] | None = None) -> Path:
    """Save several agents (plain, explaining or conditioned) in one file, and ``metadata`` in ``path.json``."""
    import torch

    path = Path(path)
    if not isinstance(agents, dict) or not agents:
        raise TypeError("agents must be a non-empty dict {name: agent}.")
    saved = {}
    for name, agent in agents.items():
        agents_mod.check_agent(agent, f"agents[{name!r}]")
        kind = "conditioned" if _is_conditioned(agent) else "explaining" if hasattr(agent, "strength_head") \
            else "passive"
        state = {k: v.detach().to("cpu", dtype=torch.float32).clone() for k, v in agent.state_dict().items()}
        saved[str(name)] = {"class": kind, "agent_config": agent.config.to_dict(), "state_dict": state}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"agents": saved}, path)
    meta = {"agents": sorted(saved), **(metadata or {})}
    path.with_suffix(path.suffix + ".json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return path


def load_agents(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Load the agents saved by :func:`save_agents`: ``({name: agent}, metadata)``, agents in eval mode."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved agents at {path}; make them with `python -m causal_lessons.explanations "
                                "sweep`.")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    builders = {"conditioned": make_conditioned_agent, "explaining": make_explaining_agent,
                "passive": agents_mod.make_agent}
    out = {}
    for name, entry in saved["agents"].items():
        agent = builders[entry["class"]](agents_mod.AgentConfig.from_dict(entry["agent_config"]), seed=None)
        agent.load_state_dict(entry["state_dict"])
        agent.eval()
        out[name] = agent
    meta_path = path.with_suffix(path.suffix + ".json")
    return out, (json.loads(meta_path.read_text()) if meta_path.is_file() else {})


#: Where the shipped sweep lives.
SWEEP_CHECKPOINT = training.CHECKPOINT_DIR / "explanations_quality_sweep.pt"
_EVAL_EPISODES = 2000


def _sweep_name(kind: str, share: float) -> str:
    return f"{kind}@{share:.2f}"


def run_sweep(out: str | Path = SWEEP_CHECKPOINT, *, shares: Sequence[float] = SWEEP_SHARES,
              kinds: Sequence[str] = QUALITY_KINDS, config: QualityConfig | None = None, seed: int = 0,
              eval_episodes: int = _EVAL_EPISODES, progress: bool = True,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train every (kind, low share) agent of part 2, save them in one file with config, seed and metrics
    (evaluated on ``eval_episodes`` ordinary test episodes), and return the metadata."""
    config = QualityConfig() if config is None else config
    shares = [check_probability(s, "shares") for s in shares]
    for kind in kinds:
        if kind not in QUALITY_KINDS:
            raise ValueError(f"kinds must be among {', '.join(repr(k) for k in QUALITY_KINDS)}, got {kind!r}.")
    log = log or (lambda message: None)
    start = time.perf_counter()
    test = quality_test_episodes(eval_episodes)
    trained, metrics = {}, {}
    for kind in kinds:
        for share in shares:
            agent, history = train_quality_agent(kind, share, config, seed=seed, progress=progress)
            name = _sweep_name(kind, share)
            trained[name] = agent
            asks = QUALITY_LEVELS if kind != "plain" else (None,)
            metrics[name] = {"seconds": round(history.seconds, 1), "final_loss": history.loss[-1],
                             **{asked or "none": quality_metrics(agent, test, quality=asked) for asked in asks}}
            log(f"{name}: trained in {history.seconds:.0f} s; reward fraction "
                + ", ".join(f"{k} {v['reward_fraction']:.3f}" for k, v in metrics[name].items() if isinstance(v, dict)))
    meta = {"produced_by": "python -m causal_lessons.explanations sweep", "quality_config": config.to_dict(),
            "train_config": config.train_config().to_dict(), "seed": seed, "shares": list(shares),
            "kinds": list(kinds), "eval_episodes": int(eval_episodes), "metrics": metrics,
            "hardware": training.hardware_info("cpu"), "seconds": round(time.perf_counter() - start, 1)}
    save_agents(out, trained, metadata=meta)
    log(f"saved {out}")
    return meta


def quality_test_episodes(n_episodes: int, *, seed: int = 0) -> env_mod.EpisodeBatch:
    """Ordinary expert episodes (every variable allowed) for testing the agents of part 2; the same ``seed``
    gives the same episodes."""
    return env_mod.generate_episodes(check_count(n_episodes, "n_episodes"), seed=3_000_017 + check_seed(seed))


def load_sweep(path: str | Path = SWEEP_CHECKPOINT) -> tuple[dict[tuple[str, float], Any], dict[str, Any]]:
    """The shipped sweep: ``({(kind, low_share): agent}, metadata)``."""
    saved, meta = load_agents(path)
    out = {}
    for name, agent in saved.items():
        kind, share = name.split("@")
        out[(kind, float(share))] = agent
    return dict(sorted(out.items(), key=lambda item: (QUALITY_KINDS.index(item[0][0]), item[0][1]))), meta


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m causal_lessons.explanations sweep [--out PATH] [--steps N] [--shares S ...]``."""
    parser = argparse.ArgumentParser(prog="python -m causal_lessons.explanations",
                                     description="Lesson 05's shipped agents (the quality sweep).")
    sub = parser.add_subparsers(dest="command", required=True)
    sw = sub.add_parser("sweep", help="train the plain and conditioned agents at every low-quality share")
    sw.add_argument("--out", type=Path, default=SWEEP_CHECKPOINT)
    sw.add_argument("--steps", type=int, default=QualityConfig().steps)
    sw.add_argument("--seed", type=int, default=0)
    sw.add_argument("--shares", type=float, nargs="+", default=list(SWEEP_SHARES),
                    help="shares of low-quality training episodes")
    sw.add_argument("--episodes", type=int, default=_EVAL_EPISODES, help="test episodes for the saved metrics")
    sw.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    run_sweep(args.out, shares=args.shares, config=QualityConfig(steps=check_count(args.steps, "--steps")),
              seed=args.seed, eval_episodes=check_count(args.episodes, "--episodes"), progress=not args.no_progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
