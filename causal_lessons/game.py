"""The rules of the causal DAG game: what an episode is, how its world behaves, and what is recorded.

The rules know no players: this module draws episodes' tasks, simulates their
worlds and records played episodes; the players are in
:mod:`causal_lessons.strategies` (and the agents of lessons 04-06), and the two
ways of playing a whole game are in :mod:`causal_lessons.environment`
(:func:`~causal_lessons.environment.generate_episodes` and the Gymnasium
:class:`~causal_lessons.environment.CausalDAGEnv`).

Each episode draws a fresh random causal DAG over a few variables (A-E by
default): a random causal order, and for every ordered pair (earlier, later) a
weight from ``weights`` ({-1, 0, +1}; 0 means no edge).  The mechanisms are
linear-Gaussian with intercept 0 and noise ``noise_std`` (0.1).

* **Exploration** (``n_explore`` steps): each step is either *observe* (a fresh
  sample of every variable, nothing touched) or *do(X_i = +5)* (set X_i, sample
  the rest); after every step the player sees every variable.
* **Exploit** (one step): the goal variable is named; the player makes one
  intervention do(X = +5 or -5) on a variable other than the goal.  The reward is
  the goal's sampled value.

The settings shared by every way of playing are one :class:`GameSpec`.  Held-out
causal links (ordered pairs such as ("A", "E")) keep a link out of the episodes:
``heldout_mode="strict"`` resamples a DAG until the pair's *total* effect is
exactly 0 (no directed path carries any effect); ``"direct"`` only never samples
the direct edge (other paths may still carry the effect).  ``test_links=True``
makes the converse test episodes: the goal is a held-out pair's target and the
pair's source is the unique best exploit choice.

>>> tasks = sample_tasks(3, seed=0)
>>> tasks.weights.shape, bool(tasks.allowed.all()), len(tasks)
((3, 5, 5), True, 3)
>>> GameSpec(n_vars=4).n_explore
4
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from . import graphs
from ._validate import check_count, check_int, check_positive, check_real, check_seed
from .scm import LinearGaussianSCM

__all__ = [
    "GameSpec",
    "game_spec",
    "EpisodeBatch",
    "Tasks",
    "ARRAY_FIELDS",
    "check_batch",
    "check_weights",
    "sample_tasks",
    "written_tasks",
    "simulate",
    "batch_total_effects",
    "episode_scm",
    "EpisodeSCM",
    "OBSERVE",
    "EXPLORE",
    "EXPLOIT",
    "DONE",
    "MAX_VARS",
]

#: Explore-action code for "observe" in :class:`EpisodeBatch` (``explore_actions``).
OBSERVE = -1
#: Phases of an episode, as reported in the observation of :class:`~causal_lessons.environment.CausalDAGEnv`.
EXPLORE, EXPLOIT, DONE = 0, 1, 2
#: Largest number of variables (the exact computations are cheap up to here).
MAX_VARS = 10
#: Give up rejection sampling when this many DAGs were drawn and none was accepted.
_GIVE_UP_AFTER = 20_000

#: The per-episode array fields of an :class:`EpisodeBatch` (first axis: the episodes).
ARRAY_FIELDS = ("weights", "total_effects", "allowed", "explore_actions", "explore_values", "goal",
                "exploit_var", "exploit_sign", "reward")
# what every function that reads played episodes needs (the order of the error message)
_NEEDED_FIELDS = ("allowed", "explore_actions", "explore_values", "goal", "exploit_var", "exploit_sign", "weights",
                  "total_effects", "names")


# ==================================================================================================
# The settings of a game
# ==================================================================================================

def _check_n_vars(n_vars: Any) -> int:
    return check_int(n_vars, "n_vars", minimum=2, maximum=MAX_VARS)


def check_weights(weights: Any) -> np.ndarray:
    """The possible edge weights as a float array, or a clear error (a non-empty list of numbers is expected)."""
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Iterable):
        raise TypeError(f"weights must be a list of numbers such as (-1, 0, 1), got {weights!r}.")
    values = np.array([check_real(w, "weights") for w in weights], dtype=float)
    if values.size == 0:
        raise ValueError("weights must be a non-empty list of numbers such as (-1, 0, 1).")
    return values


def _as_name_list(value: Any, names: Sequence[str], what: str) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{what} must be a collection of variable names such as {{'A', 'B'}}, got {value!r}.")
    items = list(value)
    for item in items:
        if not isinstance(item, str) or item not in names:
            raise KeyError(f"{what}: unknown variable {item!r}; the variables are {', '.join(names)}.")
    return items


def _check_allowed_sets(allowed_sets: Any, names: Sequence[str]) -> tuple[tuple[str, ...], ...] | None:
    """The allowed sets, each as a tuple of names in the variables' order (None: every variable)."""
    if allowed_sets is None:
        return None
    if isinstance(allowed_sets, (str, bytes)) or not isinstance(allowed_sets, Iterable):
        raise TypeError("allowed_sets must be None or a list of variable-name sets, e.g. [{'A', 'B', 'C'}].")
    sets = []
    for k, group in enumerate(allowed_sets):
        items = _as_name_list(group, names, f"allowed_sets[{k}]")
        if not items:
            raise ValueError(f"allowed_sets[{k}] is empty; each set needs at least one variable.")
        sets.append(tuple(v for v in names if v in items))
    if not sets:
        raise ValueError("allowed_sets must hold at least one set of variable names (or be None for all).")
    return tuple(sets)


def _check_pairs(pairs: Any, names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The held-out links as (source, target) name pairs."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
        raise TypeError("heldout_links must be a list of (source, target) name pairs, e.g. [('A', 'E')].")
    result = []
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"heldout_links: each link must be a (source, target) pair, got {pair!r}.")
        source, target = _as_name_list(pair, names, "heldout_links")
        if source == target:
            raise ValueError(f"heldout_links: ({source!r}, {target!r}) links a variable to itself.")
        result.append((source, target))
    return tuple(result)


def _check_choice(value: Any, options: Sequence[str], name: str) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {value!r}.")
    return value


@dataclass(frozen=True)
class GameSpec:
    """The settings of a causal DAG game, shared by every way of playing it (checked when made).

    ``n_vars`` variables (2 to :data:`MAX_VARS`); ``n_explore`` exploration steps
    K (default ``n_vars``); edge ``weights`` drawn uniformly from this list;
    ``noise_std`` of every mechanism; ``intervention_value`` v of do(X = v);
    ``allowed_sets``: None (every variable may be experimented on) or a list of
    name sets, one drawn per episode; ``heldout_links``: ordered (source, target)
    name pairs kept out of the episodes (``heldout_mode`` "strict": total effect
    exactly 0, "direct": no direct edge); ``test_links=True``: the goal is a
    held-out pair's target and its source the unique best exploit choice.

    Lists are stored as tuples (an allowed set as its names in the variables'
    order), so a spec compares equal to one made from the same settings.
    """

    n_vars: int = 5
    n_explore: int | None = None
    weights: tuple[float, ...] = (-1.0, 0.0, 1.0)
    noise_std: float = 0.1
    intervention_value: float = 5.0
    allowed_sets: tuple[tuple[str, ...], ...] | None = None
    heldout_links: tuple[tuple[str, str], ...] = ()
    heldout_mode: str = "strict"
    test_links: bool = False

    def __post_init__(self):
        n = _check_n_vars(self.n_vars)
        names = graphs.variable_names(n)
        settings = {
            "n_vars": n,
            "n_explore": n if self.n_explore is None else check_count(self.n_explore, "n_explore"),
            "noise_std": check_positive(self.noise_std, "noise_std"),
            "intervention_value": check_positive(self.intervention_value, "intervention_value"),
            "weights": tuple(float(w) for w in check_weights(self.weights)),
            "allowed_sets": _check_allowed_sets(self.allowed_sets, names),
            "heldout_links": _check_pairs(self.heldout_links, names),
            "heldout_mode": _check_choice(self.heldout_mode, ("strict", "direct"), "heldout_mode"),
        }
        if not isinstance(self.test_links, bool):
            raise TypeError(f"test_links must be True or False, got {self.test_links!r}.")
        for name, value in settings.items():
            object.__setattr__(self, name, value)
        if self.test_links and not self.heldout_links:
            raise ValueError("test_links=True needs heldout_links: the pairs whose source must be the best choice.")
        if self.test_links and not self.allowed_table[:, self.link_indices[:, 0]].any():
            raise ValueError("test_links=True: no allowed set contains a held-out link's source, so it can never "
                             "be the best choice.")

    @property
    def names(self) -> list[str]:
        """The variables' names: A, B, C, ..."""
        return graphs.variable_names(self.n_vars)

    @property
    def allowed_table(self) -> np.ndarray:
        """(S, n) boolean table of the allowed sets, one row per set (one row of True for None)."""
        if self.allowed_sets is None:
            return np.ones((1, self.n_vars), dtype=bool)
        return np.array([[v in group for v in self.names] for group in self.allowed_sets], dtype=bool)

    @property
    def link_indices(self) -> np.ndarray:
        """(P, 2) int array of the held-out links' (source, target) indices."""
        names = self.names
        return np.array([(names.index(s), names.index(t)) for s, t in self.heldout_links],
                        dtype=np.int64).reshape(-1, 2)


_SETTINGS = tuple(f.name for f in fields(GameSpec))


def game_spec(game: GameSpec | None = None, **settings) -> GameSpec:
    """The :class:`GameSpec` of a call: ``game`` with ``settings`` changed, or ``GameSpec(**settings)``.

    An unknown setting is a clear TypeError that lists the settings.

    >>> game_spec(n_vars=3).names
    ['A', 'B', 'C']
    >>> game_spec(GameSpec(n_vars=3), noise_std=0.5).noise_std
    0.5
    """
    unknown = sorted(set(settings) - set(_SETTINGS))
    if unknown:
        raise TypeError(f"unknown game setting {unknown[0]!r}; the settings are {', '.join(_SETTINGS)}.")
    if game is None:
        return GameSpec(**settings)
    if not isinstance(game, GameSpec):
        raise TypeError(f"game must be a GameSpec, got {type(game).__name__}.")
    return GameSpec(**{**{name: getattr(game, name) for name in _SETTINGS}, **settings}) if settings else game


# ==================================================================================================
# Containers
# ==================================================================================================

@dataclass
class EpisodeBatch:
    """Whole episodes of one strategy, as arrays (B episodes, n variables, K exploration steps).

    ``weights[b, i, j]`` is the weight of the edge i -> j (0: no edge);
    ``total_effects[b, i, j]`` the exact total effect of i on j (diagonal 1);
    ``allowed[b, i]`` whether the player may experiment on i;
    ``explore_actions[b, k]`` is -1 (observe) or i (do(X_i = +intervention_value));
    ``explore_values[b, k]`` every variable's value after step k;
    ``goal[b]`` the goal's index (revealed after exploration);
    ``exploit_var[b]``, ``exploit_sign[b]`` the exploit do(X = sign * intervention_value);
    ``reward[b]`` the goal's sampled value after the exploit.
    ``noise_std``, ``intervention_value`` and ``strategy`` record how the batch was made.
    """

    names: list[str]
    weights: np.ndarray
    total_effects: np.ndarray
    allowed: np.ndarray
    explore_actions: np.ndarray
    explore_values: np.ndarray
    goal: np.ndarray
    exploit_var: np.ndarray
    exploit_sign: np.ndarray
    reward: np.ndarray
    noise_std: float = 0.1
    intervention_value: float = 5.0
    strategy: str = "expert"

    def __len__(self) -> int:
        return int(self.goal.shape[0])

    @property
    def n_vars(self) -> int:
        """Number of variables per episode."""
        return len(self.names)

    @property
    def n_explore(self) -> int:
        """Number of exploration steps K."""
        return int(self.explore_actions.shape[1])

    def to_torch(self, device: str = "cpu") -> dict[str, Any]:
        """The array fields as torch tensors on ``device`` (torch is imported here, not before)."""
        import torch

        return {name: torch.as_tensor(getattr(self, name), device=device) for name in ARRAY_FIELDS}

    def subset(self, index) -> EpisodeBatch:
        """The episodes selected by ``index`` (a boolean mask, a list of indices or a slice)."""
        if isinstance(index, numbers.Integral) and not isinstance(index, bool):
            index = [int(index)]
        if isinstance(index, slice):
            picked = index
        else:
            picked = np.asarray(index)
            if picked.dtype == bool:
                if picked.shape != (len(self),):
                    raise ValueError(f"a boolean index must have one entry per episode ({len(self)}), "
                                     f"got shape {picked.shape}.")
            elif picked.size and not np.issubdtype(picked.dtype, np.integer):
                raise TypeError(f"index must be a boolean mask, whole numbers or a slice, got {picked.dtype} values.")
            elif picked.size and (picked.max() >= len(self) or picked.min() < -len(self)):
                raise IndexError(f"index out of range: the batch has {len(self)} episodes.")
            picked = picked.astype(np.int64) if picked.dtype != bool else picked
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ARRAY_FIELDS:
            values[name] = values[name][picked]
        values["names"] = list(self.names)
        return EpisodeBatch(**values)

    @classmethod
    def concat(cls, batches: Sequence[EpisodeBatch]) -> EpisodeBatch:
        """One batch holding the episodes of several, in order (same variables and number of steps).

        The settings (``names``, ``noise_std``, ``intervention_value``,
        ``strategy``) are the first batch's; the result is a plain EpisodeBatch.

        >>> from causal_lessons.environment import generate_episodes
        >>> len(EpisodeBatch.concat([generate_episodes(2, seed=0), generate_episodes(3, seed=1)]))
        5
        """
        batches = list(batches)
        if not batches:
            raise ValueError("batches must hold at least one EpisodeBatch.")
        first = batches[0]
        values = {f.name: getattr(first, f.name) for f in fields(EpisodeBatch)}
        for name in ARRAY_FIELDS:
            parts = [getattr(b, name) for b in batches]
            if len({p.shape[1:] for p in parts}) > 1:
                raise ValueError(f"the batches differ in the shape of {name}; only batches of the same size and "
                                 "number of steps can be joined.")
            values[name] = np.concatenate(parts)
        return EpisodeBatch(**values)

    def scm(self, index: int):
        """Episode ``index``'s causal model as a :class:`~causal_lessons.scm.LinearGaussianSCM`."""
        index = check_int(index, "index", minimum=0, maximum=len(self) - 1)
        return episode_scm(self.weights[index], self.names, self.noise_std)


@dataclass
class Tasks:
    """What an episode is about before anyone plays it: the DAGs, the allowed variables and the goals."""

    names: list[str]
    weights: np.ndarray        # (B, n, n) float64
    total_effects: np.ndarray  # (B, n, n) float64
    allowed: np.ndarray        # (B, n) bool
    goal: np.ndarray           # (B,) int64

    def __len__(self) -> int:
        return int(self.goal.shape[0])


def check_batch(batch: Any, name: str = "batch") -> None:
    """Raise a clear TypeError unless ``batch`` has the fields of an :class:`EpisodeBatch` (played episodes)."""
    missing = [f for f in _NEEDED_FIELDS if not hasattr(batch, f)]
    if missing:
        raise TypeError(f"{name} must be an EpisodeBatch from causal_lessons.environment.generate_episodes; "
                        f"it lacks {', '.join(missing)}.")


def _rng(seed: Any = None, rng: np.random.Generator | None = None) -> np.random.Generator:
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}.")
        return rng
    return np.random.default_rng(check_seed(seed))


# ==================================================================================================
# Sampling: DAGs, tasks, values
# ==================================================================================================

def batch_total_effects(weights: np.ndarray) -> np.ndarray:
    """Total effects of a stack of DAG weight matrices: ``I + W + W^2 + ...`` (exact; W is nilpotent).

    ``weights`` has shape (B, n, n) or (n, n); the result has the same shape, and
    ``result[..., i, j]`` is the total effect of i on j (the sum over directed
    paths of the products of edge weights).
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim < 2 or w.shape[-1] != w.shape[-2]:
        raise ValueError(f"weights must be square matrices (..., n, n), got shape {w.shape}.")
    n = w.shape[-1]
    total = np.broadcast_to(np.eye(n), w.shape).copy()
    power = total.copy()
    for _ in range(n - 1):
        power = power @ w
        if not power.any():
            break
        total += power
    if power.any() and (power @ w).any():
        raise ValueError("weights must describe a DAG (no directed cycle), but a cycle carries weight.")
    return total


def _draw_dags(rng: np.random.Generator, m: int, n: int, values: np.ndarray) -> np.ndarray:
    """m random DAGs: a random causal order, a weight from ``values`` for every ordered pair."""
    position = np.argsort(rng.random((m, n)), axis=1).argsort(axis=1)  # position of each variable in the order
    codes = rng.integers(len(values), size=(m, n, n))
    w = values[codes]
    w *= position[:, :, None] < position[:, None, :]
    return w


def _draw_goals(rng: np.random.Generator, allowed: np.ndarray) -> np.ndarray:
    """A goal per episode, uniform over the variables that leave an allowed variable to exploit."""
    others = allowed.sum(axis=1, keepdims=True) - allowed
    keys = np.where(others > 0, rng.random(allowed.shape), -1.0)
    return keys.argmax(axis=1).astype(np.int64)


def sample_tasks(n_episodes: int, *, game: GameSpec | None = None, seed: int | None = None,
                 rng: np.random.Generator | None = None, **settings) -> Tasks:
    """Draw the DAG, the allowed variables and the goal of ``n_episodes`` episodes (vectorized).

    The game is ``game`` (a :class:`GameSpec`) with ``settings`` changed, or
    ``GameSpec(**settings)`` (``n_vars``, ``weights``, ``allowed_sets``,
    ``heldout_links``, ``heldout_mode``, ``test_links`` decide the tasks).
    Constraints (held-out links, ``test_links``) are met by rejection: the
    episodes that break them are drawn again until none does.  A clear error is
    raised when the constraints can (almost) never be met.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    game = game_spec(game, **settings)
    n, names, values = game.n_vars, game.names, np.array(game.weights)
    table, pairs = game.allowed_table, game.link_indices
    heldout_mode, test_links = game.heldout_mode, game.test_links
    rng = _rng(seed, rng)

    w = np.zeros((n_episodes, n, n))
    total = np.zeros((n_episodes, n, n))
    allowed = np.zeros((n_episodes, n), dtype=bool)
    goal = np.zeros(n_episodes, dtype=np.int64)
    todo = np.arange(n_episodes)
    drawn = accepted = 0
    constrained = test_links or (heldout_mode == "strict" and len(pairs) > 0)
    while todo.size:
        # with constraints, draw at least 256 candidates a round (the first ones that pass are kept)
        m = max(todo.size, 256) if constrained else todo.size
        w_new = _draw_dags(rng, m, n, values)
        if not test_links and heldout_mode == "direct" and len(pairs):
            w_new[:, pairs[:, 0], pairs[:, 1]] = 0.0
        allowed_new = table[rng.integers(len(table), size=m)]
        if test_links:
            pick = pairs[rng.integers(len(pairs), size=m)]
            goal_new = pick[:, 1].copy()
        else:
            goal_new = _draw_goals(rng, allowed_new)
        total_new = batch_total_effects(w_new)
        ok = np.ones(m, dtype=bool)
        if test_links:
            rows = np.arange(m)
            effect = np.abs(total_new[rows, :, goal_new])              # (m, n): |effect of each variable on goal|
            best = effect[rows, pick[:, 0]]
            rivals = allowed_new.copy()
            rivals[rows, pick[:, 0]] = False
            rivals[rows, goal_new] = False
            ok = allowed_new[rows, pick[:, 0]] & (best > 1e-9)
            ok &= (best[:, None] > np.where(rivals, effect, -np.inf) + 1e-9).all(axis=1)
        elif heldout_mode == "strict" and len(pairs):
            ok = (np.abs(total_new[:, pairs[:, 0], pairs[:, 1]]) < 1e-9).all(axis=1)
        passed = np.flatnonzero(ok)[:todo.size]
        keep = todo[:passed.size]
        w[keep], total[keep], allowed[keep], goal[keep] = (w_new[passed], total_new[passed], allowed_new[passed],
                                                           goal_new[passed])
        if constrained:
            total[keep] = np.where(np.abs(total[keep]) < 1e-12, 0.0, total[keep])
        drawn += m
        accepted += int(ok.sum())
        todo = todo[passed.size:]
        if todo.size and accepted == 0 and drawn >= _GIVE_UP_AFTER:
            raise ValueError(
                f"none of {drawn:,} random DAGs met the constraints (heldout_links={list(game.heldout_links)!r}, "
                f"heldout_mode={heldout_mode!r}, test_links={test_links}); with these weights they cannot "
                "(or almost never) be met."
            )
    if not test_links and heldout_mode == "strict" and len(pairs):
        total[:, pairs[:, 0], pairs[:, 1]] = 0.0   # exactly 0 (it is already 0 up to rounding)
    return Tasks(names=names, weights=w, total_effects=total, allowed=allowed, goal=goal)


def written_tasks(edges: Any, goal: Any, *, game: GameSpec | None = None, copies: int = 1, **settings) -> Tasks:
    """One hand-written episode of the game, ``copies`` times: the DAG ``edges`` ({(cause, effect): weight}, by
    name) and the ``goal``'s name; every variable may be experimented on.

    Each weight must be one of the game's weights (:class:`GameSpec`, default -1, 0, +1) and the edges must form
    a DAG; anything else is a clear error naming the edge.

    >>> tasks = written_tasks({("A", "B"): 1, ("B", "C"): -1}, "C", n_vars=3, copies=2)
    >>> tasks.total_effects[0, 0, 2], tasks.goal.tolist()
    (np.float64(-1.0), [2, 2])
    """
    game = game_spec(game, **settings)
    names, n = game.names, game.n_vars
    copies = check_count(copies, "copies")
    if not isinstance(edges, Mapping):
        raise TypeError(f"edges must be a dict {{(cause, effect): weight}} such as {{('A', 'B'): 1}}, got "
                        f"{type(edges).__name__}.")
    if not isinstance(goal, str) or goal not in names:
        raise KeyError(f"goal: unknown variable {goal!r}; the variables are {', '.join(names)}.")
    w = np.zeros((n, n))
    for edge, weight in edges.items():
        if not isinstance(edge, tuple) or len(edge) != 2:
            raise TypeError(f"edges: each key must be a (cause, effect) pair of names such as ('A', 'B'), got "
                            f"{edge!r}.")
        cause, effect = _as_name_list(edge, names, "edges")
        if cause == effect:
            raise ValueError(f"edges: ({cause!r}, {effect!r}) links a variable to itself.")
        value = check_real(weight, f"edges[{edge!r}]")
        if not np.isclose(game.weights, value).any():
            raise ValueError(f"edges[{edge!r}] is {value:g}; the game's weights are "
                             f"{', '.join(f'{v:g}' for v in game.weights)}.")
        w[names.index(cause), names.index(effect)] = value
    cycle = graphs.find_cycle(graphs.adjacency_to_dag(w != 0, names))
    if cycle is not None:
        raise ValueError(f"edges: {'→'.join(cycle)} is a directed cycle; the game's graphs are DAGs.")
    total = batch_total_effects(w)
    return Tasks(names=names, weights=np.repeat(w[None], copies, axis=0),
                 total_effects=np.repeat(total[None], copies, axis=0), allowed=np.ones((copies, n), dtype=bool),
                 goal=np.full(copies, names.index(goal), dtype=np.int64))


def simulate(weights: np.ndarray, actions: np.ndarray, set_values, noise_std, rng: np.random.Generator, *,
             mechanism: Callable[[np.ndarray], np.ndarray] | None = None, offset=None) -> np.ndarray:
    """Sample every variable once per (episode, step), with at most one intervention per step.

    ``weights``: (B, n, n); ``actions``: (B, K) with -1 for "observe" or the index
    of the variable to set; ``set_values``: the value to set it to, a number or a
    (B, K) array.  Returns (B, K, n) values: each variable is the weighted sum of
    its parents plus N(0, noise_std^2) noise, except the intervened one, which is
    held at its value (its incoming edges are cut).  The noise is drawn for every
    variable of every step, so that strategies that play the same episodes with
    the same generator share their noise.  ``noise_std`` is a number or one per
    episode (a (B,) array).

    Two options change the mechanisms (the game itself uses neither; lesson 11's
    worlds that break the game's assumptions do): ``offset``, a hidden input to
    every variable's mechanism, (B, n), the same at every step of an episode;
    ``mechanism``, a function applied elementwise to each variable's input (the
    weighted sum of its parents plus its offset) before the noise is added, e.g.
    a saturating or one-sided response.  Without them the result is exactly the
    linear game's.

    >>> rng = np.random.default_rng(0)
    >>> w = np.array([[[0.0, 1.0], [0.0, 0.0]]])
    >>> x = simulate(w, np.array([[0]]), 5.0, 1e-9, rng, mechanism=lambda u: np.minimum(u, 2.0))
    >>> [round(float(v), 3) for v in x[0, 0]]
    [5.0, 2.0]
    """
    w = np.asarray(weights, dtype=float)
    actions = np.asarray(actions, dtype=np.int64)
    b, n = w.shape[0], w.shape[-1]
    k = actions.shape[1]
    sd = np.asarray(noise_std, dtype=float)
    noise = rng.standard_normal((b, k, n)) * (sd[:, None, None] if sd.ndim == 1 else sd)
    hit = actions[:, :, None] == np.arange(n)            # (B, K, n) intervened variable
    fixed = np.broadcast_to(np.asarray(set_values, dtype=float), (b, k))[:, :, None]
    if mechanism is None and offset is None:
        x = np.where(hit, fixed, noise)
        for _ in range(n - 1):
            x = np.where(hit, fixed, x @ w + noise)
        return x
    if mechanism is not None and not callable(mechanism):
        raise TypeError(f"mechanism must be a function of an array (or None), got {type(mechanism).__name__}.")
    hidden = 0.0 if offset is None else np.broadcast_to(np.asarray(offset, dtype=float), (b, n))[:, None, :]

    def respond(x):
        drive = x @ w + hidden
        return drive if mechanism is None else mechanism(drive)

    x = np.where(hit, fixed, respond(np.zeros((b, k, n))) + noise)
    for _ in range(n - 1):
        x = np.where(hit, fixed, respond(x) + noise)
    return x


class EpisodeSCM(LinearGaussianSCM):
    """An episode's :class:`~causal_lessons.scm.LinearGaussianSCM` that compares equal to a model with the same
    variables, edges, noise scales, intercepts and interventions.

    (Gymnasium's ``check_env`` resets twice with one seed and expects equal infos.)
    """

    def _key(self):
        return (tuple(self.variables), tuple(sorted(self.edges.items())), tuple(sorted(self.noise_std.items())),
                tuple(sorted(self.intercepts.items())), tuple(sorted(self.interventions.items())))

    def __eq__(self, other) -> bool:
        if not isinstance(other, LinearGaussianSCM):
            return NotImplemented
        return self._key() == EpisodeSCM._key(other)

    def __hash__(self) -> int:
        return hash(self._key())


def episode_scm(weights: np.ndarray, names: Sequence[str], noise_std: float = 0.1) -> EpisodeSCM:
    """One episode's weight matrix (``weights[i, j]``: edge i -> j) as a LinearGaussianSCM (intercepts 0)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape != (len(names), len(names)):
        raise ValueError(f"weights must be an (n, n) matrix for the {len(names)} names, got shape {w.shape}.")
    edges = {(names[i], names[j]): float(w[i, j]) for i, j in zip(*np.nonzero(w))}
    return EpisodeSCM(edges, noise_std=check_positive(noise_std, "noise_std"), variables=list(names))
