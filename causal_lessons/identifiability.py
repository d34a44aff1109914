"""What observations alone identify once an assumption is added: equal noise variances (lesson 03).

Lesson 02 shows that, with linear-Gaussian mechanisms and no further
assumption, observations identify a causal graph only up to its Markov
equivalence class.  One extra assumption changes that: if every noise term has
the **same variance**, the whole DAG is identifiable from the observational
distribution (Peters & Bühlmann 2014, Biometrika 101: 219-228).  Non-Gaussian
noise is another such assumption (LiNGAM; Shimizu et al. 2006).

The causal DAG game of lesson 03 meets the equal-variance assumption (every
noise term has standard deviation 0.1), so a learner that only watches, and
knows that, can recover the graph.  :func:`equal_variance_order` is the
top-down method of Chen, Drton & Wang (2019, Biometrika 106: 973-980): the
variable with the smallest variance comes first, then, again and again, the
variable with the smallest variance *given those already chosen*.  With equal
noise variances a variable whose parents are all chosen has conditional
variance exactly sigma^2, and any other has more, so in the population the
order is a causal order.  :func:`regress_on_order` then reads the weights off
regressions on the earlier variables, and :func:`recovery_study` measures how
often this works on the game's episodes, for a sample size and a spread of
noise scales.

>>> w = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, -1.0], [0.0, 0.0, 0.0]])   # A -> B -> C
>>> data = observe(w, 2000, seed=0)
>>> order = equal_variance_order(data)
>>> order.tolist(), order_fits(order, w)
([0, 1, 2], True)
>>> np.round(regress_on_order(data, order)).tolist()
[[0.0, 1.0, 0.0], [0.0, 0.0, -1.0], [0.0, 0.0, 0.0]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import check_count, check_positive, check_real, check_seed
from .game import GameSpec, batch_total_effects, sample_tasks
from .strategies import exact_choices

__all__ = ["observe", "equal_variance_order", "order_fits", "regress_on_order", "RecoveryStudy", "recovery_study"]


def _as_weights(weights: Any) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim not in (2, 3) or w.shape[-1] != w.shape[-2] or not np.all(np.isfinite(w)):
        raise ValueError(f"weights must be a square weight matrix (n, n) or a stack of them (B, n, n) of finite "
                         f"numbers, got shape {w.shape}.")
    return w


def observe(weights: Any, n_samples: int, *, noise_std: Any = 0.1, seed: int | None = None) -> np.ndarray:
    """Observational samples of linear-Gaussian SCMs: ``X = X W + U``, so ``X = U (I - W)^-1``.

    ``weights``: one (n, n) DAG weight matrix (``w[i, j]``: edge i -> j) or a
    stack (B, n, n); ``noise_std``: one scale, one per variable (n,), or one per
    episode and variable (B, n).  Returns (n_samples, n) or (B, n_samples, n).
    """
    w = _as_weights(weights)
    n_samples = check_count(n_samples, "n_samples")
    rng = np.random.default_rng(check_seed(seed))
    stack = w if w.ndim == 3 else w[None]
    b, n = stack.shape[0], stack.shape[-1]
    try:
        scale = np.broadcast_to(np.asarray(noise_std, dtype=float), (b, n)) if np.ndim(noise_std) < 2 \
            else np.asarray(noise_std, dtype=float).reshape(b, n)
    except ValueError:
        raise ValueError(f"noise_std must be one number, one per variable ({n}) or one per episode and variable "
                         f"({b}, {n}), got shape {np.shape(noise_std)}.") from None
    if not np.all(np.isfinite(scale) & (scale > 0)):
        raise ValueError("noise_std must be positive and finite.")
    noise = rng.standard_normal((b, n_samples, n)) * scale[:, None, :]
    values = noise @ batch_total_effects(stack)          # (I - W)^-1 = I + W + W^2 + ... (W is nilpotent)
    return values if w.ndim == 3 else values[0]


def _covariances(data: Any, covariance: bool = False) -> np.ndarray:
    if covariance:
        c = np.asarray(data, dtype=float)
        if c.ndim not in (2, 3) or c.shape[-1] != c.shape[-2] or not np.all(np.isfinite(c)):
            raise ValueError(f"with covariance=True, data must be a covariance matrix (n, n) or a stack (B, n, n) of "
                             f"finite numbers, got shape {c.shape}.")
        return c
    x = np.asarray(data, dtype=float)
    if x.ndim not in (2, 3) or x.shape[-2] < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"data must be samples (n_samples, n) or a stack (B, n_samples, n) of finite numbers with "
                         f"at least 2 samples, got shape {x.shape}.")
    centred = x - x.mean(axis=-2, keepdims=True)
    return np.swapaxes(centred, -1, -2) @ centred / x.shape[-2]


def equal_variance_order(data: Any, *, covariance: bool = False) -> np.ndarray:
    """A causal order from observations alone, assuming equal noise variances (top-down, Chen et al. 2019).

    ``data``: samples (n_samples, n), or a stack (B, n_samples, n); with
    ``covariance=True``, covariance matrices (n, n) or (B, n, n) instead (the
    population's, for infinite data).  At each step
    the variable with the smallest variance given the variables already chosen is
    chosen next (conditioning is done on the sample covariance, one variable at a
    time).  Returns the order as variable indices, (n,) or (B, n).
    """
    cov = _covariances(data, covariance)
    stack = cov if cov.ndim == 3 else cov[None]
    b, n = stack.shape[0], stack.shape[-1]
    left = stack.copy()
    rows = np.arange(b)
    chosen = np.zeros((b, n), dtype=bool)
    order = np.zeros((b, n), dtype=np.int64)
    for step in range(n):
        variance = np.where(chosen, np.inf, np.diagonal(left, axis1=1, axis2=2))
        pick = variance.argmin(axis=1)
        order[:, step] = pick
        chosen[rows, pick] = True
        pivot = np.maximum(left[rows, pick, pick], 1e-300)[:, None, None]
        column = left[rows, :, pick][:, :, None]
        left = left - column @ np.swapaxes(column, 1, 2) / pivot      # condition on the chosen variable
    return order if cov.ndim == 3 else order[0]


def order_fits(order: Any, weights: Any) -> Any:
    """Does every edge of ``weights`` point from earlier to later in ``order``?  (bool, or (B,) bools)."""
    w = _as_weights(weights)
    o = np.asarray(order, dtype=np.int64)
    if o.shape != w.shape[:-1] or not np.array_equal(np.sort(o, axis=-1), np.broadcast_to(np.arange(w.shape[-1]), o.shape)):
        raise ValueError(f"order must be a permutation of the {w.shape[-1]} variables for each weight matrix, "
                         f"got shape {o.shape} for weights of shape {w.shape}.")
    position = np.argsort(o, axis=-1)
    forward = position[..., :, None] < position[..., None, :]
    fits = ~((w != 0) & ~forward).any(axis=(-1, -2))
    return bool(fits) if w.ndim == 2 else fits


def regress_on_order(data: Any, order: Any, *, covariance: bool = False) -> np.ndarray:
    """Weights read off least-squares regressions of each variable on the variables before it in ``order``.

    ``data`` as in :func:`equal_variance_order`.  Returns a weight matrix (n, n), or a stack (B, n, n) for a
    stack of data and orders.
    """
    cov = _covariances(data, covariance)
    stack = cov if cov.ndim == 3 else cov[None]
    o = np.asarray(order, dtype=np.int64).reshape(stack.shape[0], -1)
    b, n = stack.shape[0], stack.shape[-1]
    rows = np.arange(b)
    w = np.zeros((b, n, n))
    for t in range(1, n):
        before, child = o[:, :t], o[:, t]
        s_pp = stack[rows[:, None, None], before[:, :, None], before[:, None, :]]
        s_pc = stack[rows[:, None], before, child[:, None]]
        coef = (np.linalg.pinv(s_pp) @ s_pc[..., None])[..., 0]
        w[rows[:, None], before, child[:, None]] = coef
    return w if cov.ndim == 3 else w[0]


@dataclass(frozen=True)
class RecoveryStudy:
    """How often an equal-variance learner that only watches recovers the game's graphs (:func:`recovery_study`).

    Every share is over ``n_episodes`` episodes: ``order`` (the order found is a
    causal order of the true graph), ``graph`` (every weight, rounded to the
    nearest game weight, is the true one) and ``exploit`` (the exploit that the
    recovered graph's total effects suggest is worth as much as the best one);
    ``divergent_exploit`` is that share over the ``n_divergent`` divergent
    episodes, where the associational choice with infinite data is worse
    (:func:`~causal_lessons.strategies.exact_choices`).
    """

    n_episodes: int
    n_samples: int | None
    noise_ratio: float
    order: float
    graph: float
    exploit: float
    n_divergent: int
    divergent_exploit: float


def recovery_study(n_episodes: int = 1000, n_samples: int | None = 100, *, noise_ratio: float = 1.0,
                   game: GameSpec | None = None, seed: int | None = 0) -> RecoveryStudy:
    """Watch ``n_samples`` observations of each of ``n_episodes`` game episodes; recover order, graph, exploit.

    ``n_samples=None`` gives the watcher infinite data (the exact covariance of each episode).
    ``noise_ratio`` r = 1 keeps the game's equal noise scales (``game.noise_std``);
    r > 1 draws each variable's scale log-uniformly between noise_std / r and
    noise_std * r, breaking the assumption the learner relies on.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    game = GameSpec() if game is None else game
    if n_samples is not None:
        n_samples = check_count(n_samples, "n_samples")
        if n_samples <= game.n_vars:
            raise ValueError(f"n_samples must exceed the number of variables ({game.n_vars}) for the regressions, "
                             f"got {n_samples}.")
    ratio = check_real(noise_ratio, "noise_ratio", minimum=1.0)
    rng = np.random.default_rng(check_seed(seed))
    tasks = sample_tasks(n_episodes, game=game, rng=rng)
    scale = check_positive(game.noise_std, "noise_std") * ratio ** rng.uniform(-1.0, 1.0, (n_episodes, game.n_vars))
    if n_samples is None:
        total = batch_total_effects(tasks.weights)
        data = np.swapaxes(total, 1, 2) @ (total * scale[:, :, None] ** 2)      # T' diag(scale^2) T
    else:
        data = observe(tasks.weights, n_samples, noise_std=scale, seed=int(rng.integers(2**31)))
    exact = n_samples is None
    order = equal_variance_order(data, covariance=exact)
    found = regress_on_order(data, order, covariance=exact)
    values = np.asarray(game.weights)
    rounded = values[np.abs(found[..., None] - values).argmin(axis=-1)]
    rows, goal = np.arange(n_episodes), tasks.goal
    truth = tasks.total_effects[rows, :, goal]
    guess = batch_total_effects(rounded)[rows, :, goal]
    is_goal = np.arange(game.n_vars) == goal[:, None]
    pick = np.where(is_goal, -1.0, np.abs(guess)).argmax(axis=1)
    worth = np.where(guess[rows, pick] < 0, -1.0, 1.0) * truth[rows, pick]
    best = np.where(is_goal, 0.0, np.abs(truth)).max(axis=1)
    right = worth >= best - 1e-9
    divergent = exact_choices(total_effects=tasks.total_effects, goal=goal, allowed=tasks.allowed).divergent
    return RecoveryStudy(
        n_episodes=n_episodes, n_samples=n_samples, noise_ratio=ratio,
        order=float(np.mean(order_fits(order, tasks.weights))),
        graph=float(np.mean(np.all(rounded == tasks.weights, axis=(1, 2)))),
        exploit=float(np.mean(right)),
        n_divergent=int(divergent.sum()),
        divergent_exploit=float(np.mean(right[divergent])) if divergent.any() else float("nan"),
    )
