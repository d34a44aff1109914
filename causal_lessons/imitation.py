"""Imitation learning and error accumulation: behaviour cloning, DAgger, and the chain analysis.

Lesson 07 uses three pieces.

* **The chain analysis.**  A learner leaves the expert's states with probability
  ``epsilon`` per step and, once off, comes back with probability ``recovery``
  per step.  :func:`off_path_probability` gives the chance of being off after
  each step; :func:`bc_expected_cost` (``recovery = 0``: one mistake is for
  good) and :func:`dagger_expected_cost` (every mistake corrected at the next
  step: ``epsilon * T``) are its two famous cases.
* **The foggy ridge**, a control task where that analysis holds exactly.  A
  walker follows a ridge in fog: at every step the ridge bends left or right and
  a marker post shows which way, but the walker misreads it with probability
  ``epsilon``.  Walking the wrong way drops the walker onto the slope below;
  from the slope, climbing back in the bend's direction returns to the ridge.
  A guide (the expert) never leaves the ridge, so demonstrations contain no
  slope states and no climbing.  :class:`TabularPolicy` is the learner;
  :func:`behaviour_cloning` and :func:`dagger` train it.
* **A counting sequence**, the same story for a tiny autoregressive model
  (torch): :class:`CountingModel` writes ``start + position (mod 10)`` digit by
  digit, conditioned on the digit it wrote last; :func:`sequence_dagger`
  fine-tunes it on its own rollouts labelled by the expert.

>>> round(bc_expected_cost(0.01, 100), 1), round(dagger_expected_cost(0.01, 100), 1)
(37.2, 1.0)
>>> bc = behaviour_cloning(FoggyRidge(0.01), horizon=50, demonstrations=20, seed=0)
>>> bc.action_name(on_ridge=False, reading=0)   # never saw the slope, never saw anyone climb
'left'
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validate import _show, check_count, check_int, check_probability, check_real, check_seed

__all__ = [
    "off_path_probability",
    "expected_cost",
    "bc_expected_cost",
    "dagger_expected_cost",
    "beta_schedule",
    "FoggyRidge",
    "ACTIONS",
    "Rollouts",
    "rollout",
    "TabularPolicy",
    "behaviour_cloning",
    "DaggerResult",
    "dagger",
    "measured_cost",
    "cumulative_cost",
    "cumulative_costs",
    "per_step_error",
    "CostComparison",
    "compare_costs",
    "plot_costs",
    "CountingData",
    "counting_demonstrations",
    "CountingModel",
    "position_error_rate",
    "sequence_dagger",
    "reliance_on_last_digit",
    "plot_position_errors",
]


# --------------------------------------------------------------------------------------------------
# Argument checks shared by this module
# --------------------------------------------------------------------------------------------------

def _check_epsilon(epsilon: Any, name: str = "epsilon", *, below_half: bool = False) -> float:
    epsilon = check_probability(epsilon, name)
    if below_half and epsilon >= 0.5:
        raise ValueError(f"{name} must be below 0.5 (an error rate of one half or more means the learner's "
                         f"cue carries no information), got {epsilon:g}.")
    return epsilon


def _rng(seed: Any, name: str = "seed") -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed, name))


# --------------------------------------------------------------------------------------------------
# The chain analysis
# --------------------------------------------------------------------------------------------------

def off_path_probability(epsilon: float, steps: int, *, recovery: float = 0.0) -> np.ndarray:
    """Chance of being off the expert's path after each of steps ``1..steps`` (a two-state chain).

    On the path, the learner leaves with probability ``epsilon`` per step; off
    it, it comes back with probability ``recovery`` per step.  Starting on the
    path, the chance of being off after ``t`` steps is
    ``epsilon / (epsilon + recovery) * (1 - (1 - epsilon - recovery) ** t)``.

    * ``recovery = 0`` (one mistake is for good): ``1 - (1 - epsilon) ** t``.
    * ``recovery = 1 - epsilon`` (the learner errs with probability ``epsilon``
      wherever it is, so every mistake is corrected at the next step): ``epsilon``.

    >>> off_path_probability(0.5, 3).tolist()
    [0.5, 0.75, 0.875]
    >>> off_path_probability(0.1, 3, recovery=0.9).round(12).tolist()
    [0.1, 0.1, 0.1]
    """
    epsilon = _check_epsilon(epsilon)
    steps = check_count(steps, "steps")
    recovery = check_probability(recovery, "recovery")
    t = np.arange(1, steps + 1)
    rate = epsilon + recovery
    if rate == 0:
        return np.zeros(steps)
    return epsilon / rate * (1.0 - (1.0 - rate) ** t)


def expected_cost(epsilon: float, horizon: int, *, recovery: float = 0.0) -> float:
    """Expected number of steps spent off the path in ``horizon`` steps (sum of :func:`off_path_probability`)."""
    return float(off_path_probability(epsilon, horizon, recovery=recovery).sum())


def bc_expected_cost(epsilon: float, horizon: int) -> float:
    """Behaviour cloning's expected cost in the chain model: ``sum_{t=1..T} [1 - (1 - epsilon) ** t]``.

    One mistake leaves the expert's states for good, and every step off them
    costs 1.  For small ``epsilon * T`` this is about ``epsilon * T * (T + 1) / 2``:
    quadratic in the horizon.

    >>> round(bc_expected_cost(0.01, 50), 1), round(bc_expected_cost(0.01, 200), 1)
    (10.9, 114.3)
    """
    epsilon = _check_epsilon(epsilon)
    horizon = check_count(horizon, "horizon")
    if epsilon == 0:
        return 0.0
    # closed form of the geometric sum: T - (1 - e) (1 - (1 - e)^T) / e
    return float(horizon - (1.0 - epsilon) * (1.0 - (1.0 - epsilon) ** horizon) / epsilon)


def dagger_expected_cost(epsilon: float, horizon: int) -> float:
    """The cost when every mistake is corrected at the next step: ``epsilon * T`` (linear in the horizon)."""
    epsilon = _check_epsilon(epsilon)
    horizon = check_count(horizon, "horizon")
    return epsilon * horizon


def beta_schedule(iterations: int, p: float = 0.5) -> list[float]:
    """DAgger's mixing weights: ``beta_1 = 1`` (pure expert), then ``beta_i = p ** (i - 1)``.

    ``p = 0`` gives the other usual schedule: the expert only in the first
    iteration, the learner alone afterwards.

    >>> beta_schedule(4, 0.5)
    [1.0, 0.5, 0.25, 0.125]
    >>> beta_schedule(3, 0.0)
    [1.0, 0.0, 0.0]
    """
    iterations = check_count(iterations, "iterations")
    p = check_probability(p, "p")
    return [1.0] + [p ** i for i in range(1, iterations)]


# --------------------------------------------------------------------------------------------------
# The foggy ridge
# --------------------------------------------------------------------------------------------------

#: The walker's actions, by index.
ACTIONS = ("left", "right", "climb left", "climb right")
_SITUATIONS = ("ridge", "slope")
_READINGS = ("left", "right")


@dataclass(frozen=True)
class FoggyRidge:
    """A walk along a ridge in fog, where one misread marker can leave the expert's states for good.

    At each step the ridge bends left (0) or right (1), each with probability
    1/2.  The walker sees a marker reading, equal to the bend except with
    probability ``epsilon`` (fog).  Actions are :data:`ACTIONS`:

    * on the ridge, walking the way it bends (``left``/``right``) stays on the
      ridge; any other action drops the walker onto the slope;
    * on the slope, climbing the way the ridge bends (``climb left``/``climb
      right``) returns to the ridge; any other action stays on the slope.

    Each step that ends on the slope costs 1.  The expert (a guide who sees the
    bend itself) walks along the ridge and, if ever on the slope, climbs back.
    """

    epsilon: float = 0.01

    def __post_init__(self):
        object.__setattr__(self, "epsilon", _check_epsilon(self.epsilon, below_half=True))

    @staticmethod
    def expert_action(on_ridge: np.ndarray, bend: np.ndarray) -> np.ndarray:
        """The guide's action: walk the way the ridge bends; from the slope, climb that way."""
        return np.where(on_ridge, bend, 2 + bend)

    @staticmethod
    def step(on_ridge: np.ndarray, bend: np.ndarray, action: np.ndarray) -> np.ndarray:
        """Where the walker is after ``action``: True for the ridge, False for the slope."""
        return np.where(on_ridge, action == bend, action == 2 + bend)


def _check_task(task: Any) -> FoggyRidge:
    if not isinstance(task, FoggyRidge):
        raise TypeError(f"task must be a FoggyRidge, got {_show(task)} ({type(task).__name__}).")
    return task


def _check_policy(policy: Any) -> Callable | None:
    if policy is not None and not callable(policy):
        raise TypeError("policy must be a learner (a TabularPolicy, or any function of (on_ridge, reading)), "
                        f"or None for the expert; got {_show(policy)} ({type(policy).__name__}).")
    return policy


@dataclass(frozen=True)
class Rollouts:
    """Episodes on the foggy ridge: arrays of shape ``(episodes, horizon)``, one column per step.

    ``on_ridge`` and ``reading`` are what the walker saw before acting, ``bend``
    the hidden truth, ``action`` what was done, ``expert_action`` what the guide
    would have done there, and ``off_ridge`` whether the step ended on the slope
    (the step's cost).
    """

    on_ridge: np.ndarray
    reading: np.ndarray
    bend: np.ndarray
    action: np.ndarray
    expert_action: np.ndarray
    off_ridge: np.ndarray

    @property
    def costs(self) -> np.ndarray:
        """Total cost of each episode: the number of steps that ended on the slope."""
        return self.off_ridge.sum(axis=1)

    @property
    def mean_cost(self) -> float:
        return float(self.costs.mean())

    def dataset(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every visited state with the expert's label: ``(on_ridge, reading, expert_action)``, flattened."""
        return self.on_ridge.ravel(), self.reading.ravel(), self.expert_action.ravel()


def rollout(task: FoggyRidge, policy: Callable | None, horizon: int, episodes: int = 1, *,
            beta: float = 0.0, seed: Any = None) -> Rollouts:
    """Run ``episodes`` episodes of ``horizon`` steps, all starting on the ridge.

    ``policy`` maps ``(on_ridge, reading)`` arrays to actions (a function of the
    state only: it is asked about the ridge and the slope at every step); ``None``
    is the expert.  With ``beta > 0`` each step follows the expert with probability
    ``beta`` and the policy otherwise (DAgger's mixture).  Every step draws the
    same random numbers whatever the policy, so two policies run with one seed
    meet the same bends and the same fog.
    """
    task = _check_task(task)
    policy = _check_policy(policy)
    beta = check_probability(beta, "beta")
    return _walk(task, policy, _draw_steps(task, horizon, episodes, beta, seed))


def _draw_steps(task: FoggyRidge, horizon: Any, episodes: Any, beta: float, seed: Any):
    """The random numbers of ``episodes`` walks, arrays of shape ``(horizon, episodes)`` (a row per step): the
    bend, whether the fog hides it, whether the expert takes the step.  Drawn step by step, in the order in which a
    walk one step at a time draws them (so a seed gives the same walks whichever way they are computed)."""
    horizon = check_count(horizon, "horizon")
    episodes = check_count(episodes, "episodes")
    rng = _rng(seed)
    bend = np.empty((horizon, episodes), dtype=np.int8)
    misread = np.empty((horizon, episodes), dtype=bool)
    take_expert = np.empty((horizon, episodes), dtype=bool)
    for t in range(horizon):
        bend[t] = rng.integers(0, 2, episodes)
        np.less(rng.random(episodes), task.epsilon, out=misread[t])
        np.less(rng.random(episodes), beta, out=take_expert[t])
    return bend, misread, take_expert


def _walk(task: FoggyRidge, policy: Callable | None, steps, *, record: bool = True):
    """Walk the episodes of :func:`_draw_steps`: :class:`Rollouts`, or with ``record=False`` only ``off_ridge``
    (shape ``(horizon, episodes)``)."""
    bend, misread, take_expert = steps
    reading = bend ^ misread
    # What the walker would do on the ridge and on the slope at every step, and whether it is on the ridge after
    # it; walking is then one choice per step, by where the step before ended.
    expert = {True: task.expert_action(True, bend), False: task.expert_action(False, bend)}
    act = expert
    if policy is not None:
        act = {here: np.where(take_expert, expert[here], policy(np.full(bend.shape, here), reading))
               for here in (True, False)}
    after = {here: task.step(here, bend, act[here]) for here in (True, False)}
    on = np.empty(bend.shape, dtype=bool)
    now = np.ones(bend.shape[1], dtype=bool)
    for t in range(bend.shape[0]):
        on[t] = now
        now = np.where(now, after[True][t], after[False][t])
    off_ridge = ~np.where(on, after[True], after[False])
    if not record:
        return off_ridge
    columns = {"on_ridge": on, "reading": reading, "bend": bend, "action": np.where(on, act[True], act[False]),
               "expert_action": np.where(on, expert[True], expert[False]), "off_ridge": off_ridge}
    return Rollouts(**{key: np.ascontiguousarray(value.T, dtype=bool if key in ("on_ridge", "off_ridge") else np.int8)
                       for key, value in columns.items()})


class TabularPolicy:
    """A lookup-table learner: in each state (ridge or slope, marker reading) it does what the expert did most.

    ``counts[s, r, a]`` is how often the expert chose action ``a`` in situation
    ``s`` (0 ridge, 1 slope) with reading ``r``.  In a state it has never seen,
    the table backs off to the reading alone (pooling both situations), as
    n-gram models do; with no data at all it walks left.  Like any classifier,
    it can only answer with actions it has seen in its data.
    """

    def __init__(self, counts: np.ndarray | None = None):
        counts = np.zeros((2, 2, len(ACTIONS)), dtype=np.int64) if counts is None else np.asarray(counts)
        if counts.shape != (2, 2, len(ACTIONS)) or (counts < 0).any():
            raise ValueError(f"counts must be a (2, 2, {len(ACTIONS)}) array of non-negative counts, "
                             f"got shape {counts.shape}.")
        self.counts = counts.astype(np.int64)
        self.table = self._build_table()

    @classmethod
    def fit(cls, on_ridge: np.ndarray, reading: np.ndarray, action: np.ndarray) -> TabularPolicy:
        """Count the expert's actions in each state (flat arrays of equal length)."""
        return cls().updated(on_ridge, reading, action)

    def updated(self, on_ridge: np.ndarray, reading: np.ndarray, action: np.ndarray) -> TabularPolicy:
        """A new policy trained on this one's data plus the new labelled states (DAgger's aggregation)."""
        on_ridge, reading, action = (np.asarray(a).ravel() for a in (on_ridge, reading, action))
        if not len(on_ridge) == len(reading) == len(action):
            raise ValueError("on_ridge, reading and action must have the same length, got "
                             f"{len(on_ridge)}, {len(reading)} and {len(action)}.")
        counts = self.counts.copy()
        np.add.at(counts, ((~on_ridge.astype(bool)).astype(int), reading.astype(int), action.astype(int)), 1)
        return TabularPolicy(counts)

    def _build_table(self) -> np.ndarray:
        table = np.zeros((2, 2), dtype=np.int8)
        for s in range(2):
            for r in range(2):
                for pooled in (self.counts[s, r], self.counts[:, r].sum(0), self.counts.sum((0, 1))):
                    if pooled.sum() > 0:
                        table[s, r] = int(np.argmax(pooled))
                        break
        return table

    def seen(self, on_ridge: bool, reading: int) -> bool:
        """Has the learner seen the expert act in this state?"""
        return bool(self.counts[int(not on_ridge), int(reading)].sum() > 0)

    def __call__(self, on_ridge: np.ndarray, reading: np.ndarray) -> np.ndarray:
        reading = np.asarray(reading)
        if reading.size and (reading.min() < 0 or reading.max() > 1):
            raise ValueError("reading must hold marker readings, 0 (left) or 1 (right).")
        state = (~np.asarray(on_ridge, dtype=bool)).astype(np.int8) * np.int8(2) + reading.astype(np.int8)
        return np.take(self.table.ravel(), state)      # table[situation, reading], on int8 indices

    def action_name(self, on_ridge: bool, reading: int) -> str:
        """The action (a name from :data:`ACTIONS`) the learner takes in one state."""
        reading = check_int(reading, "reading", minimum=0, maximum=1)
        return ACTIONS[int(self.table[int(not on_ridge), reading])]

    def describe(self) -> str:
        """The learned table, one line per state, marking the states the learner never saw."""
        lines = []
        for s, where in enumerate(_SITUATIONS):
            for r, says in enumerate(_READINGS):
                note = "" if self.counts[s, r].sum() else "   (never seen: backs off to the reading)"
                lines.append(f"on the {where:5s}, marker says {says:5s} -> {ACTIONS[self.table[s, r]]}{note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"TabularPolicy({int(self.counts.sum())} labelled states)"


def behaviour_cloning(task: FoggyRidge, *, horizon: int, demonstrations: int = 50, seed: Any = None) -> TabularPolicy:
    """Train a :class:`TabularPolicy` on ``demonstrations`` expert episodes of ``horizon`` steps."""
    demos = rollout(task, None, horizon, demonstrations, seed=seed)
    return TabularPolicy.fit(*demos.dataset())


@dataclass(frozen=True)
class DaggerResult:
    """DAgger's history: the policy trained after each iteration, its mixing weight and dataset size."""

    policies: list[TabularPolicy]
    betas: list[float]
    dataset_sizes: list[int]
    slope_states_seen: list[int] = field(default_factory=list)

    @property
    def policy(self) -> TabularPolicy:
        """The policy after the last iteration."""
        return self.policies[-1]


def dagger(task: FoggyRidge, *, horizon: int, iterations: int = 5, rollouts: int = 50, p: float = 0.5,
           seed: Any = None) -> DaggerResult:
    """DAgger (Ross, Gordon & Bagnell 2011) with a :class:`TabularPolicy` on the foggy ridge.

    Iteration ``i`` runs ``rollouts`` episodes of the mixture that follows the
    expert with probability ``beta_i`` (:func:`beta_schedule`: 1, p, p**2, ...)
    and the current policy otherwise, asks the expert what it would have done
    in every visited state, adds those labelled states to the data set, and
    retrains.  The first iteration (``beta_1 = 1``) is behaviour cloning.
    """
    task = _check_task(task)
    rollouts = check_count(rollouts, "rollouts")
    rng = _rng(seed)
    betas = beta_schedule(iterations, p)
    policy, policies, sizes, slope = TabularPolicy(), [], [], []
    for beta in betas:
        runs = rollout(task, None if beta == 1.0 else policy, horizon, rollouts, beta=beta, seed=rng)
        policy = policy.updated(*runs.dataset())
        policies.append(policy)
        sizes.append(int(policy.counts.sum()))
        slope.append(int(policy.counts[1].sum()))
    return DaggerResult(policies, betas, sizes, slope)


def measured_cost(task: FoggyRidge, policy: Callable | None, horizon: int, *, episodes: int = 10_000,
                  seed: Any = None) -> tuple[float, float]:
    """Mean cost of ``policy`` over ``episodes`` episodes, and its standard error."""
    costs = rollout(task, policy, horizon, episodes, seed=seed).costs
    se = float(costs.std(ddof=1) / np.sqrt(len(costs))) if len(costs) > 1 else 0.0
    return float(costs.mean()), se


def cumulative_cost(task: FoggyRidge, policy: Callable | None, horizon: int, *, episodes: int = 2_000,
                    seed: Any = None) -> np.ndarray:
    """Mean cost accumulated after each of steps ``1..horizon``: the measured cost at every shorter horizon too.

    The policies here do not depend on the time step, so the first ``h`` steps
    of a ``horizon``-step episode are an ``h``-step episode.
    """
    return cumulative_costs(task, {"policy": policy}, horizon, episodes=episodes, seed=seed)["policy"]


def cumulative_costs(task: FoggyRidge, policies: Mapping[str, Callable | None], horizon: int, *,
                     episodes: int = 2_000, seed: Any = None) -> dict[str, np.ndarray]:
    """:func:`cumulative_cost` of several policies on the same episodes (one seed), by name: the same numbers as
    one call per policy, for the cost of drawing the bends and the fog once."""
    task = _check_task(task)
    if not isinstance(policies, Mapping) or not policies:
        raise TypeError(f"policies must be a dict {{name: policy}}, got {_show(policies)}.")
    policies = {name: _check_policy(policy) for name, policy in policies.items()}
    steps = _draw_steps(task, horizon, episodes, 0.0, seed)
    # costs summed over the episodes, then accumulated over the steps: exact counts, divided once
    return {name: np.cumsum(_walk(task, policy, steps, record=False).sum(axis=1)) / steps[0].shape[1]
            for name, policy in policies.items()}


def per_step_error(task: FoggyRidge, policy: Callable, horizon: int, *, on: str = "expert", episodes: int = 2_000,
                   seed: Any = None) -> float:
    """How often ``policy`` disagrees with the expert, on the states the expert visits or on its own.

    ``on="expert"`` runs the expert and asks the policy what it would do in each
    state (the error the learner was trained to make small); ``on="learner"``
    runs the policy itself (the states it actually meets).
    """
    if on not in ("expert", "learner"):
        raise ValueError(f"on must be 'expert' or 'learner', got {_show(on)}.")
    policy = _check_policy(policy)
    if policy is None:
        raise TypeError("policy must be a learner, not None (the expert never disagrees with itself).")
    runs = rollout(task, None if on == "expert" else policy, horizon, episodes, seed=seed)
    return float(np.mean(policy(runs.on_ridge, runs.reading) != runs.expert_action))


@dataclass(frozen=True)
class CostComparison:
    """Measured and analytic costs of behaviour cloning and DAgger at several horizons."""

    epsilon: float
    horizons: list[int]
    bc_measured: list[float]
    bc_se: list[float]
    dagger_measured: list[float]
    dagger_se: list[float]
    bc_analytic: list[float]
    dagger_analytic: list[float]

    def ratios(self, horizon: int) -> tuple[float, float]:
        """``(measured, analytic)`` ratio of BC's cost to DAgger's at one of the horizons."""
        if horizon not in self.horizons:
            raise ValueError(f"horizon must be one of {self.horizons}, got {_show(horizon)}.")
        i = self.horizons.index(horizon)
        return self.bc_measured[i] / self.dagger_measured[i], self.bc_analytic[i] / self.dagger_analytic[i]

    def rows(self) -> list[dict[str, float]]:
        """One dict per horizon (for printing or a DataFrame)."""
        return [{"T": T, "BC measured": b, "BC analytic": ba, "DAgger measured": d, "DAgger analytic": da}
                for T, b, ba, d, da in zip(self.horizons, self.bc_measured, self.bc_analytic,
                                           self.dagger_measured, self.dagger_analytic)]


def compare_costs(epsilon: float = 0.01, horizons: Sequence[int] = (25, 50, 100, 200), *, episodes: int = 20_000,
                  demonstrations: int = 50, iterations: int = 5, rollouts: int = 50, p: float = 0.5,
                  seed: int = 0) -> CostComparison:
    """Train BC and DAgger at each horizon on :class:`FoggyRidge`, measure their costs, and add the analysis.

    Both learners are evaluated on the same ``episodes`` episodes (same bends,
    same fog) at each horizon.
    """
    task = FoggyRidge(epsilon)
    seed = check_seed(seed)
    if isinstance(horizons, (str, bytes)) or not isinstance(horizons, Sequence) or not horizons:
        raise TypeError(f"horizons must be a non-empty list of whole numbers, got {_show(horizons)}.")
    horizons = [check_count(h, "horizons[]") for h in horizons]
    columns: dict[str, list[float]] = {k: [] for k in ("bm", "bs", "dm", "ds")}
    for i, T in enumerate(horizons):
        bc = behaviour_cloning(task, horizon=T, demonstrations=demonstrations, seed=seed * 1000 + 3 * i)
        dg = dagger(task, horizon=T, iterations=iterations, rollouts=rollouts, p=p, seed=seed * 1000 + 3 * i + 1)
        for key, policy in (("b", bc), ("d", dg.policy)):
            mean, se = measured_cost(task, policy, T, episodes=episodes, seed=seed * 1000 + 3 * i + 2)
            columns[key + "m"].append(mean)
            columns[key + "s"].append(se)
    return CostComparison(task.epsilon, horizons, columns["bm"], columns["bs"], columns["dm"], columns["ds"],
                          [bc_expected_cost(task.epsilon, T) for T in horizons],
                          [dagger_expected_cost(task.epsilon, T) for T in horizons])


def plot_costs(epsilon: float, horizon: int, measured: dict[str, tuple] | None = None, ax=None):
    """Cost against horizon on log-log axes: the analytic BC and DAgger curves up to ``horizon``, and points.

    ``measured`` maps ``"BC"``/``"DAgger"`` to ``(horizons, means)`` or
    ``(horizons, means, standard_errors)``, drawn as markers.  Returns the axes.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    epsilon = _check_epsilon(epsilon)
    horizon = check_count(horizon, "horizon")
    if ax is None:
        _, ax = plt.subplots()
    T = np.unique(np.geomspace(1, horizon, 200).round().astype(int))
    ax.plot(T, [bc_expected_cost(epsilon, h) for h in T], color=COLORS["bc"], lw=1.5,
            label=r"BC analysis $\sum_t [1-(1-\varepsilon)^t]$")
    ax.plot(T, epsilon * T, color=COLORS["dagger"], lw=1.5, label=r"DAgger analysis $\varepsilon T$")
    for name, points in (measured or {}).items():
        if name not in ("BC", "DAgger"):
            raise KeyError(f"measured: unknown curve {name!r}; the known curves are BC, DAgger.")
        hs, means, *se = points
        color = COLORS["bc"] if name == "BC" else COLORS["dagger"]
        ax.errorbar(hs, means, yerr=se[0] if se else None, fmt="o", ms=5, color=color, capsize=2,
                    label=f"{name} measured")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("horizon T (steps)")
    ax.set_ylabel("expected cost (steps off the ridge)")
    ax.set_title(f"per-step error $\\varepsilon$ = {epsilon:g}")
    ax.legend(fontsize=8, loc="upper left")
    return ax


# --------------------------------------------------------------------------------------------------
# The counting sequence: a tiny autoregressive model
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CountingData:
    """Training examples for the counting model: a context and the expert's next digit.

    The context is the start digit (the prompt), the position being written
    (1..length), and the digit written just before it.  The expert's digit at
    position ``t`` is always ``(start + t) % modulus``.
    """

    start: np.ndarray
    position: np.ndarray
    last: np.ndarray
    target: np.ndarray

    def __len__(self) -> int:
        return len(self.target)

    def __add__(self, other: CountingData) -> CountingData:
        if not isinstance(other, CountingData):
            return NotImplemented
        return CountingData(*(np.concatenate([a, b]) for a, b in zip(self._arrays(), other._arrays())))

    def _arrays(self):
        return self.start, self.position, self.last, self.target

    def off_path_fraction(self, modulus: int = 10) -> float:
        """Share of contexts whose last digit is not the expert's (the model had slipped)."""
        return float(np.mean(self.last != (self.start + self.position - 1) % modulus))


def _expert_labels(start: np.ndarray, tokens: np.ndarray, modulus: int) -> CountingData:
    """Every position of some written sequences, labelled with the expert's digit."""
    n, length = tokens.shape
    position = np.tile(np.arange(1, length + 1), n)
    starts = np.repeat(start, length)
    last = np.concatenate([start[:, None], tokens[:, :-1]], axis=1).ravel()
    return CountingData(starts, position, last, (starts + position) % modulus)


def counting_demonstrations(sequences: int, *, length: int = 40, modulus: int = 10, slips: float = 0.0,
                            seed: Any = None) -> CountingData:
    """The expert's sequences ``start, start+1, start+2, ...`` (mod ``modulus``), from random starts.

    With ``slips > 0`` the demonstrator sometimes slips: in that share of the
    contexts the digit written last is a random wrong one, and the next digit
    is still the right one (the demonstrator recovers at once).  Such noisy
    demonstrations show states off the path, as DART's noise injection does.
    """
    sequences = check_count(sequences, "sequences")
    length = check_count(length, "length")
    modulus = check_int(modulus, "modulus", minimum=2)
    slips = check_probability(slips, "slips")
    rng = _rng(seed)
    start = rng.integers(0, modulus, sequences)
    tokens = (start[:, None] + np.arange(1, length + 1)[None, :]) % modulus
    data = _expert_labels(start, tokens, modulus)
    if slips > 0:
        slipped = rng.random(len(data)) < slips
        wrong = (data.last + rng.integers(1, modulus, len(data))) % modulus
        data = CountingData(data.start, data.position, np.where(slipped, wrong, data.last), data.target)
    return data


class CountingModel:
    """A tiny autoregressive model: (start digit, position, last digit written) -> next digit.

    The three inputs are one-hot coded and feed a one-hidden-layer network
    (torch).  It is trained with label smoothing chosen so that, when it fits
    its data, it puts probability ``epsilon`` on wrong digits: sampling from it
    then slips with probability about ``epsilon`` per step, as sampling from a
    language model occasionally picks an unlikely token.
    """

    def __init__(self, *, modulus: int = 10, length: int = 40, hidden: int = 64, epsilon: float = 0.05,
                 seed: int = 0):
        import torch

        self.modulus = check_int(modulus, "modulus", minimum=2)
        self.length = check_count(length, "length")
        self.hidden = check_count(hidden, "hidden")
        self.epsilon = _check_epsilon(epsilon, below_half=True)
        torch.manual_seed(check_seed(seed))
        m, n_in = self.modulus, 2 * self.modulus + self.length
        self.net = torch.nn.Sequential(torch.nn.Linear(n_in, self.hidden), torch.nn.ReLU(),
                                       torch.nn.Linear(self.hidden, m))

    def _inputs(self, start, position, last):
        import torch
        import torch.nn.functional as F

        start, position, last = (torch.as_tensor(np.asarray(a), dtype=torch.long) for a in (start, position, last))
        if position.numel() and (int(position.min()) < 1 or int(position.max()) > self.length):
            raise ValueError(f"position must lie in 1..{self.length}, got {int(position.min())}.."
                             f"{int(position.max())}.")
        for name, digits in (("start", start), ("last", last)):
            if digits.numel() and (int(digits.min()) < 0 or int(digits.max()) >= self.modulus):
                raise ValueError(f"{name} must hold digits 0..{self.modulus - 1}.")
        return torch.cat([F.one_hot(start, self.modulus), F.one_hot(position - 1, self.length),
                          F.one_hot(last, self.modulus)], dim=1).float()

    def fit(self, data: CountingData, *, steps: int = 600, batch_size: int = 512, learning_rate: float = 0.01,
            seed: int = 0) -> float:
        """Train (or keep training) on ``data`` with Adam; returns the last batch's loss."""
        import torch

        if not isinstance(data, CountingData):
            raise TypeError(f"data must be CountingData, got {_show(data)} ({type(data).__name__}).")
        steps = check_count(steps, "steps")
        batch_size = check_count(batch_size, "batch_size")
        learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
        x = self._inputs(data.start, data.position, data.last)
        y = torch.as_tensor(data.target, dtype=torch.long)
        generator = torch.Generator().manual_seed(check_seed(seed))
        smoothing = self.epsilon * self.modulus / (self.modulus - 1)
        loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)
        optimizer = torch.optim.Adam(self.net.parameters(), lr=learning_rate)
        for _ in range(steps):
            idx = torch.randint(0, len(y), (batch_size,), generator=generator)
            loss = loss_fn(self.net(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return float(loss.detach())

    def probabilities(self, start, position, last) -> np.ndarray:
        """The model's distribution over the next digit, one row per context."""
        import torch

        with torch.no_grad():
            return torch.softmax(self.net(self._inputs(start, position, last)), dim=1).double().numpy()

    def generate(self, sequences: int, *, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Write ``sequences`` sequences from random starts, each digit sampled given the model's own last one.

        Returns ``(start, tokens)`` with ``tokens`` of shape ``(sequences, length)``.
        """
        sequences = check_count(sequences, "sequences")
        rng = _rng(seed)
        start = rng.integers(0, self.modulus, sequences)
        tokens = np.zeros((sequences, self.length), dtype=np.int64)
        last = start.copy()
        for t in range(1, self.length + 1):
            probs = self.probabilities(start, np.full(sequences, t), last)
            cdf = np.cumsum(probs, axis=1)
            draw = rng.random(sequences)[:, None] * cdf[:, -1:]
            last = np.minimum((draw > cdf).sum(axis=1), self.modulus - 1)
            tokens[:, t - 1] = last
        return start, tokens

    def slip_rate(self) -> float:
        """The model's mean probability of a wrong digit on the expert's own contexts (its epsilon)."""
        start = np.repeat(np.arange(self.modulus), self.length)
        position = np.tile(np.arange(1, self.length + 1), self.modulus)
        probs = self.probabilities(start, position, (start + position - 1) % self.modulus)
        return float(1.0 - probs[np.arange(len(start)), (start + position) % self.modulus].mean())

    def copy(self) -> CountingModel:
        """An independent copy (to fine-tune without changing this one)."""
        return copy.deepcopy(self)


def _check_model(model: Any) -> CountingModel:
    if not isinstance(model, CountingModel):
        raise TypeError(f"model must be a CountingModel, got {_show(model)} ({type(model).__name__}).")
    return model


def position_error_rate(model: CountingModel, *, sequences: int = 2_000, seed: Any = None) -> np.ndarray:
    """Share of generated sequences whose digit at each position differs from the expert's (positions 1..length).

    The expert's digit does not depend on what the model wrote before, so this
    is also how often the model disagrees with the expert shown its own prefix.
    """
    model = _check_model(model)
    start, tokens = model.generate(sequences, seed=seed)
    expert = (start[:, None] + np.arange(1, model.length + 1)[None, :]) % model.modulus
    return (tokens != expert).mean(axis=0)


def sequence_dagger(model: CountingModel, demonstrations: CountingData, *, rounds: int = 2, sequences: int = 500,
                    steps: int = 600, seed: int = 0) -> list[CountingModel]:
    """DAgger for the counting model: write, let the expert label every position, aggregate, fine-tune.

    Each round generates ``sequences`` sequences with the current model alone
    (``beta = 0`` after the expert-only first iteration, which is the model's
    training on ``demonstrations``), labels every position with the expert's
    digit, adds them to the data, and fine-tunes a copy on everything so far.
    Returns the model after each round; ``model`` itself is not changed.
    """
    model = _check_model(model)
    if not isinstance(demonstrations, CountingData):
        raise TypeError(f"demonstrations must be CountingData, got {_show(demonstrations)}.")
    rounds = check_count(rounds, "rounds")
    sequences = check_count(sequences, "sequences")
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    data, current, models = demonstrations, model, []
    for i in range(rounds):
        start, tokens = current.generate(sequences, seed=rng)
        data = data + _expert_labels(start, tokens, model.modulus)
        current = current.copy()
        current.fit(data, steps=steps, seed=seed + i + 1)
        models.append(current)
    return models


def reliance_on_last_digit(model: CountingModel) -> dict[str, float]:
    """An intervention on the model's input: set the last digit off the path and see whom the model follows.

    For every start and position, the last digit is set to each wrong value in
    turn.  Returns the share of these contexts in which the model's most likely
    next digit continues from the digit it was given (``"last digit"``) or
    returns to the expert's path (``"start and position"``).
    """
    model = _check_model(model)
    m, length = model.modulus, model.length
    start, position, shift = (a.ravel() for a in np.meshgrid(np.arange(m), np.arange(1, length + 1),
                                                              np.arange(1, m), indexing="ij"))
    last = (start + position - 1 + shift) % m  # never the expert's digit
    best = model.probabilities(start, position, last).argmax(axis=1)
    return {"last digit": float(np.mean(best == (last + 1) % m)),
            "start and position": float(np.mean(best == (start + position) % m))}


def plot_position_errors(curves: dict[str, np.ndarray], predictions: dict[str, np.ndarray] | None = None, ax=None):
    """Error rate against position: measured ``curves`` as coloured lines, chain ``predictions`` in black, dashed.

    Both map a label to an array of rates for positions ``1..length``.  Returns the axes.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    if ax is None:
        _, ax = plt.subplots()
    palette = [COLORS["bc"], COLORS["dagger"], COLORS["blue"], COLORS["purple"]]
    for i, (label, rates) in enumerate(curves.items()):
        rates = np.asarray(rates, dtype=float)
        ax.plot(np.arange(1, len(rates) + 1), rates, color=palette[i % len(palette)], lw=1.8, label=label)
    for i, (label, rates) in enumerate((predictions or {}).items()):
        rates = np.asarray(rates, dtype=float)
        ax.plot(np.arange(1, len(rates) + 1), rates, color=COLORS["analytic"], lw=1.2, ls=("--", ":")[i % 2],
                label=label, zorder=3)
    ax.set_ylim(0, 1)
    ax.set_xlabel("position in the sequence")
    ax.set_ylabel("share of wrong digits")
    ax.legend(fontsize=8, loc="upper left")
    return ax
