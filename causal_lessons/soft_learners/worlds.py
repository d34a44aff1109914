"""Worlds that break the causal DAG game's assumptions: rules of the game, with a strength you can dial.

The game of lessons 03-04 is linear, its interventions always work, its noise is
small (0.1 against effects of 5), nothing hidden moves its variables, and an
experiment reads a variable's *total* effect.  A player built on those
assumptions (the rigid solver of lesson 11) reads each effect off one experiment.
Each kind of world here breaks one assumption, with a ``strength`` from 0 (the
game as designed) to 1:

====================  ======================================================================
kind                  what changes (strength s)
====================  ======================================================================
``one_sided``         each mechanism passes a negative input at only (1 - s) of its size:
                      pushing a variable up and pushing it down no longer act alike
``failing``           every intervention fails with probability :data:`MAX_FAILURE` x s
                      (the variable keeps its natural value; the player still sees it)
``noisy``             the noise grows from the game's 0.1 to :data:`MAX_NOISE` at s = 1
``hidden``            a hidden common cause U ~ N(0, 1), drawn once per episode, pushes
                      each variable by s x v x c_j x U (c_j from {-1, 0, +1}; v = 5):
                      the level the player sees no longer starts at 0
``cancelling``        a share s of the episodes have a direct edge into the goal whose
                      effect another path cancels exactly (total effect 0)
====================  ======================================================================

These are rules, so this module knows no players (it imports only the game's
rules).  :func:`world_episodes` draws episodes of one :class:`World` or of a
:class:`WorldMix` (one world per episode, for training); a
:class:`WorldEpisodes` simulates its episodes (:meth:`WorldEpisodes.simulate`,
through :func:`causal_lessons.game.simulate` with its ``mechanism`` and
``offset`` options) and knows what every exploit choice is worth
(:meth:`WorldEpisodes.choice_values`: the goal's value under the intervention with
the noise switched off, averaged over a failure; for the linear worlds that is its
expected value).

>>> episodes = world_episodes(3, World("failing", 0.5), seed=0)
>>> len(episodes), episodes.choice_values().shape, round(float(episodes.failure[0]), 2)
(3, (3, 5, 2), 0.3)
>>> World("noisy", 1.0).describe()
'heavier noise: noise sd 3 (the game has 0.1)'
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .. import game
from .._validate import check_count, check_probability, check_seed

__all__ = [
    "CLEAN",
    "WORLD_KINDS",
    "ALL_KINDS",
    "KIND_LABELS",
    "MAX_FAILURE",
    "MAX_NOISE",
    "World",
    "WorldMix",
    "WorldEpisodes",
    "world_episodes",
    "cancelled_edges",
]

#: The game as designed.
CLEAN = "clean"
#: The kinds of world that break one of the game's assumptions each.
WORLD_KINDS = ("one_sided", "failing", "noisy", "hidden", "cancelling")
#: Every kind, the game as designed first (the codes of :attr:`WorldEpisodes.kind`).
ALL_KINDS = (CLEAN,) + WORLD_KINDS
#: How the lesson names each kind.
KIND_LABELS = {
    CLEAN: "the game as designed",
    "one_sided": "one-sided mechanisms",
    "failing": "failing interventions",
    "noisy": "heavier noise",
    "hidden": "a hidden common cause",
    "cancelling": "cancelling paths",
}
#: The probability that an intervention fails at strength 1.
MAX_FAILURE = 0.6
#: The noise standard deviation at strength 1 (the game's is 0.1).
MAX_NOISE = 3.0
# a cancelling task is searched for among this many draws per round
_POOL = 512


def _check_kind(kind: Any) -> str:
    if kind not in ALL_KINDS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in ALL_KINDS)}, got {kind!r}.")
    return kind


def _check_strength(strength: Any, name: str = "strength") -> float:
    if isinstance(strength, bool) or not isinstance(strength, numbers.Real):
        raise TypeError(f"{name} must be a number from 0 to 1, got {strength!r}.")
    return check_probability(strength, name)


@dataclass(frozen=True)
class World:
    """One kind of world (see :data:`ALL_KINDS`) at one ``strength`` from 0 (the game as designed) to 1.

    >>> World("one_sided", 0.25).parameter
    0.75
    """

    kind: str = CLEAN
    strength: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "kind", _check_kind(self.kind))
        object.__setattr__(self, "strength", _check_strength(self.strength))
        if self.kind == CLEAN and self.strength != 0:
            raise ValueError(f"the clean world has no strength to dial: use strength 0, got {self.strength:g}.")

    @property
    def parameter(self) -> float:
        """The world's own setting: the share of a negative input passed (one_sided), the failure probability,
        the noise sd, the hidden cause's scale (in interventions), the share of cancelling episodes; 0 when clean."""
        s = self.strength
        return {CLEAN: 0.0, "one_sided": 1.0 - s, "failing": MAX_FAILURE * s,
                "noisy": 0.1 + s * (MAX_NOISE - 0.1), "hidden": s, "cancelling": s}[self.kind]

    def describe(self) -> str:
        """One line that says what this world does, e.g. ``'failing interventions: each fails with probability
        0.3'``."""
        p = self.parameter
        text = {CLEAN: "",
                "one_sided": f"a negative input passes at {p:.2g} of its size",
                "failing": f"each fails with probability {p:.2g}",
                "noisy": f"noise sd {p:.2g} (the game has 0.1)",
                "hidden": f"it pushes each variable it reaches by {p:.2g} x 5 x U, with U ~ N(0, 1)",
                "cancelling": f"{p:.0%} of the episodes have a cancelled edge into the goal"}[self.kind]
        return KIND_LABELS[self.kind] + (f": {text}" if text else "")


@dataclass(frozen=True)
class WorldMix:
    """A training distribution of worlds: each episode draws a kind uniformly from ``kinds`` and a strength
    uniformly from [0, ``max_strength``] (0 for the clean world).

    >>> WorldMix(kinds=("clean",)).kinds
    ('clean',)
    """

    kinds: tuple[str, ...] = ALL_KINDS
    max_strength: float = 0.5

    def __post_init__(self):
        if isinstance(self.kinds, (str, bytes)) or not hasattr(self.kinds, "__iter__"):
            raise TypeError(f"kinds must be a tuple of world kinds such as ('clean', 'noisy'), got {self.kinds!r}.")
        kinds = tuple(_check_kind(k) for k in self.kinds)
        if not kinds:
            raise ValueError("kinds must name at least one world kind.")
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "max_strength", _check_strength(self.max_strength, "max_strength"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return {"kinds": list(self.kinds), "max_strength": self.max_strength}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldMix:
        """Rebuild a mix saved by :meth:`to_dict`."""
        return cls(kinds=tuple(data["kinds"]), max_strength=data["max_strength"])


@dataclass
class WorldEpisodes:
    """The tasks of B episodes (as :class:`causal_lessons.game.Tasks`) and each one's world.

    ``kind`` (B,) codes into :data:`ALL_KINDS`; ``strength`` (B,); and what they
    make of the rules: ``noise_std`` (B,), ``failure`` (B,) (probability that an
    intervention fails), ``leak`` (B,) (the share of a negative input a mechanism
    passes; 1 is linear) and ``offset`` (B, n) (the hidden common cause's push on
    every variable, fixed for the episode); ``n_explore``: the exploration steps of an episode.
    """

    names: list[str]
    weights: np.ndarray
    total_effects: np.ndarray
    allowed: np.ndarray
    goal: np.ndarray
    kind: np.ndarray
    strength: np.ndarray
    noise_std: np.ndarray
    failure: np.ndarray
    leak: np.ndarray
    offset: np.ndarray
    intervention_value: float = 5.0
    n_explore: int = 5
    _values: tuple | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.goal.shape[0])

    @property
    def n_vars(self) -> int:
        """Number of variables per episode."""
        return len(self.names)

    def subset(self, index) -> WorldEpisodes:
        """The episodes selected by ``index`` (a boolean mask, indices or a slice)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_values"}
        for name in ("weights", "total_effects", "allowed", "goal", "kind", "strength", "noise_std", "failure",
                     "leak", "offset"):
            values[name] = values[name][index]
        return WorldEpisodes(**values)

    def _mechanism(self, rows):
        leak = self.leak[rows]
        if np.all(leak == 1.0):
            return None
        leak = leak[:, None, None]
        return lambda u: np.where(u > 0, u, leak * u)

    def simulate(self, actions, set_values, rng: np.random.Generator, episodes=None) -> np.ndarray:
        """Values (b, K, n) of the episodes ``episodes`` (a slice or indices; all by default) after ``actions``
        (b, K; -1 observes) set to ``set_values``, under each episode's world.

        A failed intervention is an observation: the variable keeps its natural
        value (the player sees it).  The failures are drawn first, then the noise,
        from ``rng``, for every step of every world, so that the same generator
        gives the same draws whatever the strength.
        """
        rows = slice(None) if episodes is None else episodes
        actions = np.asarray(actions, dtype=np.int64)
        if actions.ndim != 2 or actions.shape[0] != self.goal[rows].shape[0]:
            raise ValueError(f"actions must have shape (episodes, steps) = ({self.goal[rows].shape[0]}, K), "
                             f"got {actions.shape}.")
        fails = rng.random(actions.shape) < self.failure[rows][:, None]
        acted = np.where(fails & (actions >= 0), game.OBSERVE, actions)
        return game.simulate(self.weights[rows], acted, set_values, self.noise_std[rows], rng,
                             mechanism=self._mechanism(rows), offset=self.offset[rows])

    def _responses(self) -> tuple[np.ndarray, np.ndarray]:
        if self._values is None:
            b, n, v = len(self), self.n_vars, self.intervention_value
            actions = np.concatenate([np.tile(np.arange(n), 2), [game.OBSERVE]])[None].repeat(b, 0)
            set_values = np.concatenate([np.full(n, v), np.full(n, -v), [0.0]])[None].repeat(b, 0)
            x = game.simulate(self.weights, actions, set_values, np.zeros(b), np.random.default_rng(0),
                              mechanism=self._mechanism(slice(None)), offset=self.offset)
            goal = x[np.arange(b), :, self.goal]                              # (B, 2n + 1)
            natural = goal[:, -1]
            p = self.failure[:, None]
            done = (1 - p) * goal[:, :-1] + p * natural[:, None]
            self._values = (done.reshape(b, 2, n).transpose(0, 2, 1), natural)
        return self._values

    def choice_values(self) -> np.ndarray:
        """(B, n, 2): what each exploit is worth, do(X_i = +v) in ``[..., 0]`` and do(X_i = -v) in ``[..., 1]``.

        The goal's value under that intervention with the noise switched off
        (the expected value in the linear worlds), mixed with the natural value by
        the failure probability.
        """
        return self._responses()[0]

    def natural_values(self) -> np.ndarray:
        """(B,): the goal's value with no intervention, noise switched off (what a refused exploit is worth)."""
        return self._responses()[1]

    def candidates(self) -> np.ndarray:
        """(B, n) mask of the exploit candidates: allowed and not the goal."""
        cand = np.asarray(self.allowed, dtype=bool).copy()
        cand[np.arange(len(self)), self.goal] = False
        return cand

    def value_of(self, var, sign) -> np.ndarray:
        """(B,): what the exploits do(X_var = sign v) are worth; a ``var`` of -1 (no valid exploit) is worth
        the natural value."""
        var = np.asarray(var, dtype=np.int64)
        sign = np.asarray(sign)
        if var.shape != (len(self),) or sign.shape != (len(self),):
            raise ValueError(f"var and sign must hold one entry per episode ({len(self)}), got shapes {var.shape} "
                             f"and {sign.shape}; for one episode, use episodes.subset([index]).")
        rows = np.arange(len(self))
        worth = self.choice_values()[rows, np.maximum(var, 0), np.where(sign > 0, 0, 1)]
        return np.where(var >= 0, worth, self.natural_values())

    def best_choice(self, rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The best exploit of every episode, knowing the world: ``(var, sign, value)``.

        Ties (equal values up to 1e-9) are broken uniformly at random with
        ``rng``, or by the first variable when ``rng`` is None.
        """
        values = np.where(self.candidates()[..., None], self.choice_values(), -np.inf)      # (B, n, 2)
        flat = values.reshape(len(self), -1)
        best = flat.max(axis=1)
        tied = flat >= best[:, None] - 1e-9
        keys = tied * (rng.random(flat.shape) + 1.0 if rng is not None else 1.0 - np.arange(flat.shape[1]) * 1e-6)
        pick = keys.argmax(axis=1)
        return (pick // 2).astype(np.int64), np.where(pick % 2 == 0, 1, -1).astype(np.int64), best


def cancelled_edges(weights: np.ndarray, total_effects: np.ndarray, goal: np.ndarray,
                    allowed: np.ndarray) -> np.ndarray:
    """(B,): does some exploit candidate have a direct edge into the goal whose effect other paths cancel
    (total effect exactly 0)?

    >>> w = np.zeros((1, 3, 3)); w[0, 0, 1] = w[0, 1, 2] = 1.0; w[0, 0, 2] = -1.0
    >>> bool(cancelled_edges(w, game.batch_total_effects(w), np.array([2]), np.ones((1, 3), bool))[0])
    True
    """
    w = np.asarray(weights, dtype=float)
    t = np.asarray(total_effects, dtype=float)
    goal = np.asarray(goal, dtype=np.int64)
    rows = np.arange(len(goal))
    cand = np.asarray(allowed, dtype=bool).copy()
    cand[rows, goal] = False
    direct = np.abs(w[rows, :, goal]) > 1e-12
    cancelled = np.abs(t[rows, :, goal]) < 1e-9
    return (cand & direct & cancelled).any(axis=1)


def _cancelling_tasks(m: int, spec: game.GameSpec, rng: np.random.Generator) -> game.Tasks:
    """``m`` tasks that all have a cancelled edge into the goal (rejection from the game's own tasks)."""
    parts, found, drawn = [], 0, 0
    while found < m:
        tasks = game.sample_tasks(_POOL, game=spec, rng=rng)
        keep = np.flatnonzero(cancelled_edges(tasks.weights, tasks.total_effects, tasks.goal, tasks.allowed))
        parts.append((tasks, keep[: m - found]))
        found += min(len(keep), m - found)
        drawn += _POOL
        if drawn >= 40 * _POOL and found == 0:
            raise ValueError("no task with a cancelled edge into the goal was found: with these weights paths "
                             "cannot cancel (use weights such as (-1, 0, 1)).")
    pick = {name: np.concatenate([getattr(t, name)[k] for t, k in parts])
            for name in ("weights", "total_effects", "allowed", "goal")}
    return game.Tasks(names=spec.names, **pick)


def world_episodes(n_episodes: int, world: World | WorldMix = World(), *, seed: int | None = None,
                   game_spec: game.GameSpec | None = None) -> WorldEpisodes:
    """Draw ``n_episodes`` episodes of one :class:`World` (or of a :class:`WorldMix`, one world per episode).

    The tasks (DAG, allowed variables, goal) are the game's own
    (:func:`causal_lessons.game.sample_tasks` with ``game_spec``, default
    :class:`~causal_lessons.game.GameSpec`), except that a ``cancelling``
    episode's task is, with probability equal to its strength, one with a
    cancelled edge into the goal.  The same ``seed`` gives the same tasks, hidden
    causes and draws for every strength of a kind, so that strengths can be
    compared episode by episode.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    if not isinstance(world, (World, WorldMix)):
        raise TypeError(f"world must be a World or a WorldMix, got {type(world).__name__}.")
    spec = game.GameSpec() if game_spec is None else game.game_spec(game_spec)
    n, v = spec.n_vars, spec.intervention_value
    task_seq, kind_seq, hidden_seq, cancel_seq = np.random.SeedSequence(check_seed(seed)).spawn(4)
    tasks = game.sample_tasks(n_episodes, game=spec, rng=np.random.default_rng(task_seq))
    kind_rng = np.random.default_rng(kind_seq)
    if isinstance(world, World):
        kind = np.full(n_episodes, ALL_KINDS.index(world.kind))
        strength = np.full(n_episodes, world.strength)
    else:
        kind = np.array([ALL_KINDS.index(k) for k in world.kinds])[kind_rng.integers(len(world.kinds),
                                                                                      size=n_episodes)]
        strength = np.where(kind == 0, 0.0, kind_rng.random(n_episodes) * world.max_strength)
    names = {k: kind == ALL_KINDS.index(k) for k in WORLD_KINDS}
    s = strength
    hidden_rng = np.random.default_rng(hidden_seq)
    u = hidden_rng.standard_normal(n_episodes)
    c = hidden_rng.integers(-1, 2, size=(n_episodes, n)).astype(float)
    offset = np.where(names["hidden"][:, None], s[:, None] * v * c * u[:, None], 0.0)
    weights, total, allowed, goal = tasks.weights, tasks.total_effects, tasks.allowed, tasks.goal
    cancel_rng = np.random.default_rng(cancel_seq)
    swap = np.flatnonzero(names["cancelling"] & (cancel_rng.random(n_episodes) < s))
    if swap.size:
        extra = _cancelling_tasks(swap.size, spec, cancel_rng)
        weights, total, allowed, goal = weights.copy(), total.copy(), allowed.copy(), goal.copy()
        weights[swap], total[swap], allowed[swap], goal[swap] = (extra.weights, extra.total_effects, extra.allowed,
                                                                 extra.goal)
    return WorldEpisodes(
        names=spec.names, weights=weights, total_effects=total, allowed=allowed, goal=goal,
        kind=kind.astype(np.int64), strength=s.astype(float),
        noise_std=np.where(names["noisy"], spec.noise_std + s * (MAX_NOISE - spec.noise_std), spec.noise_std),
        failure=np.where(names["failing"], MAX_FAILURE * s, 0.0),
        leak=np.where(names["one_sided"], 1.0 - s, 1.0),
        offset=offset, intervention_value=v, n_explore=spec.n_explore)
