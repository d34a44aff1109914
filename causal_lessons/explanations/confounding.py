"""Explanations as extra prediction targets, tested on a perfectly confounded training distribution (lesson 05, part 1).

After Lampinen et al. (2022, 2023).  Besides the expert's next action, an
*explaining* agent predicts an explanation of what it saw: at each experiment,
which variables the intervention moved (down, not at all, up); at the exploit,
*why this choice*: how strongly, and in which direction, the goal responded to
each of the episode's experiments.  In every training episode the best variable
to intervene on is also the goal's *shortcut partner*, the variable named just
before it (:data:`SHORTCUT_PAIRS`), so "exploit the experiment that moved the
goal most" (causal) and "exploit the variable named before the goal" (shortcut)
explain every expert choice equally well.  The de-confounded test
(:func:`deconfounded_episodes`) separates them: the unique best variable is
never the partner.

Torch and matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .. import agents as agents_mod
from .. import graphs, training
from .._validate import check_count, check_int, check_probability, check_real, check_seed
from ..environment import generate_episodes
from ..game import MAX_VARS, EpisodeBatch, check_batch

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
]

_NAMES5 = graphs.variable_names(5)
#: (partner, goal) pairs of the confounded training data: the variable named just before the goal (cyclically).
SHORTCUT_PAIRS = tuple((_NAMES5[(i - 1) % 5], _NAMES5[i]) for i in range(5))
_TEST_SEED = 2_000_003


def other_pairs(n_vars: int = 5) -> list[tuple[str, str]]:
    """Every ordered (source, goal) pair of ``n_vars`` variables except the shortcut pairs (the test's pairs)."""
    names = graphs.variable_names(check_int(n_vars, "n_vars", minimum=3, maximum=MAX_VARS))
    partners = {(names[(i - 1) % len(names)], names[i]) for i in range(len(names))}
    return [(a, b) for a in names for b in names if a != b and (a, b) not in partners]


def _shortcut_pairs(n_vars: int) -> list[tuple[str, str]]:
    names = graphs.variable_names(n_vars)
    return [(names[(i - 1) % n_vars], names[i]) for i in range(n_vars)]


def shortcut_partner(goal: Any, n_vars: int = 5) -> np.ndarray:
    """Index of each goal's shortcut partner: the variable named just before it (A's partner is the last one)."""
    n_vars = check_int(n_vars, "n_vars", minimum=3, maximum=MAX_VARS)
    goal = np.asarray(goal, dtype=np.int64)
    if goal.size and (goal.min() < 0 or goal.max() >= n_vars):
        raise ValueError(f"goal must hold variable indices 0..{n_vars - 1}, got values from {goal.min()} to {goal.max()}.")
    return (goal - 1) % n_vars


def confounded_sampler(*, deconfounded_share: float = 0.0, n_vars: int = 5
                       ) -> Callable[[int, int], EpisodeBatch]:
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
    n = check_int(n_vars, "n_vars", minimum=3, maximum=MAX_VARS)
    pairs = _shortcut_pairs(n)

    def sampler(n_episodes: int, seed: int) -> EpisodeBatch:
        n_episodes = check_count(n_episodes, "n_episodes")
        mixed = int(round(n_episodes * share))
        batch = generate_episodes(n_episodes - mixed, n_vars=n, heldout_links=pairs, test_links=True,
                                          seed=seed) if mixed < n_episodes else None
        if mixed == 0:
            return batch
        plain = generate_episodes(mixed, n_vars=n, seed=seed + 1_000_000_007)
        joined = plain if batch is None else EpisodeBatch.concat([batch, plain])
        return joined.subset(np.random.default_rng(seed).permutation(n_episodes))

    return sampler


def deconfounded_episodes(n_episodes: int, *, seed: int = 0, n_vars: int = 5,
                          strategy: str = "expert") -> EpisodeBatch:
    """Test episodes that separate the two rules: the unique best variable is *not* the goal's shortcut partner.

    Every variable is allowed; played by ``strategy`` (the expert, for the
    reference reward).  The same ``seed`` gives the same DAGs and goals.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    return generate_episodes(n_episodes, strategy=strategy, n_vars=n_vars, heldout_links=other_pairs(n_vars),
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
    check_batch(batch)
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

        base = agents_mod.agent_class()

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


def make_explaining_agent(config: agents_mod.AgentConfig | None = None, *, seed: int | None = 0, **overrides):
    """A passive agent (as :func:`causal_lessons.agents.make_agent`) with explanation heads, seeded.

    The transformer and the action heads get exactly the weights ``make_agent``
    gives with the same config and seed (the explanation heads are made after
    them), so agents trained with and without explanations start from the same network.
    """
    return agents_mod.build_seeded(_explaining_class(), agents_mod.as_agent_config(config, **overrides), seed)


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

    out = training.batch_tensors(batch, agent, device)
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
class ConfoundConfig(training.ComposedConfig):
    """Sizes of the explanation experiment (part 1): a pointer agent as in lesson 04, its training budget, the
    explanations' weight in the loss and the de-confounded share of the third agent's data.

    Settings are read and changed by their plain names (``config.steps``,
    ``train_confounded("plain", d_model=32)``; see :class:`causal_lessons.training.ComposedConfig`).
    """

    agent: agents_mod.AgentConfig = agents_mod.AgentConfig(value_scales=(5.0,))
    train: training.TrainConfig = training.TrainConfig(steps=1000, batch_size=64, lr=5e-3, warmup=100,
                                                       weight_decay=0.1)
    explain_weight: float = 1.0
    deconfounded_share: float = 0.1

    def agent_config(self) -> agents_mod.AgentConfig:
        """The pointer agent of the experiment."""
        return self.agent

    def train_config(self) -> training.TrainConfig:
        """The training settings."""
        return self.train


#: The agents of part 1: plain imitation, imitation plus explanations, plain imitation on partly de-confounded data.
CONFOUND_KINDS = ("plain", "explained", "deconfounded")


def train_confounded(kind: str, config: ConfoundConfig | None = None, *, seed: int = 0, progress: bool = False,
                     device: Any = "cpu", **overrides):
    """Train one agent of part 1 on the confounded data; returns ``(agent, history)``.

    ``kind``: ``"plain"`` (imitation only), ``"explained"`` (imitation plus
    ``config.explain_weight`` x explanations) or ``"deconfounded"`` (imitation
    only, with ``config.deconfounded_share`` of ordinary expert episodes mixed
    in).  Every kind starts from the same network (same seed) and sees the
    same number of episodes.  ``overrides`` change settings of the config, by their plain names.
    """
    if kind not in CONFOUND_KINDS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in CONFOUND_KINDS)}, got {kind!r}.")
    config = ConfoundConfig() if config is None else config
    if not isinstance(config, ConfoundConfig):
        raise TypeError(f"config must be a ConfoundConfig, got {type(config).__name__}.")
    config = config.with_settings(**overrides)
    agent = make_explaining_agent(config.agent_config(), seed=seed)
    share = config.deconfounded_share if kind == "deconfounded" else 0.0
    loss_fn, tensors_fn = explained_loss(config.explain_weight if kind == "explained" else 0.0)
    history = training.train(agent, confounded_sampler(deconfounded_share=share), config.train_config(), seed=seed,
                             device=device, progress=progress, description=f"{kind} agent", loss_fn=loss_fn,
                             tensors_fn=tensors_fn)
    return agent, history


def choice_report(agent, batch: EpisodeBatch, *, seed: int = 0,
                  result: training.RolloutResult | None = None) -> dict[str, float]:
    """How an agent plays de-confounded episodes actively: which rule do its exploit choices follow?

    ``reward_fraction`` (its mean expected reward over the expert's on the same
    episodes), ``best_pick`` (share of episodes where it exploits the unique
    best variable, the causal rule), ``shortcut_pick`` (share where it exploits
    the goal's shortcut partner), ``explore_coverage`` and ``episodes``.
    """
    agents_mod.check_agent(agent)
    check_batch(batch)
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


def agent_explanations(agent, batch: EpisodeBatch, result: training.RolloutResult) -> dict[str, np.ndarray]:
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


def explanation_report(agent, batch: EpisodeBatch, result: training.RolloutResult | None = None, *,
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


def plot_explanation(agent, batch: EpisodeBatch, result: training.RolloutResult, index: int, ax=None):
    """One de-confounded episode: the goal's true response to each of the agent's experiments, the agent's
    explanation (its stated strengths), its exploit scores, and the shortcut partner.  Returns a dict."""
    import matplotlib.pyplot as plt

    from ..plotting import COLORS

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
