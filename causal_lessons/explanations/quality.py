"""Conditioning on a quality signal: asking a passive learner of mixed-quality data for the expert (lesson 05, part 2).

After Chen et al. (2021), Srivastava et al. (2019), Kumar et al. (2019).
Training data mix expert episodes with lower-quality ones (half associational,
half random, from the generator).  A *conditioned* agent reads a quality token
in its start token (one of :data:`QUALITY_LEVELS`): either the strategy that
played the episode (``label="strategy"``: a label of *how* it was played) or the
share of the best possible reward it earned (``label="return"``: *how it turned
out*).  At test time one asks it for a quality (:func:`asking`).
:func:`mixture_first_step` and :func:`greedy_flip_share` give the exact
first-move probabilities of the mixture, which plain behaviour cloning learns
and greedy play turns into a single move.  The shipped sweep of agents
(:func:`load_sweep`) is made by ``python -m causal_lessons.experiments.explanations sweep``.

Torch and matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import json
import numbers
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .. import agents as agents_mod
from .. import graphs, training
from .._validate import check_count, check_int, check_probability, check_real, check_seed
from ..environment import generate_episodes
from ..game import MAX_VARS, EpisodeBatch, check_batch
from ..strategies import exact_choices
from .confounding import make_explaining_agent

__all__ = [
    "QUALITY_LEVELS",
    "QUALITY_LABELS",
    "STRATEGY_QUALITY",
    "RETURN_THRESHOLDS",
    "QualityBatch",
    "mixed_episodes",
    "return_quality",
    "quality_sampler",
    "make_conditioned_agent",
    "is_conditioned",
    "asking",
    "quality_index",
    "quality_tensors",
    "mixture_first_move",
    "mixture_first_step",
    "greedy_flip_share",
    "first_step_probabilities",
    "QualityConfig",
    "QUALITY_KINDS",
    "SWEEP_SHARES",
    "train_quality_agent",
    "quality_metrics",
    "quality_table",
    "plays_like",
    "PLAYS_LIKE",
    "plot_quality_sweep",
    "save_agents",
    "load_agents",
    "sweep_name",
    "quality_test_episodes",
    "load_sweep",
    "SWEEP_CHECKPOINT",
]


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
class QualityBatch(EpisodeBatch):
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
        base = EpisodeBatch(**{f.name: getattr(self, f.name) for f in fields(EpisodeBatch)})
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
    check_batch(batch)
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
            parts.append(generate_episodes(count, strategy=strategy, n_vars=n_vars, seed=3 * seed + i))
            who.append(np.full(count, i, dtype=np.int64))
    joined = EpisodeBatch.concat(parts)
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


_CLASSES: dict[str, Any] = {}


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

        base = agents_mod.agent_class()
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
    return agents_mod.build_seeded(_conditioned_class(), agents_mod.as_agent_config(config, **overrides), seed)


def is_conditioned(agent) -> bool:
    """Does ``agent`` read a quality token (built by :func:`make_conditioned_agent`)?"""
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
    if not is_conditioned(agent):
        raise TypeError("asking() needs an agent conditioned on a quality (make_conditioned_agent); this agent "
                        "reads no quality token.")
    previous = agent.asked
    agent.asked = quality_index(quality)
    try:
        yield agent
    finally:
        agent.asked = previous


def quality_tensors(batch, agent, device) -> dict[str, Any]:
    """:func:`causal_lessons.training.batch_tensors`, with each episode's quality token written into a
    conditioned agent's start tokens (the ``tensors_fn`` of :func:`train_quality_agent`)."""
    out = training.batch_tensors(batch, agent, device)
    if is_conditioned(agent):
        quality = getattr(batch, "quality", None)
        if quality is None:
            raise TypeError("a conditioned agent is trained on batches with a quality label per episode "
                            "(from quality_sampler or mixed_episodes).")
        part = agent.layout.slices["quality"]
        out["tokens"][:, 0, part] = 0.0
        out["tokens"][np.arange(len(quality)), 0, part.start + np.asarray(quality)] = 1.0
    return out


def mixture_first_move(associational: float, random: float, n_vars: int = 5) -> dict[str, float]:
    """The exact probabilities of the first exploration move in a mixture of episodes (every variable allowed):
    a share ``associational`` played by the associational strategy, ``random`` by the random one, the rest by the
    expert.

    The expert experiments first on each variable with probability 1/n; the
    associational strategy always observes; the random one observes or
    experiments on each variable with probability 1/(n + 1).  Returns
    ``{"observe": p, "each variable": q}``.

    >>> {k: round(v, 3) for k, v in mixture_first_move(0.1, 0.5).items()}
    {'observe': 0.183, 'each variable': 0.163}
    """
    a = check_probability(associational, "associational")
    r = check_probability(random, "random")
    if a + r > 1 + 1e-12:
        raise ValueError(f"associational + random must be at most 1 (the rest is the expert's), got {a + r:g}.")
    n = check_int(n_vars, "n_vars", minimum=2, maximum=MAX_VARS)
    observe = a + r / (n + 1)
    return {"observe": observe, "each variable": (1 - observe) / n}


def mixture_first_step(low_share: float, n_vars: int = 5) -> dict[str, float]:
    """The exact probabilities of the first exploration move in the lesson's mixed data (every variable allowed):
    :func:`mixture_first_move` with the low-quality share ``low_share`` split half associational, half random.
    Returns ``{"observe": p, "each variable": q}``.
    """
    s = check_probability(low_share, "low_share")
    return mixture_first_move(s / 2, s / 2, n_vars)


def greedy_flip_share(n_vars: int = 5) -> float:
    """The low-quality share above which "observe" is the mixture's most likely first move: ``2 / (n + 2)``.

    From :func:`mixture_first_step`: observe has probability ``a s`` with
    ``a = (n + 2) / (2 (n + 1))``, each variable ``(1 - a s) / n``; they are equal
    at ``a s (n + 1) = 1``.  Greedy play of a perfect imitator of the mixture
    starts by observing above this share and by experimenting below it.
    """
    n = check_int(n_vars, "n_vars", minimum=2, maximum=MAX_VARS)
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
    if quality is None and is_conditioned(agent):
        raise ValueError("this agent is conditioned on a quality: pass quality='low', 'medium' or 'high'.")
    with context, torch.no_grad():
        agent.eval()
        probs = agent.explore_logits(agent.encode(tokens))[0, -1].softmax(-1).numpy()
    names = graphs.variable_names(n)
    out = {name: float(probs[i]) for i, name in enumerate(names)}
    out["observe"] = float(probs[agent.config.n_vars])
    return out


@dataclass(frozen=True)
class QualityConfig(training.ComposedConfig):
    """Sizes of the quality experiment (part 2): a small identity-head agent and its training budget.

    The identity head (a "variable x sign" classifier) can imitate the associational strategy's exploits,
    which point at no experiment.  Values are read in units of the intervention and of the noise.
    Settings are read and changed by their plain names (``QualityConfig().with_settings(steps=300)``;
    see :class:`causal_lessons.training.ComposedConfig`).
    """

    agent: agents_mod.AgentConfig = agents_mod.AgentConfig(d_model=32, d_ff=64, head="identity",
                                                           value_scales=(5.0, 0.1))
    train: training.TrainConfig = training.TrainConfig(steps=1500, batch_size=64, lr=5e-3, warmup=100,
                                                       weight_decay=0.1)

    def agent_config(self) -> agents_mod.AgentConfig:
        """The agent of the experiment."""
        return self.agent

    def train_config(self) -> training.TrainConfig:
        """The training settings."""
        return self.train


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
                             description=f"{kind} agent, low share {low_share:g}", tensors_fn=quality_tensors)
    return agent, history


def quality_metrics(agent, batch: EpisodeBatch, *, quality: Any = None, seed: int = 0) -> dict[str, float]:
    """An agent's active play on ordinary test episodes (for a conditioned agent: asked for ``quality``).

    ``reward_fraction`` (mean expected reward over the expert's on the same
    episodes), ``agreement`` (share of episodes where it earns as much as the
    expert), ``explore_coverage`` (it experimented on every variable),
    ``first_observes`` (its first move was "observe").
    """
    agents_mod.check_agent(agent)
    if is_conditioned(agent) and quality is None:
        raise ValueError("this agent is conditioned on a quality: pass quality='low', 'medium' or 'high'.")
    if not is_conditioned(agent) and quality is not None:
        raise ValueError("this agent reads no quality token: leave quality=None.")
    context = asking(agent, quality) if quality is not None else contextlib.nullcontext()
    with context:
        result = training.rollout(agent, batch, seed=seed)
    metrics = training.evaluate(agent, batch, result=result)
    return {"reward_fraction": metrics["reward_fraction"], "agreement": metrics["agreement"],
            "explore_coverage": metrics["explore_coverage"],
            "first_observes": float(np.mean(result.explore_actions[:, 0] < 0))}


def quality_table(agents: dict, batch: EpisodeBatch, *, seed: int = 0):
    """Evaluate a sweep of agents (``{(kind, low_share): agent}``) on ``batch``: one row per agent and asked
    quality (plain agents: "none"), sorted; columns kind, low_share, asked and :func:`quality_metrics`."""
    import pandas as pd

    if not isinstance(agents, dict) or not agents:
        raise TypeError("agents must be a dict {(kind, low_share): agent}, e.g. from load_sweep().")
    rows = []
    for (kind, share), agent in agents.items():
        asks = QUALITY_LEVELS if is_conditioned(agent) else (None,)
        for asked in asks:
            metrics = quality_metrics(agent, batch, quality=asked, seed=seed)
            rows.append({"kind": kind, "low_share": float(share), "asked": asked or "none", **metrics})
    table = pd.DataFrame(rows)
    table["kind"] = pd.Categorical(table["kind"], QUALITY_KINDS)
    table["asked"] = pd.Categorical(table["asked"], ("none",) + QUALITY_LEVELS)
    return table.sort_values(["kind", "low_share", "asked"]).reset_index(drop=True)


#: Whom an agent of the sweep plays like (:func:`plays_like`).
PLAYS_LIKE = ("the expert", "the associational strategy", "neither")
_TABLE_COLUMNS = {"kind", "low_share", "asked", "reward_fraction", "explore_coverage", "first_observes"}


def plays_like(table, kind: str = "strategy", low_share: float = 0.4, asked: str = "high") -> dict[str, Any]:
    """Look up one agent of the sweep in ``table`` (from :func:`quality_table`) and say whom it plays like.

    ``kind``: "plain", "strategy" or "return"; ``low_share``: one of the
    sweep's shares; ``asked``: the quality token asked for ("low", "medium",
    "high"; ignored for the plain agent, which reads none).  Returns the row's
    ``reward_fraction``, ``explore_coverage`` and ``first_observes``, the
    ``kind``, the ``low_share`` and the ``asked`` token actually used, and
    ``plays_like`` (one of :data:`PLAYS_LIKE`): "the expert" when it starts with
    an experiment in >= 90% of episodes and experiments on every variable in >=
    90%, "the associational strategy" when it starts by observing in >= 90%,
    "neither" otherwise.
    """
    if not hasattr(table, "columns") or not _TABLE_COLUMNS <= set(table.columns):
        raise TypeError("table must be the DataFrame made by causal_lessons.explanations.quality_table.")
    if kind not in QUALITY_KINDS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in QUALITY_KINDS)}, got {kind!r}.")
    low_share = check_real(low_share, "low_share", minimum=0.0, maximum=1.0)
    shares = sorted(set(table.loc[table["kind"] == kind, "low_share"]))
    match = [s for s in shares if np.isclose(s, low_share)]
    if not match:
        raise ValueError(f"low_share must be one of the sweep's shares {', '.join(f'{s:g}' for s in shares)}, "
                         f"got {low_share:g}.")
    share = match[0]
    asked = "none" if kind == "plain" else QUALITY_LEVELS[quality_index(asked)]
    row = table[(table["kind"] == kind) & np.isclose(table["low_share"], share) & (table["asked"] == asked)]
    if len(row) != 1:
        raise ValueError(f"the table has no row for {kind!r} at share {share:g} asked {asked!r}.")
    row = row.iloc[0]
    if row["first_observes"] <= 0.1 and row["explore_coverage"] >= 0.9:
        like = PLAYS_LIKE[0]
    elif row["first_observes"] >= 0.9:
        like = PLAYS_LIKE[1]
    else:
        like = PLAYS_LIKE[2]
    return {"reward_fraction": float(row["reward_fraction"]), "explore_coverage": float(row["explore_coverage"]),
            "first_observes": float(row["first_observes"]), "asked": asked, "low_share": float(share),
            "kind": kind, "plays_like": like}


def plot_quality_sweep(table, ax=None, *, highlight: tuple | None = None, flip_share: float | None = None):
    """Reward (fraction of the expert's) against the share of low-quality training data: the plain agent, and
    each conditioned agent asked for "high".  ``highlight``: a (kind, low_share) point to ring;
    ``flip_share``: a vertical line where greedy imitation of the mixture starts by observing."""
    import matplotlib.pyplot as plt

    from ..plotting import COLORS

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
        kind = "conditioned" if is_conditioned(agent) else "explaining" if hasattr(agent, "strength_head") \
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
        raise FileNotFoundError(f"no saved agents at {path}; make them with `python -m "
                                "causal_lessons.experiments.explanations sweep`.")
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


def sweep_name(kind: str, share: float) -> str:
    """The name of one agent of the sweep in its file and metadata: ``"strategy@0.40"``."""
    return f"{kind}@{share:.2f}"


def quality_test_episodes(n_episodes: int, *, seed: int = 0) -> EpisodeBatch:
    """Ordinary expert episodes (every variable allowed) for testing the agents of part 2; the same ``seed``
    gives the same episodes."""
    return generate_episodes(check_count(n_episodes, "n_episodes"), seed=3_000_017 + check_seed(seed))


def load_sweep(path: str | Path = SWEEP_CHECKPOINT) -> tuple[dict[tuple[str, float], Any], dict[str, Any]]:
    """The shipped sweep: ``({(kind, low_share): agent}, metadata)``."""
    saved, meta = load_agents(path)
    out = {}
    for name, agent in saved.items():
        kind, share = name.split("@")
        out[(kind, float(share))] = agent
    return dict(sorted(out.items(), key=lambda item: (QUALITY_KINDS.index(item[0][0]), item[0][1]))), meta
