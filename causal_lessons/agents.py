"""Passive agents: a small causal transformer that reads an episode of the causal DAG game and acts.

The agent sees one *token per step* of an episode (a few numbers each), so an
episode of the five-variable game is only seven tokens long:

====  =========  =====================================================================
pos   token      what it carries
====  =========  =====================================================================
0     start      which variables exist and which ones may be experimented on
1..K  step k     the action taken at exploration step k ("observe" or do(X_i = +v))
                 and every variable's value afterwards, as signed_log(value / v)
K+1   goal       which variable is the goal
====  =========  =====================================================================

A causal transformer (each position attends only to earlier ones) reads the
tokens.  From position k-1 it proposes exploration action k; from the goal
token it chooses the exploit intervention.  Two choices of exploit output are
compared in lesson 04:

* ``head="pointer"`` scores the episode's own exploration steps (a pointer) and
  adds a sign: "intervene again on the variable of *that* experiment, with this
  sign".  The answer refers to what happened in this episode.
* ``head="identity"`` is a fixed ``2 n``-way classifier over "variable x sign":
  the answer names a variable by its identity, so it can also learn priors such
  as "A never helps E".

Values enter through :func:`signed_log` (``sign(x) log(1 + |x|)``): monotone, so
larger effects still read as larger, but compressed, so that an effect much
larger than any seen in training (a held-out link, say) cannot swamp the record
of which experiment was made.  With raw values, one training seed in five let
such observations derail its exploration on the held-out links (coverage 0.95);
with the compression all six seeds tried kept coverage >= 0.98.

The agent never sees the graph: only the values its own actions produced.  Torch
is imported when an agent is built, not when this module is imported.

>>> agent = make_agent(n_vars=5, head="pointer", seed=0)
>>> sum(p.numel() for p in agent.parameters()) < 100_000
True
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ._validate import check_count, check_int, check_positive, check_seed

__all__ = [
    "HEADS",
    "AgentConfig",
    "TokenLayout",
    "make_agent",
    "agent_class",
    "as_agent_config",
    "build_seeded",
    "check_agent",
    "check_n_vars",
    "episode_tokens",
    "start_tokens",
    "step_tokens",
    "goal_tokens",
    "action_index",
    "index_to_action",
    "count_parameters",
    "signed_log",
]

#: The two exploit outputs compared in lesson 04.
HEADS = ("pointer", "identity")


@dataclass(frozen=True)
class AgentConfig:
    """The size and kind of a passive agent (saved with every checkpoint).

    ``n_vars`` is the largest number of variables the agent can handle (smaller
    episodes are padded); ``max_steps`` the largest number of exploration steps.
    ``value_scales``: each observed value is fed once per scale, as
    signed_log(value / scale) (:func:`signed_log`).  The default pair reads values in
    units of the intervention (5: an effect of +1 reads as log 2) and of the
    noise (0.1: the small values of passive observation stay visible).
    ``intervention_value`` is the size of the agent's interventions when it plays.
    """

    n_vars: int = 5
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 128
    max_steps: int = 8
    head: str = "pointer"
    intervention_value: float = 5.0
    value_scales: tuple[float, ...] = (5.0, 0.1)

    def __post_init__(self):
        check_count(self.n_vars, "n_vars")
        check_count(self.d_model, "d_model")
        check_count(self.n_layers, "n_layers")
        check_count(self.n_heads, "n_heads")
        check_count(self.d_ff, "d_ff")
        check_count(self.max_steps, "max_steps")
        check_positive(self.intervention_value, "intervention_value")
        if isinstance(self.value_scales, (str, bytes)) or not hasattr(self.value_scales, "__len__") \
                or len(self.value_scales) == 0:
            raise ValueError(f"value_scales must be a non-empty tuple of positive numbers, got {self.value_scales!r}.")
        object.__setattr__(self, "value_scales",
                           tuple(check_positive(v, "value_scales") for v in self.value_scales))
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of n_heads ({self.n_heads}).")
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {', '.join(repr(h) for h in HEADS)}, got {self.head!r}.")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (the checkpoint stores it)."""
        return asdict(self)

    @property
    def layout(self) -> TokenLayout:
        """The token layout of this agent."""
        return TokenLayout(self.n_vars, self.value_scales)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgentConfig:
        """Rebuild a config saved by :meth:`to_dict` (unknown keys are an error)."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown agent config keys: {', '.join(unknown)}.")
        data = dict(data)
        if "value_scales" in data:
            data["value_scales"] = tuple(data["value_scales"])
        return cls(**data)


@dataclass(frozen=True)
class TokenLayout:
    """Where each piece of information sits in a token's feature vector (for ``n`` variables).

    A token is ``[type (3) | exists (n) | allowed (n) | action (n + 1) | values (n x scales) | goal (n)]``;
    the action slot ``n`` means "observe"; the values are repeated once per scale in ``value_scales``.
    """

    n_vars: int
    value_scales: tuple[float, ...] = (5.0,)
    slices: dict[str, slice] = field(init=False)
    size: int = field(init=False)

    def __post_init__(self):
        n = self.n_vars
        widths = [("type", 3), ("exists", n), ("allowed", n), ("action", n + 1),
                  ("values", n * len(self.value_scales)), ("goal", n)]
        slices, start = {}, 0
        for name, width in widths:
            slices[name] = slice(start, start + width)
            start += width
        object.__setattr__(self, "slices", slices)
        object.__setattr__(self, "size", start)


def action_index(actions: Any, n_vars: int) -> np.ndarray:
    """Map contract actions (-1 = observe, i = do(X_i)) to class indices (i, or ``n_vars`` for observe)."""
    actions = np.asarray(actions)
    if actions.size and (actions.min() < -1 or actions.max() >= n_vars):
        raise ValueError(f"actions must be -1 (observe) or a variable index 0..{n_vars - 1}, "
                         f"got values from {actions.min()} to {actions.max()}.")
    return np.where(actions < 0, n_vars, actions).astype(np.int64)


def index_to_action(index: Any, n_vars: int) -> np.ndarray:
    """Inverse of :func:`action_index`: class ``n_vars`` becomes -1 ("observe")."""
    index = np.asarray(index)
    return np.where(index >= n_vars, -1, index).astype(np.int64)


def _as_array(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def signed_log(x: Any) -> np.ndarray:
    """``sign(x) * log(1 + |x|)``: a monotone compression of the observed values (0 stays 0, +-1 becomes +-0.69).

    >>> [round(float(v), 2) for v in signed_log([-1.0, 0.0, 3.0])]
    [-0.69, 0.0, 1.39]
    """
    x = np.asarray(x, dtype=np.float32)
    return np.sign(x) * np.log1p(np.abs(x))


def start_tokens(allowed: Any, layout: TokenLayout, n_present: int | None = None) -> np.ndarray:
    """Start tokens (B, F): the variables that exist (the first ``n_present``) and the allowed ones."""
    allowed = _as_array(allowed).astype(bool)
    batch, n = allowed.shape
    tokens = np.zeros((batch, layout.size), np.float32)
    tokens[:, layout.slices["type"].start] = 1.0
    exists = np.zeros(layout.n_vars, np.float32)
    exists[: n if n_present is None else n_present] = 1.0
    tokens[:, layout.slices["exists"]] = exists
    tokens[:, layout.slices["allowed"].start:layout.slices["allowed"].start + n] = allowed
    return tokens


def step_tokens(actions: Any, values: Any, layout: TokenLayout) -> np.ndarray:
    """Step tokens (..., F) for contract actions (..., ) and values (..., n): signed_log(value / scale) per scale."""
    actions = _as_array(actions)
    values = _as_array(values).astype(np.float32)
    n = values.shape[-1]
    tokens = np.zeros(actions.shape + (layout.size,), np.float32)
    tokens[..., layout.slices["type"].start + 1] = 1.0
    act = np.where(actions < 0, layout.n_vars, actions)
    np.put_along_axis(tokens, (layout.slices["action"].start + act)[..., None], 1.0, axis=-1)
    start = layout.slices["values"].start
    for scale in layout.value_scales:
        tokens[..., start:start + n] = signed_log(values / scale)
        start += layout.n_vars
    return tokens


def goal_tokens(goal: Any, layout: TokenLayout) -> np.ndarray:
    """Goal tokens (B, F) naming the goal variable."""
    goal = _as_array(goal).astype(np.int64)
    tokens = np.zeros((len(goal), layout.size), np.float32)
    tokens[:, layout.slices["type"].start + 2] = 1.0
    tokens[np.arange(len(goal)), layout.slices["goal"].start + goal] = 1.0
    return tokens


def episode_tokens(allowed: Any, explore_actions: Any, explore_values: Any, goal: Any, *,
                   layout: TokenLayout) -> np.ndarray:
    """The whole episode as tokens (B, K + 2, F): start, the K exploration steps, goal."""
    allowed = _as_array(allowed)
    explore_values = _as_array(explore_values)
    if explore_values.ndim != 3:
        raise ValueError(f"explore_values must have shape (episodes, steps, variables), got {explore_values.shape}.")
    if allowed.shape[1] > layout.n_vars:
        raise ValueError(f"the episodes have {allowed.shape[1]} variables but the agent handles at most "
                         f"{layout.n_vars}; build an agent with a larger n_vars.")
    return np.concatenate([
        start_tokens(allowed, layout)[:, None],
        step_tokens(explore_actions, explore_values, layout),
        goal_tokens(goal, layout)[:, None],
    ], axis=1)


def count_parameters(agent) -> int:
    """Number of trainable parameters of an agent."""
    return int(sum(p.numel() for p in agent.parameters() if p.requires_grad))


def _build_classes():
    """Define the torch modules (called once, on first use, so that importing this module stays cheap)."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    class Block(nn.Module):
        """Pre-norm transformer block with causal self-attention."""

        def __init__(self, d_model: int, n_heads: int, d_ff: int):
            super().__init__()
            self.n_heads = n_heads
            self.norm1 = nn.LayerNorm(d_model)
            self.qkv = nn.Linear(d_model, 3 * d_model)
            self.proj = nn.Linear(d_model, d_model)
            self.norm2 = nn.LayerNorm(d_model)
            self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

        def forward(self, x, return_attention: bool = False):
            batch, length, d = x.shape
            q, k, v = self.qkv(self.norm1(x)).view(batch, length, 3, self.n_heads, d // self.n_heads).unbind(2)
            q, k, v = (t.transpose(1, 2) for t in (q, k, v))
            attention = None
            if return_attention:
                scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.n_heads)
                causal = torch.ones(length, length, dtype=torch.bool, device=x.device).tril()
                attention = scores.masked_fill(~causal, float("-inf")).softmax(-1)
                out = attention @ v
            else:
                out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(out.transpose(1, 2).reshape(batch, length, d))
            x = x + self.mlp(self.norm2(x))
            return x, attention

    class PassiveAgent(nn.Module):
        """The policy: tokens in, exploration-action logits and exploit logits out."""

        def __init__(self, config: AgentConfig):
            super().__init__()
            self.config = config
            self.layout = config.layout
            d = config.d_model
            self.embed = nn.Linear(self.layout.size, d)
            self.position = nn.Parameter(torch.zeros(config.max_steps + 2, d))
            self.blocks = nn.ModuleList(Block(d, config.n_heads, config.d_ff) for _ in range(config.n_layers))
            self.norm = nn.LayerNorm(d)
            self.explore_head = nn.Linear(d, config.n_vars + 1)
            if config.head == "pointer":
                self.query = nn.Linear(d, d)
                self.key = nn.Linear(d, d)
                self.sign_goal = nn.Linear(d, d)
                self.sign_step = nn.Linear(d, d)
            else:
                self.identity_head = nn.Linear(d, 2 * config.n_vars)

        def encode(self, tokens, return_attention: bool = False):
            """Hidden states (B, T, d) of a token tensor (B, T, F); optionally each layer's attention."""
            length = tokens.shape[1]
            if length > self.position.shape[0]:
                raise ValueError(f"the episode has {length - 2} exploration steps but the agent was built for at "
                                 f"most {self.position.shape[0] - 2}; build it with a larger max_steps.")
            x = self.embed(tokens) + self.position[:length]
            maps = []
            for block in self.blocks:
                x, attention = block(x, return_attention)
                maps.append(attention)
            x = self.norm(x)
            return (x, maps) if return_attention else x

        def explore_logits(self, hidden):
            """Logits over the next exploration action (variables, then "observe") at every position."""
            return self.explore_head(hidden)

        def pointer_logits(self, hidden):
            """Scores (B, K) of the K exploration steps, read from the goal token (the last position)."""
            goal, steps = hidden[:, -1], hidden[:, 1:-1]
            return torch.einsum("bd,bkd->bk", self.query(goal), self.key(steps)) / math.sqrt(goal.shape[-1])

        def sign_logits(self, hidden, step_index):
            """Logit of a positive exploit sign (B,) for the chosen exploration step of each episode."""
            goal = hidden[:, -1]
            chosen = hidden[torch.arange(len(hidden), device=hidden.device), 1 + step_index]
            return (self.sign_goal(goal) * self.sign_step(chosen)).sum(-1) / math.sqrt(goal.shape[-1])

        def identity_logits(self, hidden):
            """Logits (B, 2n) over "variable i with sign -" (2i) and "variable i with sign +" (2i + 1)."""
            return self.identity_head(hidden[:, -1])

        def forward(self, tokens):
            return self.encode(tokens)

    return PassiveAgent


_CLASSES: dict[str, Any] = {}


def agent_class():
    """The passive agent's class (a torch module), built on first use: torch is imported then, not before.

    The explaining and conditioned agents of :mod:`causal_lessons.explanations` subclass it.
    """
    if "PassiveAgent" not in _CLASSES:
        _CLASSES["PassiveAgent"] = _build_classes()
    return _CLASSES["PassiveAgent"]


def as_agent_config(config: AgentConfig | None = None, **overrides) -> AgentConfig:
    """``config`` with ``overrides`` changed, or ``AgentConfig(**overrides)``; a clear TypeError for another kind.

    >>> as_agent_config(AgentConfig(d_model=32), head="identity").d_model
    32
    """
    if config is None:
        return AgentConfig(**overrides)
    if not isinstance(config, AgentConfig):
        raise TypeError(f"config must be an AgentConfig, got {type(config).__name__}.")
    return AgentConfig(**{**config.to_dict(), **overrides}) if overrides else config


def make_agent(config: AgentConfig | None = None, *, seed: int | None = 0, **overrides):
    """Build a passive agent (a torch module) from a config or keyword overrides, with seeded weights.

    >>> make_agent(head="identity", d_model=32, seed=1).config.head
    'identity'
    """
    return build_seeded(agent_class(), as_agent_config(config, **overrides), seed)


def build_seeded(cls, config, seed: int | None):
    """``cls(config)`` with its initial weights drawn from torch's generator seeded with ``seed``.

    The global torch generator is restored afterwards, so building a model does
    not change what later random draws give.  ``seed=None``: unseeded.
    """
    import torch

    seed = check_seed(seed)
    if seed is None:
        return cls(config)
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        return cls(config)
    finally:
        torch.random.set_rng_state(state)


def check_agent(agent: Any, name: str = "agent"):
    """Raise a clear TypeError unless ``agent`` was built by :func:`make_agent`."""
    if not hasattr(agent, "config") or not isinstance(getattr(agent, "config"), AgentConfig) \
            or not hasattr(agent, "encode"):
        raise TypeError(f"{name} must be an agent built by causal_lessons.agents.make_agent, "
                        f"got {type(agent).__name__}.")
    return agent


def check_n_vars(n: Any, agent) -> int:
    """An episode's number of variables must fit the agent."""
    n = check_int(n, "number of variables", minimum=2)
    if n > agent.config.n_vars:
        raise ValueError(f"the episodes have {n} variables but the agent handles at most {agent.config.n_vars}; "
                         "build an agent with a larger n_vars.")
    return n
