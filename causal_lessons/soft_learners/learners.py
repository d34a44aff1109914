"""The two learners of lesson 11 and how they are trained: the soft learner and the tool user.

* The **soft learner** is lesson 04's passive agent (:mod:`causal_lessons.agents`,
  the pointer head): a small transformer that reads the episode one token per
  step and chooses where to experiment and what to exploit.
* The **tool user** is the same network whose goal token also carries what the
  exact effect tool (:func:`causal_lessons.soft_learners.players.effect_tool`)
  computes from the experiments the agent made: each variable's estimated effect on
  the goal, which variables were experimented on, and the exploit the tool
  recommends (its sign on that variable).  The agent calls the tool on its own
  tokens (:class:`ToolLayout`), so it plays with
  :func:`causal_lessons.training.rollout` like any agent; training decides how much
  it leans on the tool.

Both are trained the same way, by behaviour cloning (:func:`causal_lessons.training.train`)
on the same episodes: the teacher experiments once on every allowed variable, then
makes the exploit that is best in its world (:func:`teacher_sampler`).  The two
training distributions (:data:`REGIMES`) are the game as designed (``"clean"``) and
a mix of worlds (``"varied"``: each episode's kind drawn uniformly from the clean
game and the five broken kinds, its strength uniformly from [0, 0.5]).  Torch is
imported when a learner is built, not when this module is imported.

>>> layout = ToolLayout(5, (5.0,))
>>> layout.slices["tool"], layout.size
(slice(29, 44, None), 44)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import agents as agents_mod
from .. import training
from .._validate import check_seed
from ..game import EpisodeBatch, GameSpec
from .players import effect_tool, play_world
from .worlds import ALL_KINDS, CLEAN, WorldMix, world_episodes

__all__ = [
    "LEARNERS",
    "LEARNER_LABELS",
    "REGIMES",
    "ToolLayout",
    "decode_steps",
    "tool_features",
    "make_learner",
    "is_tool_user",
    "SoftLearnersConfig",
    "CONFIGS",
    "get_config",
    "teacher_sampler",
    "train_learner",
    "save_learner",
    "load_learner",
    "checkpoint_path",
]

#: The two learners: the soft learner (lesson 04's pointer agent) and the tool user.
LEARNERS = ("soft", "tool")
#: How the lesson names the players.
LEARNER_LABELS = {"rigid": "rigid solver", "soft": "soft learner", "tool": "tool user"}
#: The training distributions: the game as designed, or a mix of worlds (strengths up to 0.5).
REGIMES = {"clean": WorldMix(kinds=(CLEAN,)), "varied": WorldMix(kinds=ALL_KINDS, max_strength=0.5)}


@dataclass(frozen=True)
class ToolLayout(agents_mod.TokenLayout):
    """A token layout with a ``tool`` slot (3n features) after the usual ones, filled in the goal token.

    The slot holds, per variable: signed_log of the tool's effect estimate (0
    where it has none), 1 where it has one, and the recommendation (+1 or -1 at
    the variable the tool recommends, with its sign).
    """

    def __post_init__(self):
        super().__post_init__()
        slices = dict(self.slices)
        slices["tool"] = slice(self.size, self.size + 3 * self.n_vars)
        object.__setattr__(self, "slices", slices)
        object.__setattr__(self, "size", self.size + 3 * self.n_vars)


def decode_steps(tokens: np.ndarray, layout: agents_mod.TokenLayout) -> dict[str, np.ndarray]:
    """Read an episode's tokens (B, K + 2, F) back: ``allowed`` (B, n), ``actions`` (B, K; -1 observes),
    ``values`` (B, K, n) (from the first value scale) and ``goal`` (B,).

    The inverse of :func:`causal_lessons.agents.episode_tokens` (up to float32 rounding).
    """
    tokens = np.asarray(tokens, dtype=np.float64)
    n, sl = layout.n_vars, layout.slices
    steps = tokens[:, 1:-1]
    actions = agents_mod.index_to_action(steps[..., sl["action"]].argmax(-1), n)
    squashed = steps[..., sl["values"].start:sl["values"].start + n]
    values = layout.value_scales[0] * np.sign(squashed) * np.expm1(np.abs(squashed))
    return {"allowed": tokens[:, 0, sl["allowed"]] > 0.5, "actions": actions, "values": values,
            "goal": tokens[:, -1, sl["goal"]].argmax(-1)}


def tool_features(tokens: np.ndarray, layout: agents_mod.TokenLayout, intervention_value: float = 5.0) -> np.ndarray:
    """The tool's reading of each episode (B, 3n): what goes into the goal token's ``tool`` slot.

    >>> from causal_lessons.agents import episode_tokens
    >>> layout = ToolLayout(3, (5.0,))
    >>> tokens = episode_tokens([[True] * 3], [[0, 1, -1]], [[[5, 4.9, -10], [0, 5, 2], [0, 0, 0]]], [2],
    ...                         layout=layout)
    >>> [round(float(x), 2) for x in tool_features(tokens, layout)[0]]
    [-1.1, 0.34, 0.0, 1.0, 1.0, 0.0, -1.0, 0.0, 0.0]
    """
    seen = decode_steps(tokens, layout)
    reading = effect_tool(seen["actions"], seen["values"], seen["goal"], seen["allowed"], intervention_value)
    n = layout.n_vars
    has = ~np.isnan(reading.estimates)
    advice = np.zeros((len(reading.var), n))
    rows = np.flatnonzero(reading.var >= 0)
    advice[rows, reading.var[rows]] = reading.sign[rows]
    return np.concatenate([agents_mod.signed_log(np.nan_to_num(reading.estimates)), has, advice],
                          axis=1).astype(np.float32)


_CLASSES: dict[str, Any] = {}


def _tool_user_class():
    """The tool user's class (a PassiveAgent that calls the effect tool on its goal token), built on first use."""
    if "ToolUser" not in _CLASSES:
        import torch
        from torch import nn

        base = agents_mod.agent_class()

        class ToolUser(base):
            """A passive agent whose goal token carries the effect tool's reading of its own experiments."""

            def __init__(self, config):
                super().__init__(config)
                self.layout = ToolLayout(config.n_vars, config.value_scales)
                self.embed = nn.Linear(self.layout.size, config.d_model)

            def encode(self, tokens, return_attention: bool = False):
                kind = self.layout.slices["type"].start + 2
                if tokens.shape[1] >= 3 and bool((tokens[:, -1, kind] > 0.5).all()):
                    part = self.layout.slices["tool"]
                    reading = tool_features(tokens.detach().cpu().numpy(), self.layout,
                                            self.config.intervention_value)
                    tokens = tokens.clone()
                    tokens[:, -1, part] = torch.from_numpy(reading).to(tokens.device)
                return super().encode(tokens, return_attention)

        _CLASSES["ToolUser"] = ToolUser
    return _CLASSES["ToolUser"]


def _check_learner(learner: Any) -> str:
    if learner not in LEARNERS:
        raise ValueError(f"learner must be one of {', '.join(repr(k) for k in LEARNERS)}, got {learner!r}.")
    return learner


def make_learner(learner: str, config: agents_mod.AgentConfig | None = None, *, seed: int | None = 0, **overrides):
    """Build a ``"soft"`` learner (lesson 04's agent) or a ``"tool"`` user with seeded weights (pointer head).

    >>> make_learner("tool", d_model=16, n_heads=2, d_ff=16, value_scales=(5.0,), seed=0).layout.size
    44
    """
    learner = _check_learner(learner)
    config = agents_mod.as_agent_config(config, **overrides)
    if config.head != "pointer":
        raise ValueError(f"the learners of lesson 11 use the pointer head, got head={config.head!r}.")
    cls = agents_mod.agent_class() if learner == "soft" else _tool_user_class()
    return agents_mod.build_seeded(cls, config, seed)


def is_tool_user(agent) -> bool:
    """Does ``agent`` read the effect tool (built by ``make_learner("tool")``)?"""
    return "tool" in getattr(agent, "layout", agents_mod.TokenLayout(2)).slices


@dataclass(frozen=True)
class SoftLearnersConfig(training.ComposedConfig):
    """The settings of lesson 11's experiment: the learners' network and training (lesson 04's ``small``
    config), the test sizes, the strengths and weight scales tested, and the seeds.

    Settings are read and changed by their plain names (``config.steps``,
    ``get_config("small", eval_episodes=500)``; see :class:`causal_lessons.training.ComposedConfig`).
    """

    name: str = "small"
    agent: agents_mod.AgentConfig = agents_mod.AgentConfig(value_scales=(5.0,))
    train: training.TrainConfig = training.TrainConfig(steps=6000, batch_size=64, lr=5e-3, warmup=100,
                                                       weight_decay=0.1)
    n_explore: int = 6
    mix_strength: float = 0.5
    eval_episodes: int = 4000
    strengths: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
    weight_scales: tuple[float, ...] = (0.25, 0.35, 0.5, 0.71, 1.0, 1.41, 2.0, 2.83, 4.0)
    seeds: tuple[int, ...] = (0, 1, 2)
    test_seed: int = 2024
    description: str = ""

    @property
    def game(self) -> GameSpec:
        """The game the learners play: five variables, ``n_explore`` steps (one more than the rigid solver's
        experiments: like lesson 03's expert, it spends the spare step observing)."""
        return GameSpec(n_explore=self.n_explore)

    def regime(self, name: str) -> WorldMix:
        """The training distribution ``name`` (see :data:`REGIMES`), with this config's ``mix_strength``."""
        if name not in REGIMES:
            raise ValueError(f"regime must be one of {', '.join(repr(r) for r in REGIMES)}, got {name!r}.")
        mix = REGIMES[name]
        return mix if name == "clean" else replace(mix, max_strength=self.mix_strength)


CONFIGS = {
    "small": SoftLearnersConfig(name="small", description="lesson 04's small agent and training, three seeds, "
                                                           "4,000 test episodes per world and strength"),
    "tiny": SoftLearnersConfig(name="tiny").with_settings(
        steps=300, warmup=20, eval_episodes=400, strengths=(0.0, 0.5, 1.0), weight_scales=(0.5, 1.0, 2.0),
        description="a check that the experiment runs (minutes on one core); not a result"),
}


def get_config(name: str = "small", **overrides) -> SoftLearnersConfig:
    """A named config (:data:`CONFIGS`) with ``overrides`` (settings by their plain names)."""
    if name not in CONFIGS:
        raise ValueError(f"config must be one of {', '.join(repr(c) for c in CONFIGS)}, got {name!r}.")
    return CONFIGS[name].with_settings(**overrides)


def teacher_sampler(mix: WorldMix, game_spec: GameSpec | None = None):
    """Training episodes as ``sampler(n_episodes, seed)`` for :func:`causal_lessons.training.train`: worlds from
    ``mix`` in the game ``game_spec``, played by the teacher (one experiment per allowed variable, then the best
    exploit in the world)."""
    if not isinstance(mix, WorldMix):
        raise TypeError(f"mix must be a WorldMix, got {type(mix).__name__}.")

    def sampler(n_episodes: int, seed: int) -> EpisodeBatch:
        return play_world(world_episodes(n_episodes, mix, seed=seed, game_spec=game_spec), exploit="best",
                          seed=seed)

    return sampler


def train_learner(learner: str, regime: str, config: SoftLearnersConfig | str = "small", *, seed: int = 0,
                  device: Any = "cpu", progress: bool = False):
    """Train one learner (``"soft"`` or ``"tool"``) on one training distribution (``"clean"`` or ``"varied"``)
    by behaviour cloning on the teacher's episodes; returns ``(agent, history)``.

    The network is ``config.agent`` (built with ``seed``), the optimiser
    ``config.train``, the game ``config.game``; both learners of a regime see the same episodes.
    """
    config = get_config(config) if isinstance(config, str) else config
    if not isinstance(config, SoftLearnersConfig):
        raise TypeError(f"config must be a SoftLearnersConfig or a config name, got {type(config).__name__}.")
    seed = check_seed(seed)
    agent = make_learner(learner, config.agent, seed=seed)
    history = training.train(agent, teacher_sampler(config.regime(regime), config.game), config.train, seed=seed,
                             device=device,
                             progress=progress, description=f"{learner} learner, {regime} worlds")
    return agent, history


def checkpoint_path(learner: str, regime: str, config_name: str = "small") -> Path:
    """Where a shipped learner lives: ``causal_lessons/checkpoints/soft_learners_<learner>_<regime>_<config>.pt``."""
    _check_learner(learner)
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {', '.join(repr(r) for r in REGIMES)}, got {regime!r}.")
    return training.CHECKPOINT_DIR / f"soft_learners_{learner}_{regime}_{config_name}.pt"


def save_learner(path: str | Path, agent, *, metadata: dict[str, Any] | None = None) -> Path:
    """Save a learner (its config, weights and kind) to ``path``, with ``metadata`` in ``path.json``."""
    agents_mod.check_agent(agent)
    learner = "tool" if is_tool_user(agent) else "soft"
    return training.save_model(path, agent, "agent_config", {"learner": learner, **(metadata or {})})


def load_learner(path: str | Path):
    """Load a learner saved by :func:`save_learner`; returns ``(agent, metadata)``."""
    saved, metadata = training.read_model(path, "agent_config", what="lesson 11 learner",
                                          command="python -m causal_lessons.experiments.soft_learners train")
    learner = metadata.get("learner")
    if learner not in LEARNERS:
        raise ValueError(f"{path} has no 'learner' entry in its JSON, so it is not a lesson 11 learner.")
    agent = make_learner(learner, agents_mod.AgentConfig.from_dict(saved["agent_config"]), seed=None)
    agent.load_state_dict(saved["state_dict"])
    agent.eval()
    return agent, metadata
