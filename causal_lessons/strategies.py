"""Ways to play the causal DAG game, and the exact values that judge them.

Every strategy has the same surface:

* ``act(obs, info) -> action`` plays one step of :class:`~causal_lessons.environment.CausalDAGEnv`;
* ``explore_actions(allowed, n_explore, rng)`` and ``choose(...)`` play whole
  batches of episodes at once (this is what :func:`~causal_lessons.environment.generate_episodes`
  calls), so a strategy behaves the same in the environment and in a batch.

The strategies:

* :class:`ExpertStrategy` -- experiment on each allowed variable once (do(X_i = +5)),
  read the effect on the goal off the goal's value (value / 5), and exploit the
  largest estimated effect with its sign.
* :class:`AssociationalStrategy` -- spend the same steps observing, then exploit
  the variable whose regression slope with the goal is largest (with its sign).
  Confounding and reverse causation mislead it.
* :class:`RandomStrategy` -- uniform choices.
* :class:`HumanStrategy` -- moves queued by a person (lesson 03's widget).

Exact values, for any batch: :func:`causal_choice` (the best choice from the true
total effects), :func:`associational_choice` (the choice from the population
regression slopes, i.e. infinite observational data), :func:`exact_choices` and
:func:`divergent_mask` (where the associational choice is worse), and
:func:`expert_values` / :func:`expert_value` (the noisy expert's exact expected
reward, by quadrature).

>>> from causal_lessons.environment import generate_episodes
>>> batch = generate_episodes(200, seed=1)
>>> bool(abs(batch.reward.mean() - expert_values(batch).mean()) < 0.3)
True
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import game
from ._validate import check_count, check_int, check_known, check_positive, check_real, check_seed

__all__ = [
    "Strategy",
    "ExpertStrategy",
    "AssociationalStrategy",
    "RandomStrategy",
    "HumanStrategy",
    "STRATEGIES",
    "as_strategy",
    "EpisodeResult",
    "run_episode",
    "expert_estimates",
    "sample_slopes",
    "episode_table",
    "estimate_statistics",
    "choice_probabilities",
    "expert_values",
    "expert_value",
    "causal_choice",
    "associational_choice",
    "population_slopes",
    "ExactChoices",
    "exact_choices",
    "divergent_mask",
    "failure_reason",
    "mean_interval",
    "reward_table",
    "random_values",
    "dasgupta_quiz",
]

OBSERVE = game.OBSERVE


def _seeded(seed) -> np.random.Generator:
    """A generator for a strategy's own choices, independent of the environment's stream for the same seed."""
    seed = check_seed(seed)
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1] if seed is not None else None)


def _candidates(allowed: np.ndarray, goal: np.ndarray) -> np.ndarray:
    """(B, n) mask of the variables one may exploit: allowed and not the goal."""
    cand = np.asarray(allowed, dtype=bool).copy()
    cand[np.arange(cand.shape[0]), goal] = False
    if not cand.any(axis=1).all():
        raise ValueError("every episode needs an allowed variable other than the goal to exploit.")
    return cand


# ==================================================================================================
# Strategies
# ==================================================================================================

def expert_estimates(explore_actions, explore_values, goal, intervention_value: float) -> np.ndarray:
    """(B, n) estimated effect of each variable on the goal: the goal's value after do(X_i = v), divided by v.

    NaN for a variable nobody experimented on (the last experiment counts if there were several).
    """
    actions = np.asarray(explore_actions, dtype=np.int64)
    values = np.asarray(explore_values, dtype=float)
    goal = np.asarray(goal, dtype=np.int64)
    b, k = actions.shape
    rows = np.arange(b)
    estimate = np.full((b, values.shape[2]), np.nan)
    goal_values = values[rows, :, goal] / intervention_value            # (B, K)
    for step in range(k):
        hit = actions[:, step] >= 0
        estimate[rows[hit], actions[hit, step]] = goal_values[hit, step]
    return estimate


def sample_slopes(explore_actions, explore_values, goal) -> np.ndarray:
    """(B, n) least-squares slope of the goal on each variable alone, from the observation steps only.

    0 where a variable did not vary (fewer than two observations).
    """
    actions = np.asarray(explore_actions, dtype=np.int64)
    values = np.asarray(explore_values, dtype=float)
    goal = np.asarray(goal, dtype=np.int64)
    rows = np.arange(values.shape[0])
    seen = (actions == OBSERVE)[:, :, None]
    count = np.maximum(seen.sum(axis=1), 1)
    centred = np.where(seen, values - (values * seen).sum(axis=1, keepdims=True) / count[:, None], 0.0)
    y = centred[rows, :, goal][:, :, None]
    var_x = (centred**2).sum(axis=1)
    return np.divide((centred * y).sum(axis=1), var_x, out=np.zeros_like(var_x), where=var_x > 1e-12)


class Strategy:
    """The common surface of the strategies (see the module docstring).

    Subclasses define :meth:`explore_actions` and :meth:`choose` on batches;
    :meth:`act` plays them one step at a time in :class:`~causal_lessons.environment.CausalDAGEnv`.
    ``seed`` seeds the strategy's own random choices in the environment
    (:func:`run_episode` reseeds it per episode).
    """

    name = "strategy"

    def __init__(self, seed: int | None = None):
        self._rng = _seeded(seed)
        self._plan: list[int] = []
        self._actions: list[int] = []
        self._values: list[np.ndarray] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def reset(self, seed: int | None = None) -> None:
        """Forget the current episode and reseed the strategy's own random choices."""
        self._rng = _seeded(seed)
        self._plan, self._actions, self._values = [], [], []

    # ------------------------------------------------------------------ batch interface
    def explore_actions(self, allowed: np.ndarray, n_explore: int, rng: np.random.Generator) -> np.ndarray:
        """(B, K) exploration actions: -1 = observe, i = do(X_i = +v)."""
        raise NotImplementedError

    def choose(self, explore_actions: np.ndarray, explore_values: np.ndarray, goal: np.ndarray,
               allowed: np.ndarray, intervention_value: float, rng: np.random.Generator):
        """The exploit (variable, sign) of every episode, from what the exploration showed."""
        raise NotImplementedError

    # ------------------------------------------------------------------ environment interface
    def act(self, obs: dict, info: dict) -> int:
        """The next action in :class:`~causal_lessons.environment.CausalDAGEnv` (an action number)."""
        names = info["names"]
        n = len(names)
        step, phase = int(obs["step"]), int(obs["phase"])
        allowed = np.asarray(obs["allowed"], dtype=bool)
        if step == 0:
            self._plan = [int(a) for a in self.explore_actions(allowed[None], int(info["n_explore"]), self._rng)[0]]
            self._actions, self._values = [], []
        else:
            done = np.flatnonzero(np.asarray(obs["intervened"]))
            self._actions.append(int(done[0]) if done.size else OBSERVE)
            self._values.append(np.asarray(obs["values"], dtype=float))
        if phase == game.EXPLORE:
            planned = self._plan[step] if step < len(self._plan) else OBSERVE
            return 2 * n if planned == OBSERVE else planned
        if phase != game.EXPLOIT:
            raise RuntimeError("the episode is over: reset the environment to play again.")
        goal = np.array([int(np.argmax(obs["goal"]))])
        var, sign = self.choose(np.array([self._actions]), np.array([self._values]), goal, allowed[None],
                                float(info["intervention_value"]), self._rng)
        return int(var[0]) if sign[0] > 0 else n + int(var[0])


class ExpertStrategy(Strategy):
    """Experiment on each allowed variable once, in a random order; exploit the largest estimated effect.

    The estimate of the effect of X_i on the goal is (the goal's value after
    do(X_i = +v)) / v: the true total effect plus noise.  Steps left over after one
    experiment per allowed variable are spent observing.
    """

    name = "expert"

    def explore_actions(self, allowed, n_explore, rng):
        allowed = np.asarray(allowed, dtype=bool)
        b, n = allowed.shape
        n_explore = check_count(n_explore, "n_explore")
        count = allowed.sum(axis=1)
        if count.max() > n_explore:
            raise ValueError(f"the expert experiments on every allowed variable once: n_explore={n_explore} is "
                             f"too few for {int(count.max())} allowed variables.")
        keys = np.where(allowed, rng.random((b, n)), np.inf)
        order = np.argsort(keys, axis=1)
        actions = np.full((b, n_explore), OBSERVE, dtype=np.int64)
        m = min(n, n_explore)
        actions[:, :m] = order[:, :m]
        actions[np.arange(n_explore)[None, :] >= count[:, None]] = OBSERVE
        return actions

    def choose(self, explore_actions, explore_values, goal, allowed, intervention_value, rng):
        goal = np.asarray(goal, dtype=np.int64)
        rows = np.arange(len(goal))
        estimate = expert_estimates(explore_actions, explore_values, goal, intervention_value)
        cand = _candidates(allowed, goal) & ~np.isnan(estimate)
        if not cand.any(axis=1).all():
            raise ValueError("the expert has not experimented on any variable it may exploit.")
        var = np.where(cand, np.abs(np.nan_to_num(estimate)), -1.0).argmax(axis=1)
        sign = np.where(estimate[rows, var] >= 0, 1, -1)
        return var.astype(np.int64), sign.astype(np.int64)


class AssociationalStrategy(Strategy):
    """Observe on every step; exploit the variable with the largest regression slope of the goal on it.

    The slope of the goal on X_i (least squares with an intercept, one variable at a
    time) measures association, not effect: a common cause (confounding) or an
    effect of the goal (reverse causation) also gives a slope.
    """

    name = "associational"

    def explore_actions(self, allowed, n_explore, rng):
        n_explore = check_count(n_explore, "n_explore")
        if n_explore < 2:
            raise ValueError("the associational strategy needs n_explore >= 2 observations to fit a slope.")
        return np.full((np.asarray(allowed).shape[0], n_explore), OBSERVE, dtype=np.int64)

    def choose(self, explore_actions, explore_values, goal, allowed, intervention_value, rng):
        goal = np.asarray(goal, dtype=np.int64)
        rows = np.arange(len(goal))
        slope = sample_slopes(explore_actions, explore_values, goal)
        cand = _candidates(allowed, goal)
        var = np.where(cand, np.abs(slope), -1.0).argmax(axis=1)
        sign = np.where(slope[rows, var] >= 0, 1, -1)
        return var.astype(np.int64), sign.astype(np.int64)


class RandomStrategy(Strategy):
    """Uniform choices: each step observes or experiments on an allowed variable; a random exploit."""

    name = "random"

    def explore_actions(self, allowed, n_explore, rng):
        allowed = np.asarray(allowed, dtype=bool)
        n_explore = check_count(n_explore, "n_explore")
        b = allowed.shape[0]
        listed = np.argsort(~allowed, axis=1, kind="stable")          # allowed variables first
        pick = (rng.random((b, n_explore)) * (allowed.sum(axis=1, keepdims=True) + 1)).astype(np.int64)
        chosen = np.take_along_axis(listed, np.maximum(pick - 1, 0), axis=1)
        return np.where(pick == 0, OBSERVE, chosen).astype(np.int64)

    def choose(self, explore_actions, explore_values, goal, allowed, intervention_value, rng):
        cand = _candidates(allowed, np.asarray(goal, dtype=np.int64))
        var = np.where(cand, rng.random(cand.shape), -1.0).argmax(axis=1)
        sign = np.where(rng.random(cand.shape[0]) < 0.5, 1, -1)
        return var.astype(np.int64), sign.astype(np.int64)


class HumanStrategy(Strategy):
    """A person's moves, queued by name: ``"observe"``, ``"B"`` (do(B = +5) while exploring),
    ``("C", -1)`` (the exploit do(C = -5)).

    :meth:`push` queues a move; :meth:`act` plays the next one and raises a clear
    error when none is queued.  Lesson 03's widget pushes a move for every button.

    >>> human = HumanStrategy(["observe", "B", ("C", -1)])
    >>> len(human.pending)
    3
    """

    name = "human"

    def __init__(self, moves: Iterable[Any] = (), seed: int | None = None):
        super().__init__(seed)
        self._queue: deque = deque()
        for move in moves:
            self.push(move)

    @property
    def pending(self) -> list:
        """The moves queued and not yet played."""
        return list(self._queue)

    def push(self, move) -> None:
        """Queue a move: "observe", a variable name, or a (name, sign) pair for the exploit."""
        if isinstance(move, str):
            pass
        elif isinstance(move, (tuple, list)) and len(move) == 2 and isinstance(move[0], str) and move[1] in (1, -1):
            move = (move[0], int(move[1]))
        else:
            raise TypeError(f"a move is 'observe', a variable name such as 'B', or a (name, sign) pair such as "
                            f"('B', -1); got {move!r}.")
        self._queue.append(move)

    def reset(self, seed: int | None = None) -> None:
        super().reset(seed)
        self._queue.clear()

    def act(self, obs, info):
        if not self._queue:
            raise RuntimeError("no move queued: push('observe'), push('B') or push(('B', +1)) first.")
        move = self._queue.popleft()
        return self.encode(move, obs, info)

    @staticmethod
    def encode(move, obs: dict, info: dict) -> int:
        """The environment's action number for a move in the current phase."""
        names = info["names"]
        n = len(names)
        if move == "observe":
            return 2 * n
        name, sign = (move, 1) if isinstance(move, str) else move
        if name not in names:
            raise KeyError(f"unknown variable {name!r}; the variables are {', '.join(names)}.")
        return names.index(name) if sign > 0 else n + names.index(name)

    def explore_actions(self, allowed, n_explore, rng):
        raise TypeError("HumanStrategy plays in the environment, one move at a time; it cannot play batches.")

    def choose(self, explore_actions, explore_values, goal, allowed, intervention_value, rng):
        raise TypeError("HumanStrategy plays in the environment, one move at a time; it cannot play batches.")


#: The strategies by name (as accepted by ``generate_episodes(strategy=...)``).
STRATEGIES = {"expert": ExpertStrategy, "associational": AssociationalStrategy, "random": RandomStrategy}


def as_strategy(strategy) -> Strategy:
    """A strategy object from a name ("expert", "associational", "random") or a Strategy."""
    if isinstance(strategy, Strategy):
        return strategy
    if isinstance(strategy, str) and strategy in STRATEGIES:
        return STRATEGIES[strategy]()
    raise ValueError(f"strategy must be one of {', '.join(repr(s) for s in STRATEGIES)} or a Strategy object, "
                     f"got {strategy!r}.")


# ==================================================================================================
# Playing in the environment
# ==================================================================================================

@dataclass
class EpisodeResult:
    """One episode played in the environment."""

    actions: list[int]            # action numbers, in order
    observations: list[dict]      # the observation after reset, then after each action
    reward: float                 # the exploit reward
    goal: str
    scm: Any                      # the episode's LinearGaussianSCM
    descriptions: list[str] = field(default_factory=list)   # readable actions, e.g. "do(B = +5)"
    invalid: list[bool] = field(default_factory=list)        # which actions the environment refused


def run_episode(env, strategy, seed: int | None = None) -> EpisodeResult:
    """Play one episode of ``env`` with ``strategy`` (reset with ``seed``); return what happened."""
    player = as_strategy(strategy)
    seed = check_seed(seed)
    obs, info = env.reset(seed=seed)
    if not isinstance(player, HumanStrategy):
        player.reset(seed)
    actions, observations, descriptions, invalid = [], [obs], [], []
    reward, done = 0.0, False
    while not done:
        action = player.act(obs, info)
        obs, reward, done, truncated, info = env.step(action)
        actions.append(int(action))
        observations.append(obs)
        descriptions.append(env.describe_action(action))
        invalid.append(bool(info["invalid_action"]))
        done = done or truncated
    return EpisodeResult(actions, observations, float(reward), info["goal"], info["scm"], descriptions, invalid)


# ==================================================================================================
# Exact values
# ==================================================================================================

def _arrays(batch, total_effects=None, goal=None, allowed=None):
    if batch is not None:
        return (np.asarray(batch.total_effects, dtype=float), np.asarray(batch.goal, dtype=np.int64),
                np.asarray(batch.allowed, dtype=bool))
    return np.asarray(total_effects, dtype=float), np.asarray(goal, dtype=np.int64), np.asarray(allowed, dtype=bool)


def estimate_statistics(total_effects: np.ndarray, goal: np.ndarray, noise_std: float,
                        intervention_value: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the expert's estimate of each variable's effect on the goal.

    After do(X_i = v) the goal is v * T[i, g] plus the noise of every other variable
    carried to the goal in the graph with X_i's incoming edges cut; there the total
    effect of j on g is T[j, g] - T[j, i] T[i, g] (the paths through i are gone).
    Dividing by v: mean T[i, g], sd = noise_std / v * sqrt(sum over j != i of that squared).
    Returns two (B, n) arrays.
    """
    t = np.asarray(total_effects, dtype=float)
    goal = np.asarray(goal, dtype=np.int64)
    rows = np.arange(t.shape[0])
    to_goal = t[rows, :, goal]                                   # (B, n): T[j, g]
    cut = to_goal[:, None, :] - t.transpose(0, 2, 1) * to_goal[:, :, None]   # [b, i, j] = T[j,g] - T[j,i] T[i,g]
    n = t.shape[1]
    cut = np.where(np.eye(n, dtype=bool)[None], 0.0, cut)
    sds = noise_std / intervention_value * np.sqrt((cut**2).sum(axis=2))
    return to_goal, sds


#: Where, in standard deviations around |mean_j|, extra quadrature panels start.
_BREAKS = np.array([-8.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 8.0])


def choice_probabilities(means: np.ndarray, sds: np.ndarray, candidates: np.ndarray, *,
                         panels: int = 16, nodes: int = 8, needed: np.ndarray | None = None) -> np.ndarray:
    """P(the largest |estimate| among the candidates is variable i, with sign s), for independent Gaussians.

    ``means``, ``sds``, ``candidates``: (B, n).  Returns (B, n, 2): [..., 0] for a
    positive estimate (sign +1), [..., 1] for a negative one.  Each probability is a
    one-dimensional integral, P(E_i = s x and |E_j| < x for every other candidate j),
    over x >= 0, computed by composite Gauss-Legendre quadrature (``nodes`` points
    per panel) on +-10 standard deviations around the estimate's mean, cut into
    ``panels`` equal panels and again near every other estimate's |mean|.
    Choices whose probability is provably below 1e-15 (the other estimates are
    almost surely larger in size) are set to 0 without integrating.  The
    probabilities sum to 1 per episode.  ``needed`` (a (B, n) mask within the
    candidates) computes only those variables' probabilities and leaves the others 0.
    """
    from scipy.special import ndtr

    means = np.asarray(means, dtype=float)
    sds = np.asarray(sds, dtype=float)
    cand = np.asarray(candidates, dtype=bool)
    if np.any(sds[cand] <= 0):
        raise ValueError("every candidate's estimate needs a positive standard deviation.")
    b, n = means.shape
    sd = np.where(cand, sds, 1.0)
    sign = np.array([1.0, -1.0])
    centre = sign * means[..., None]                                          # (B, n, 2)
    lo = np.clip(centre - 10 * sd[..., None], 0.0, None)
    hi = np.clip(centre + 10 * sd[..., None], 0.0, None)

    def below(x, rows):
        """P(|E_j| < x) for every j of the episodes ``rows``; x: (..., P) -> (..., n, P)."""
        m, s = means[rows][..., None], sd[rows][..., None]
        return ndtr((x[..., None, :] - m) / s) - ndtr((-x[..., None, :] - m) / s)

    # the probability of (i, s) is at most the chance that every other candidate is below hi
    others = cand[:, None, :] & ~np.eye(n, dtype=bool)[None]                 # (B, i, j)
    rows_all = np.arange(b)
    top = below(hi.reshape(b, 2 * n), rows_all).transpose(0, 2, 1).reshape(b, n, 2, n)   # [b, i, s, j] at hi[b, i, s]
    bound = np.where(others[:, :, None, :], top, 1.0).prod(axis=-1)
    alive = (cand if needed is None else cand & np.asarray(needed, dtype=bool))[..., None]
    alive = alive & (hi > lo) & (bound > 1e-15)
    out = np.zeros((b, n, 2))
    rows, var, side = np.nonzero(alive)
    if rows.size == 0:
        return out
    gl_x, gl_w = np.polynomial.legendre.leggauss(nodes)
    a, z = lo[rows, var, side], hi[rows, var, side]
    # panel edges: evenly spaced, plus extra ones where another estimate's |E_j| < x switches on,
    # so that a sharp step (a small sd_j) is integrated as accurately as a broad one
    steps = np.abs(means[rows])[:, :, None] + sd[rows][:, :, None] * _BREAKS
    edges = np.concatenate([a[:, None] + (z - a)[:, None] * np.linspace(0.0, 1.0, panels + 1),
                            np.clip(steps.reshape(len(rows), -1), a[:, None], z[:, None])], axis=1)
    edges.sort(axis=1)
    half = (edges[:, 1:] - edges[:, :-1]) / 2
    x = ((edges[:, :-1] + half)[..., None] + half[..., None] * gl_x).reshape(len(rows), -1)
    w = (half[..., None] * gl_w).reshape(len(rows), -1)
    s_i, m_i = sd[rows, var][:, None], means[rows, var][:, None]
    density = np.exp(-0.5 * ((sign[side][:, None] * x - m_i) / s_i) ** 2) / (math.sqrt(2 * math.pi) * s_i)
    product = np.where(others[rows, var][..., None], below(x, rows), 1.0).prod(axis=1)
    out[rows, var, side] = (w * density * product).sum(axis=1)
    return out


def expert_values(batch=None, *, total_effects=None, goal=None, allowed=None, noise_std: float | None = None,
                  intervention_value: float | None = None, chunk: int = 256) -> np.ndarray:
    """The noisy expert's exact expected exploit reward in every episode of a batch, shape (B,).

    The expert's estimates are independent Gaussians (:func:`estimate_statistics`);
    choosing (i, s) is worth s * v * T[i, goal] on average, weighted by the
    probability of that choice (:func:`choice_probabilities`).  Pass a batch, or
    the arrays and ``noise_std``, ``intervention_value`` by keyword.
    """
    t, g, a = _arrays(batch, total_effects, goal, allowed)
    sigma = check_positive(batch.noise_std if noise_std is None and batch is not None else noise_std, "noise_std")
    value = check_positive(batch.intervention_value if intervention_value is None and batch is not None
                           else intervention_value, "intervention_value")
    result = np.zeros(len(g))
    for start in range(0, len(g), chunk):
        part = slice(start, start + chunk)
        means, sds = estimate_statistics(t[part], g[part], sigma, value)
        cand = _candidates(a[part], g[part])
        # a choice with no effect on the goal is worth 0 whatever its probability: skip computing it
        probs = choice_probabilities(means, sds, cand, needed=cand & (means != 0))
        result[part] = (value * means * (probs[..., 0] - probs[..., 1])).sum(axis=1)
    return result


def expert_value(scm, goal: str, allowed: Iterable[str] | None = None, *, intervention_value: float = 5.0) -> float:
    """The exact expected exploit reward of the noisy expert in one SCM (any intercepts and noise scales).

    The expert sets each allowed variable X_i to ``intervention_value`` once; its
    estimate of the effect of X_i is the goal's value then, divided by
    ``intervention_value`` (a Gaussian whose mean and variance the SCM gives
    exactly).  It exploits the allowed non-goal variable with the largest
    |estimate|, with the estimate's sign; the reward is the goal's mean under that
    intervention.  The choice probabilities are one-dimensional integrals
    (:func:`choice_probabilities`).
    """
    names = scm.variables
    check_known(goal, names, "goal")
    value = check_positive(intervention_value, "intervention_value")
    if allowed is None:
        allowed = names
    elif isinstance(allowed, str):
        raise TypeError(f"allowed must be a collection of variable names such as ['A', 'B'], got {allowed!r}.")
    allowed = [check_known(v, names, "allowed") for v in allowed]
    cands = [v for v in names if v in allowed and v != goal]
    if not cands:
        raise ValueError(f"allowed must contain a variable other than the goal {goal!r} to exploit.")
    means, sds, worth = [], [], []
    for v in cands:
        model = scm.do({v: value})
        totals = model.total_effects()[goal]
        noise = model.noise_std
        means.append(float(model.mean()[goal]) / value)
        sds.append(math.sqrt(sum(noise[u] ** 2 * float(totals[u]) ** 2 for u in names)) / value)
        worth.append((float(model.mean()[goal]), float(scm.do({v: -value}).mean()[goal])))
    probs = choice_probabilities(np.array([means]), np.array([sds]), np.ones((1, len(cands)), dtype=bool))[0]
    return float(sum(p[0] * w[0] + p[1] * w[1] for p, w in zip(probs, worth)))


def population_slopes(total_effects: np.ndarray, goal: np.ndarray, noise_std=1.0) -> np.ndarray:
    """Slope of the population regression of the goal on each variable alone: Cov(X_i, goal) / Var(X_i).

    The covariance comes from the SCM exactly: Cov = T' diag(noise_std^2) T (infinite
    observational data).  With the same noise scale on every variable the slopes do
    not depend on that scale.  Returns (B, n); the goal's own slope is 1.
    """
    t = np.asarray(total_effects, dtype=float)
    goal = np.asarray(goal, dtype=np.int64)
    scale = np.broadcast_to(np.asarray(noise_std, dtype=float) ** 2, t.shape[:2])
    cov = np.einsum("bki,bk,bkj->bij", t, scale, t)
    rows = np.arange(t.shape[0])
    return cov[rows, :, goal] / np.diagonal(cov, axis1=1, axis2=2)


def _argmax_choice(score: np.ndarray, signed: np.ndarray, cand: np.ndarray):
    var = np.where(cand, score, -np.inf).argmax(axis=1)
    sign = np.where(signed[np.arange(len(var)), var] >= 0, 1, -1)
    return var.astype(np.int64), sign.astype(np.int64)


def causal_choice(batch=None, *, total_effects=None, goal=None, allowed=None):
    """The best exploit of every episode from the true total effects: (variable, sign) arrays.

    The variable with the largest |total effect| on the goal among the allowed
    non-goal variables (ties: the first in alphabetical order), with the effect's sign.
    """
    t, g, a = _arrays(batch, total_effects, goal, allowed)
    effect = t[np.arange(len(g)), :, g]
    return _argmax_choice(np.abs(effect), effect, _candidates(a, g))


def associational_choice(batch=None, *, total_effects=None, goal=None, allowed=None):
    """The exploit an associational learner with infinite observational data makes: (variable, sign).

    The variable with the largest |population slope| (:func:`population_slopes`)
    among the allowed non-goal variables (ties: the first in alphabetical order).
    """
    t, g, a = _arrays(batch, total_effects, goal, allowed)
    slope = population_slopes(t, g)
    return _argmax_choice(np.abs(slope), slope, _candidates(a, g))


@dataclass
class ExactChoices:
    """The exact causal and associational choices of a batch, their true expected values, and where they part."""

    causal_var: np.ndarray
    causal_sign: np.ndarray
    causal_value: np.ndarray
    assoc_var: np.ndarray
    assoc_sign: np.ndarray
    assoc_value: np.ndarray       # expected reward of the associational choice (ties: see ``ties``)
    slopes: np.ndarray            # (B, n) population slopes of the goal on each variable
    divergent: np.ndarray         # assoc_value < causal_value: the associational choice is worse
    assoc_ties: np.ndarray        # how many variables tie for the largest |slope| (1: a unique choice)


def exact_choices(batch=None, *, total_effects=None, goal=None, allowed=None, intervention_value: float | None = None,
                  ties: str = "average") -> ExactChoices:
    """Causal and associational (infinite-data) choices of every episode, their true values, the divergent mask.

    ``ties`` says what an associational learner does when several variables have
    the same |slope|: "average" (it picks one at random; the value is their mean),
    or "first" (it picks the first in alphabetical order).
    """
    if ties not in ("average", "first"):
        raise ValueError(f"ties must be 'average' or 'first', got {ties!r}.")
    t, g, a = _arrays(batch, total_effects, goal, allowed)
    value = check_positive(batch.intervention_value if intervention_value is None and batch is not None
                           else (5.0 if intervention_value is None else intervention_value), "intervention_value")
    rows = np.arange(len(g))
    cand = _candidates(a, g)
    effect = t[rows, :, g]
    c_var, c_sign = _argmax_choice(np.abs(effect), effect, cand)
    c_value = value * np.abs(effect[rows, c_var])
    slope = population_slopes(t, g)
    a_var, a_sign = _argmax_choice(np.abs(slope), slope, cand)
    top = np.where(cand, np.abs(slope), -np.inf)
    tied = cand & np.isclose(top, top.max(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)
    if ties == "first":
        a_value = value * a_sign * effect[rows, a_var]
    else:
        worth = value * np.where(slope >= 0, 1, -1) * effect
        a_value = (worth * tied).sum(axis=1) / tied.sum(axis=1)
    divergent = a_value < c_value - 1e-9
    return ExactChoices(c_var, c_sign, c_value, a_var, a_sign, a_value, slope, divergent, tied.sum(axis=1))


def divergent_mask(batch=None, **arrays) -> np.ndarray:
    """(B,) True where the associational choice (infinite data) is worth less than the causal choice."""
    return exact_choices(batch, **arrays).divergent


def failure_reason(total_effects: np.ndarray, goal: int, variable: int) -> str:
    """Why a variable moves with the goal more than its effect on the goal explains, in one episode.

    Meant for the variable an associational learner preferred over a better one:
    "reverse causation" when the goal causes the variable (the total effect of the
    goal on it is not 0); otherwise "confounding" (a common cause moves both).
    ``goal`` and ``variable`` are indices into ``total_effects`` (an (n, n) matrix).
    """
    t = np.asarray(total_effects, dtype=float)
    goal = check_int(goal, "goal", minimum=0, maximum=t.shape[0] - 1)
    variable = check_int(variable, "variable", minimum=0, maximum=t.shape[0] - 1)
    if variable == goal:
        raise ValueError("variable must differ from the goal.")
    return "reverse causation" if abs(t[goal, variable]) > 1e-9 else "confounding"


def episode_table(expert: Any, associational: Any, index: int):
    """One episode seen by both strategies: a pandas DataFrame with a row per variable other than the goal.

    Columns: the true total effect on the goal, the expert's estimate (from its
    experiment), the slope in the associational strategy's observations, the
    population slope (infinite observational data), and whether the goal causes
    the variable (reverse causation).  ``expert`` and ``associational`` are batches of
    the same episodes (the same seed).
    """
    import pandas as pd

    i = check_int(index, "index", minimum=0, maximum=len(expert) - 1)
    if len(associational) != len(expert) or not np.array_equal(expert.weights[i], associational.weights[i]) \
            or expert.goal[i] != associational.goal[i]:
        raise ValueError("expert and associational must be batches of the same episodes (generated with one seed).")
    g = int(expert.goal[i])
    sl = slice(i, i + 1)
    rows = [j for j in range(expert.n_vars) if j != g]
    est = expert_estimates(expert.explore_actions[sl], expert.explore_values[sl], expert.goal[sl],
                           expert.intervention_value)[0]
    sample = sample_slopes(associational.explore_actions[sl], associational.explore_values[sl],
                           associational.goal[sl])[0]
    population = population_slopes(expert.total_effects[sl], expert.goal[sl])[0]
    table = pd.DataFrame({
        "total effect on goal": expert.total_effects[i, rows, g].astype(float),
        "expert's estimate": est[rows],
        "slope, 5 observations" if associational.n_explore == 5 else f"slope, {associational.n_explore} observations":
            sample[rows],
        "slope, infinite data": population[rows],
        "goal causes it": np.abs(expert.total_effects[i, g, rows]) > 1e-9,
    }, index=pd.Index([expert.names[j] for j in rows], name=f"goal {expert.names[g]}"))
    return table


def random_values(batch=None, *, total_effects=None, goal=None, allowed=None,
                  intervention_value: float | None = None) -> np.ndarray:
    """The random strategy's exact expected exploit reward per episode: the mean over its equally likely
    choices (every allowed non-goal variable, each sign) of sign * v * T[variable, goal].

    With both signs equally likely this is 0 in every episode.
    """
    t, g, a = _arrays(batch, total_effects, goal, allowed)
    value = check_positive(batch.intervention_value if intervention_value is None and batch is not None
                           else (5.0 if intervention_value is None else intervention_value), "intervention_value")
    cand = _candidates(a, g)
    effect = t[np.arange(len(g)), :, g]
    worth = np.stack([value * effect, -value * effect], axis=-1)      # (B, n, 2): each variable, each sign
    return (worth * cand[..., None]).sum(axis=(1, 2)) / (2 * cand.sum(axis=1))


def reward_table(rewards, divergent, *, digits: int = 2):
    """Mean reward and 95% interval of each strategy, over all episodes and over the divergent ones.

    ``rewards``: a dict {row name: (B,) rewards}; ``divergent``: (B,) mask.
    Returns a pandas DataFrame of text cells such as "4.85 [4.78, 4.92]".
    """
    import pandas as pd

    mask = np.asarray(divergent, dtype=bool)
    if not hasattr(rewards, "items") or not rewards:
        raise TypeError("rewards must be a dict {strategy name: rewards per episode}.")
    cells = {}
    for name, values in rewards.items():
        values = np.asarray(values, dtype=float)
        if values.shape != mask.shape:
            raise ValueError(f"rewards[{name!r}] has {values.size} values but divergent has {mask.size}.")
        cells[name] = [f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
                       for m, lo, hi in (mean_interval(values), mean_interval(values, mask))]
    return pd.DataFrame.from_dict(cells, orient="index",
                                  columns=[f"all {mask.size} episodes", f"divergent ({int(mask.sum())})"])


def mean_interval(values, mask=None) -> tuple[float, float, float]:
    """Mean and 95% confidence interval (normal approximation, mean +- 1.96 standard errors)."""
    x = np.asarray(values, dtype=float)
    if mask is not None:
        x = x[np.asarray(mask, dtype=bool)]
    if x.size < 2:
        raise ValueError(f"need at least 2 values for an interval, got {x.size}.")
    half = 1.96 * x.std(ddof=1) / math.sqrt(x.size)
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


# ==================================================================================================
# Dasgupta et al. (2019): the quiz over every weighting of a fixed order
# ==================================================================================================

def dasgupta_quiz(*, n_vars: int = 5, weights=(-1.0, 0.0, 1.0), noise_std: float = math.sqrt(0.1),
                  quiz_value: float = -5.0, ties: str = "first") -> dict:
    """Exact quiz rewards over every weighting of a fixed causal order with a hidden root (Dasgupta et al. 2019).

    Every ordered pair (i < j in the order A, B, C, ...) takes each weight in
    ``weights``: 3^10 = 59,049 graphs for five variables.  The first variable (a
    root) is hidden.  In the quiz one visible variable is set to ``quiz_value`` (-5)
    and the player picks another visible variable; the reward is its value.

    * causal: the pick with the largest E[X_k | do(X_j = -5)] = -5 T[j, k];
    * associative: the pick with the largest E[X_k | X_j = -5] (exact conditional
      expectation; its value is still the interventional one);
    * random: a uniform pick.

    Returns the mean rewards over all graphs and quiz variables, and ``differ``:
    the fraction of quizzes where the associative pick is worth less than the causal
    one.  ``ties``: "first" (the first variable in the order wins a tie) or "average".
    """
    n = check_int(n_vars, "n_vars", minimum=3, maximum=5)
    values = game.check_weights(weights)
    sigma = check_positive(noise_std, "noise_std")
    q = check_real(quiz_value, "quiz_value")
    if ties not in ("first", "average"):
        raise ValueError(f"ties must be 'first' or 'average', got {ties!r}.")
    pairs = list(itertools.combinations(range(n), 2))
    codes = np.array(list(itertools.product(values, repeat=len(pairs))))
    w = np.zeros((len(codes), n, n))
    for k, (i, j) in enumerate(pairs):
        w[:, i, j] = codes[:, k]
    t = game.batch_total_effects(w)
    cov = sigma**2 * np.einsum("gki,gkj->gij", t, t)
    causal, assoc, rand, differ = [], [], [], []
    for j in range(1, n):
        picks = [k for k in range(1, n) if k != j]
        worth = q * t[:, j, picks]                                     # E[X_k | do(X_j = q)]
        guess = q * cov[:, j, picks] / cov[:, j, j][:, None]           # E[X_k | X_j = q]
        best = worth.max(axis=1)
        if ties == "first":
            got = worth[np.arange(len(w)), guess.argmax(axis=1)]
        else:
            tied = np.isclose(guess, guess.max(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)
            got = (worth * tied).sum(axis=1) / tied.sum(axis=1)
        causal.append(best)
        assoc.append(got)
        rand.append(worth.mean(axis=1))
        differ.append(got < best - 1e-9)
    return {
        "n_graphs": len(w),
        "n_quizzes": len(w) * (n - 1),
        "causal": float(np.mean(causal)),
        "associative": float(np.mean(assoc)),
        "random": float(np.mean(rand)),
        "differ": float(np.mean(differ)),
    }
