"""The causal DAG game: experiment first, then exploit.

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

Two ways to play share the same sampling code (:func:`sample_tasks`,
:func:`simulate`):

* :func:`generate_episodes` writes whole episodes of a strategy as arrays (an
  :class:`EpisodeBatch`), vectorized over episodes: the data that passive agents
  are trained on.
* :class:`CausalDAGEnv` is a Gymnasium environment, played one step at a time
  (by a strategy from :mod:`causal_lessons.strategies`, an agent, or a person).

Held-out causal links (ordered pairs such as ("A", "E")) keep a link out of the
training episodes: ``heldout_mode="strict"`` resamples a DAG until the pair's
*total* effect is exactly 0 (no directed path carries any effect);
``"direct"`` only never samples the direct edge (other paths may still carry the
effect).  ``test_links=True`` makes the converse test episodes: the goal is a
held-out pair's target and the pair's source is the unique best exploit choice.

>>> batch = generate_episodes(4, seed=0)
>>> batch.weights.shape, batch.explore_values.shape, len(batch)
((4, 5, 5), (4, 5, 5), 4)
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import graphs
from .scm import LinearGaussianSCM
from ._validate import check_count, check_int, check_positive, check_real, check_seed

__all__ = [
    "EpisodeBatch",
    "Tasks",
    "CausalDAGEnv",
    "generate_episodes",
    "sample_tasks",
    "simulate",
    "batch_total_effects",
    "episode_scm",
    "EpisodeSCM",
    "OBSERVE",
    "EXPLORE",
    "EXPLOIT",
    "DONE",
    "MAX_VARS",
    "ENV_ID",
]

#: Explore-action code for "observe" in :class:`EpisodeBatch` (``explore_actions``).
OBSERVE = -1
#: Phases of an episode, as reported in the observation of :class:`CausalDAGEnv`.
EXPLORE, EXPLOIT, DONE = 0, 1, 2
#: Largest number of variables (the exact computations are cheap up to here).
MAX_VARS = 10
#: Give up rejection sampling when this many DAGs were drawn and none was accepted.
_GIVE_UP_AFTER = 20_000

_ARRAY_FIELDS = ("weights", "total_effects", "allowed", "explore_actions", "explore_values", "goal",
                 "exploit_var", "exploit_sign", "reward")


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

        return {name: torch.as_tensor(getattr(self, name), device=device) for name in _ARRAY_FIELDS}

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
        for name in _ARRAY_FIELDS:
            values[name] = values[name][picked]
        values["names"] = list(self.names)
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


# ==================================================================================================
# Argument checks
# ==================================================================================================

def _check_n_vars(n_vars: Any) -> int:
    return check_int(n_vars, "n_vars", minimum=2, maximum=MAX_VARS)


def _check_weights(weights: Any) -> np.ndarray:
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


def _check_allowed_sets(allowed_sets: Any, names: Sequence[str]) -> np.ndarray:
    """A (S, n) boolean table of the allowed sets (one row per set)."""
    n = len(names)
    if allowed_sets is None:
        return np.ones((1, n), dtype=bool)
    if isinstance(allowed_sets, (str, bytes)) or not isinstance(allowed_sets, Iterable):
        raise TypeError("allowed_sets must be None or a list of variable-name sets, e.g. [{'A', 'B', 'C'}].")
    table = []
    for k, group in enumerate(allowed_sets):
        items = _as_name_list(group, names, f"allowed_sets[{k}]")
        if not items:
            raise ValueError(f"allowed_sets[{k}] is empty; each set needs at least one variable.")
        if len(items) == 1 and n < 2:
            raise ValueError("allowed_sets: with a single allowed variable there must be another one for the goal.")
        table.append([v in items for v in names])
    if not table:
        raise ValueError("allowed_sets must hold at least one set of variable names (or be None for all).")
    return np.array(table, dtype=bool)


def _check_pairs(pairs: Any, names: Sequence[str]) -> np.ndarray:
    """A (P, 2) int array of (source, target) indices."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
        raise TypeError("heldout_links must be a list of (source, target) name pairs, e.g. [('A', 'E')].")
    result = []
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"heldout_links: each link must be a (source, target) pair, got {pair!r}.")
        source, target = _as_name_list(pair, names, "heldout_links")
        if source == target:
            raise ValueError(f"heldout_links: ({source!r}, {target!r}) links a variable to itself.")
        result.append((names.index(source), names.index(target)))
    return np.array(result, dtype=np.int64).reshape(-1, 2)


def _check_choice(value: Any, options: Sequence[str], name: str) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {value!r}.")
    return value


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


def sample_tasks(
    n_episodes: int,
    *,
    n_vars: int = 5,
    weights=(-1.0, 0.0, 1.0),
    allowed_sets=None,
    heldout_links=(),
    heldout_mode: str = "strict",
    test_links: bool = False,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> Tasks:
    """Draw the DAG, the allowed variables and the goal of ``n_episodes`` episodes (vectorized).

    The arguments mean what they mean in :func:`generate_episodes`.  Constraints
    (held-out links, ``test_links``) are met by rejection: the episodes that break
    them are drawn again until none does.  A clear error is raised when the
    constraints can (almost) never be met.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    n = _check_n_vars(n_vars)
    names = graphs.variable_names(n)
    values = _check_weights(weights)
    table = _check_allowed_sets(allowed_sets, names)
    pairs = _check_pairs(heldout_links, names)
    _check_choice(heldout_mode, ("strict", "direct"), "heldout_mode")
    if not isinstance(test_links, bool):
        raise TypeError(f"test_links must be True or False, got {test_links!r}.")
    if test_links and len(pairs) == 0:
        raise ValueError("test_links=True needs heldout_links: the pairs whose source must be the best choice.")
    if test_links and not table[:, pairs[:, 0]].any():
        raise ValueError("test_links=True: no allowed set contains a held-out link's source, so it can never "
                         "be the best choice.")
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
                f"none of {drawn:,} random DAGs met the constraints (heldout_links={heldout_links!r}, "
                f"heldout_mode={heldout_mode!r}, test_links={test_links}); with these weights they cannot "
                "(or almost never) be met."
            )
    if not test_links and heldout_mode == "strict" and len(pairs):
        total[:, pairs[:, 0], pairs[:, 1]] = 0.0   # exactly 0 (it is already 0 up to rounding)
    return Tasks(names=names, weights=w, total_effects=total, allowed=allowed, goal=goal)


def simulate(weights: np.ndarray, actions: np.ndarray, set_values, noise_std: float,
             rng: np.random.Generator) -> np.ndarray:
    """Sample every variable once per (episode, step), with at most one intervention per step.

    ``weights``: (B, n, n); ``actions``: (B, K) with -1 for "observe" or the index
    of the variable to set; ``set_values``: the value to set it to, a number or a
    (B, K) array.  Returns (B, K, n) values: each variable is the weighted sum of
    its parents plus N(0, noise_std^2) noise, except the intervened one, which is
    held at its value (its incoming edges are cut).  The noise is drawn for every
    variable of every step, so that strategies that play the same episodes with
    the same generator share their noise.
    """
    w = np.asarray(weights, dtype=float)
    actions = np.asarray(actions, dtype=np.int64)
    b, n = w.shape[0], w.shape[-1]
    k = actions.shape[1]
    noise = rng.standard_normal((b, k, n)) * noise_std
    hit = actions[:, :, None] == np.arange(n)            # (B, K, n) intervened variable
    fixed = np.broadcast_to(np.asarray(set_values, dtype=float), (b, k))[:, :, None]
    base = np.where(hit, fixed, noise)
    x = base
    for _ in range(n - 1):
        x = np.where(hit, fixed, x @ w + noise)
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


# ==================================================================================================
# The batch generator
# ==================================================================================================

def generate_episodes(
    n_episodes: int,
    *,
    strategy="expert",
    n_vars: int = 5,
    n_explore: int | None = None,
    weights=(-1.0, 0.0, 1.0),
    noise_std: float = 0.1,
    intervention_value: float = 5.0,
    allowed_sets=None,
    heldout_links=(),
    heldout_mode: str = "strict",
    test_links: bool = False,
    seed: int | None = None,
) -> EpisodeBatch:
    """Play ``n_episodes`` whole episodes with a strategy, vectorized; deterministic by ``seed``.

    ``strategy``: "expert" (experiment on each allowed variable once, in a random
    order, then exploit the largest estimated effect on the goal), "associational"
    (observe only, then exploit by the regression slope of the goal on each
    variable) or "random"; or a strategy object from :mod:`causal_lessons.strategies`.
    ``n_explore``: exploration steps K (default ``n_vars``).  ``allowed_sets``:
    None (all variables) or a list of name sets, one drawn per episode.
    ``heldout_links``: ordered (source, target) name pairs kept out of the
    episodes: ``heldout_mode="strict"`` makes their total effect exactly 0,
    ``"direct"`` only removes the direct edge.  ``test_links=True``: the goal is a
    held-out pair's target and its source the unique best exploit choice.

    The same ``seed`` gives the same DAGs, allowed sets and goals for every
    strategy (and the same noise for the same steps), so strategies can be
    compared episode by episode.
    """
    from . import strategies

    n_episodes = check_count(n_episodes, "n_episodes")
    n = _check_n_vars(n_vars)
    k = n if n_explore is None else check_count(n_explore, "n_explore")
    noise_std = check_positive(noise_std, "noise_std")
    value = check_positive(intervention_value, "intervention_value")
    player = strategies.as_strategy(strategy)
    task_seed, strategy_seed, noise_seed = np.random.SeedSequence(check_seed(seed)).spawn(3)
    tasks = sample_tasks(n_episodes, n_vars=n, weights=weights, allowed_sets=allowed_sets,
                         heldout_links=heldout_links, heldout_mode=heldout_mode, test_links=test_links,
                         rng=np.random.default_rng(task_seed))
    rng_play, rng_noise = np.random.default_rng(strategy_seed), np.random.default_rng(noise_seed)
    explore_actions = player.explore_actions(tasks.allowed, k, rng_play)
    explore_values = simulate(tasks.weights, explore_actions, value, noise_std, rng_noise)
    var, sign = player.choose(explore_actions, explore_values, tasks.goal, tasks.allowed, value, rng_play)
    after = simulate(tasks.weights, var[:, None], (sign * value)[:, None], noise_std, rng_noise)[:, 0]
    reward = after[np.arange(n_episodes), tasks.goal]
    return EpisodeBatch(
        names=tasks.names,
        weights=tasks.weights.astype(np.float32),
        total_effects=tasks.total_effects.astype(np.float32),
        allowed=tasks.allowed,
        explore_actions=explore_actions.astype(np.int64),
        explore_values=explore_values.astype(np.float32),
        goal=tasks.goal,
        exploit_var=var.astype(np.int64),
        exploit_sign=sign.astype(np.int64),
        reward=reward.astype(np.float32),
        noise_std=noise_std,
        intervention_value=value,
        strategy=player.name,
    )


# ==================================================================================================
# The Gymnasium environment
# ==================================================================================================

class CausalDAGEnv(gym.Env):
    """The causal DAG game as a Gymnasium environment (one episode = K exploration steps + 1 exploit).

    **Actions** (``Discrete(2n + 1)``): ``i`` in [0, n) is do(X_i = +v);
    ``n + i`` is do(X_i = -v); ``2n`` is "observe".  Use :meth:`intervene_action`
    and :attr:`observe_action` rather than the numbers.

    * Exploration: "observe", or do(X_i = +v) on an allowed variable.
    * Exploit: do(X_i = +v) or do(X_i = -v) on an allowed variable other than the goal.

    **Invalid actions never crash.**  In exploration an invalid action (a variable
    that is not allowed, or a negative intervention) is played as "observe"; in the
    exploit an invalid action (the goal, a variable that is not allowed, or
    "observe") is played as *no intervention*: the reward is the goal's natural
    value.  Either way ``info["invalid_action"]`` is True.

    **Observation** (a dict): ``phase`` (0 explore, 1 exploit, 2 done), ``step``
    (steps taken), ``values`` (every variable after the last step; zeros before
    the first), ``intervened`` (+1/-1 at the variable set in the last step, else 0),
    ``allowed`` (1 for the variables one may experiment on) and ``goal`` (one-hot,
    all zeros until the exploit phase).

    **Reward**: 0 during exploration; the goal's value after the exploit.

    ``info`` holds ``scm`` (the episode's :class:`~causal_lessons.scm.LinearGaussianSCM`),
    ``goal`` (its name, for teaching and checking: the observation reveals it only
    in the exploit phase), ``names``, ``allowed`` (names), ``phase``,
    ``n_explore``, ``intervention_value`` and ``invalid_action``.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        n_vars: int = 5,
        *,
        n_explore: int | None = None,
        weights=(-1.0, 0.0, 1.0),
        noise_std: float = 0.1,
        intervention_value: float = 5.0,
        allowed_sets=None,
        heldout_links=(),
        heldout_mode: str = "strict",
        test_links: bool = False,
        render_mode: str | None = None,
    ):
        self.n_vars = _check_n_vars(n_vars)
        self.names = graphs.variable_names(self.n_vars)
        self.n_explore = self.n_vars if n_explore is None else check_count(n_explore, "n_explore")
        self.noise_std = check_positive(noise_std, "noise_std")
        self.intervention_value = check_positive(intervention_value, "intervention_value")
        if render_mode is not None:
            _check_choice(render_mode, self.metadata["render_modes"] + [None], "render_mode")
        self.render_mode = render_mode
        self._task_options = dict(n_vars=self.n_vars, weights=weights, allowed_sets=allowed_sets,
                                  heldout_links=heldout_links, heldout_mode=heldout_mode,
                                  test_links=test_links)
        sample_tasks(1, seed=0, **self._task_options)   # check the options now, with clear errors
        n = self.n_vars
        largest = float(np.abs(_check_weights(weights)).max())
        # |value| <= (largest |set value or noise|) * (sum of |total effects| into it) <= this bound
        # (noise beyond 20 standard deviations never happens in practice).
        self.value_bound = float((self.intervention_value + 20 * self.noise_std) * (1 + largest) ** n)
        self.action_space = spaces.Discrete(2 * n + 1)
        self.observation_space = spaces.Dict({
            "phase": spaces.Discrete(3),
            "step": spaces.Discrete(self.n_explore + 2),
            "values": spaces.Box(-self.value_bound, self.value_bound, shape=(n,), dtype=np.float32),
            "intervened": spaces.Box(-1.0, 1.0, shape=(n,), dtype=np.float32),
            "allowed": spaces.MultiBinary(n),
            "goal": spaces.MultiBinary(n),
        })
        self._task = None
        self._phase = DONE

    # ------------------------------------------------------------------ action helpers
    @property
    def observe_action(self) -> int:
        """The action number of "observe"."""
        return 2 * self.n_vars

    def intervene_action(self, variable, sign: int = +1) -> int:
        """The action number of do(variable = sign * v); ``variable`` is a name or an index."""
        i = self._index(variable, "variable")
        if sign not in (1, -1):
            raise ValueError(f"sign must be +1 or -1, got {sign!r}.")
        return i if sign == 1 else self.n_vars + i

    def describe_action(self, action: int) -> str:
        """Readable text for an action number, e.g. ``"do(B = +5)"`` or ``"observe"``."""
        action = check_int(action, "action", minimum=0, maximum=2 * self.n_vars)
        if action == self.observe_action:
            return "observe"
        sign = 1 if action < self.n_vars else -1
        return f"do({self.names[action % self.n_vars]} = {sign * self.intervention_value:+g})"

    def _index(self, variable, what: str) -> int:
        if isinstance(variable, str):
            if variable not in self.names:
                raise KeyError(f"{what}: unknown variable {variable!r}; the variables are {', '.join(self.names)}.")
            return self.names.index(variable)
        return check_int(variable, what, minimum=0, maximum=self.n_vars - 1)

    # ------------------------------------------------------------------ Gymnasium API
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if options:
            raise ValueError(f"CausalDAGEnv.reset takes no options, got {sorted(options)}; "
                             "set them when making the environment.")
        self._task = sample_tasks(1, rng=self.np_random, **self._task_options)
        self._scm = episode_scm(self._task.weights[0], self.names, self.noise_std)
        self._phase, self._step = EXPLORE, 0
        self._values = np.zeros(self.n_vars, dtype=np.float32)
        self._intervened = np.zeros(self.n_vars, dtype=np.float32)
        return self._obs(), self._info(False)

    def step(self, action):
        if self._task is None:
            raise RuntimeError("call reset() before step(): there is no episode yet.")
        if self._phase == DONE:
            raise RuntimeError("the episode is over: call reset() to start a new one.")
        if not self.action_space.contains(action):
            raise ValueError(f"action must be a whole number from 0 to {2 * self.n_vars}, got {action!r}.")
        action = int(action)
        n, allowed, goal = self.n_vars, self._task.allowed[0], int(self._task.goal[0])
        var, sign = (action % n, 1 if action < n else -1) if action < 2 * n else (OBSERVE, 1)
        if self._phase == EXPLORE:
            invalid = var != OBSERVE and (sign < 0 or not allowed[var])
        else:
            invalid = var == OBSERVE or var == goal or not allowed[var]
        if invalid:
            var, sign = OBSERVE, 1
        values = simulate(self._task.weights, np.array([[var]]), sign * self.intervention_value,
                          self.noise_std, self.np_random)[0, 0]
        self._values = values.astype(np.float32)
        self._intervened = np.zeros(n, dtype=np.float32)
        if var != OBSERVE:
            self._intervened[var] = sign
        self._step += 1
        reward = 0.0
        if self._phase == EXPLOIT:
            reward, self._phase = float(values[goal]), DONE
        elif self._step >= self.n_explore:
            self._phase = EXPLOIT
        return self._obs(), reward, self._phase == DONE, False, self._info(bool(invalid))

    def render(self):
        if self.render_mode != "ansi" or self._task is None:
            return None
        phase = ("explore", "exploit", "done")[self._phase]
        values = "  ".join(f"{v}={x:+.2f}" for v, x in zip(self.names, self._values))
        goal = self.names[int(self._task.goal[0])] if self._phase != EXPLORE else "?"
        return f"step {self._step} ({phase}), goal {goal}: {values}"

    # ------------------------------------------------------------------ internals
    def _obs(self) -> dict:
        goal = np.zeros(self.n_vars, dtype=np.int8)
        if self._phase != EXPLORE:
            goal[int(self._task.goal[0])] = 1
        return {
            "phase": int(self._phase),
            "step": int(self._step),
            "values": self._values.copy(),
            "intervened": self._intervened.copy(),
            "allowed": self._task.allowed[0].astype(np.int8),
            "goal": goal,
        }

    def _info(self, invalid: bool) -> dict:
        return {
            "scm": self._scm,
            "goal": self.names[int(self._task.goal[0])],
            "names": list(self.names),
            "allowed": [v for v, a in zip(self.names, self._task.allowed[0]) if a],
            "phase": int(self._phase),
            "n_explore": self.n_explore,
            "intervention_value": self.intervention_value,
            "noise_std": self.noise_std,
            "invalid_action": invalid,
        }


#: The Gymnasium id: ``gymnasium.make(ENV_ID, n_vars=5, ...)`` makes a :class:`CausalDAGEnv`.
ENV_ID = "causal_lessons/CausalDAG-v0"
if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=CausalDAGEnv)
