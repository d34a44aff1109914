"""Pearl's ladder of causation on one model: seeing, doing and imagining (lesson 01).

The running example is a confounded tutoring study::

    Z (motivation) -> X (hours of tutoring) -> Y (exam score),   Z -> Y

Motivated students both take more tutoring and score higher, so the
observational slope of Y on X overstates the effect of tutoring.

>>> scm = tutoring_scm(confounding=1.0, effect=0.5)
>>> round(scm.observational_slope("X", "Y"), 3), scm.total_effect("X", "Y")
(1.0, 0.5)
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from ._validate import check_count, check_known, check_real, check_seed
from .graphs import as_dag
from .scm import LinearGaussianSCM

__all__ = [
    "tutoring_scm",
    "regression_slope",
    "compare_rungs",
    "backdoor_adjustment",
    "is_backdoor_set",
    "confounding_bias",
]


def tutoring_scm(confounding: float = 1.0, effect: float = 0.5, noise_std: float = 1.0, *,
                 motivation_effect: float = 1.0) -> LinearGaussianSCM:
    """The lesson's model: Z -> X with weight ``confounding``, Z -> Y with weight ``motivation_effect`` (1),
    X -> Y with weight ``effect``."""
    confounding = check_real(confounding, "confounding")
    effect = check_real(effect, "effect")
    motivation_effect = check_real(motivation_effect, "motivation_effect")
    return LinearGaussianSCM({("Z", "X"): confounding, ("Z", "Y"): motivation_effect, ("X", "Y"): effect},
                             noise_std=noise_std, variables=["Z", "X", "Y"])


def confounding_bias(confounding: float, motivation_effect: float = 1.0) -> float:
    """Exact observational slope minus true effect in :func:`tutoring_scm` (unit noise): c a / (a^2 + 1).

    With Z -> X weight a and Z -> Y weight c, Var(X) = a^2 + 1 and
    Cov(X, Y) = effect * Var(X) + c a, so the slope is effect + c a / (a^2 + 1),
    whatever the effect.  |a / (a^2 + 1)| is at most 1/2 (at a = +-1), so the bias
    is never larger in size than c / 2.

    >>> confounding_bias(1.0), confounding_bias(-1.0), confounding_bias(2.0)
    (0.5, -0.5, 0.4)
    """
    a = check_real(confounding, "confounding")
    c = check_real(motivation_effect, "motivation_effect")
    return c * a / (a * a + 1.0)


def regression_slope(x: Iterable[float], y: Iterable[float]) -> float:
    """Least-squares slope of ``y`` on ``x`` (with an intercept) from samples."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D and the same length, got shapes {x.shape} and {y.shape}.")
    if len(x) < 2:
        raise ValueError("x and y need at least 2 points to fit a slope.")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must contain only finite numbers (no NaN or infinity).")
    xc = x - x.mean()
    var = float(xc @ xc)
    if var == 0:
        raise ValueError("x does not vary, so no slope can be fitted.")
    return float(xc @ (y - y.mean()) / var)


def compare_rungs(scm: LinearGaussianSCM, x: str = "X", y: str = "Y", *, n: int = 2000,
                  seed: int | None = 0) -> dict[str, float]:
    """Seeing vs doing for one model: the slope of ``y`` on ``x`` in observational data and under do(x).

    Returns the observational slope from ``n`` samples and exactly, and the
    interventional slope from ``n`` samples of experiments in which x is *set*
    (to one of 5 values spread over its observed range, n/5 units each) and
    exactly (the total effect).
    """
    check_known(x, scm.variables, "x")
    check_known(y, scm.variables, "y")
    n = check_count(n, "n")
    if n < 10:
        raise ValueError(f"n must be at least 10 (2 units for each of 5 settings), got {n}.")
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    seen = scm.sample(n, seed=int(rng.integers(2**31)))
    spread = float(seen[x].std()) or 1.0
    settings, outcomes = [], []
    for value, size in zip(np.linspace(-2 * spread, 2 * spread, 5), np.diff(np.linspace(0, n, 6).astype(int))):
        rows = scm.do({x: float(value)}).sample(int(size), seed=int(rng.integers(2**31)))
        settings.append(rows[x].to_numpy())
        outcomes.append(rows[y].to_numpy())
    return {
        "observational_sample": regression_slope(seen[x], seen[y]),
        "observational_exact": scm.observational_slope(x, y),
        "interventional_sample": regression_slope(np.concatenate(settings), np.concatenate(outcomes)),
        "interventional_exact": scm.total_effect(x, y),
    }


def backdoor_adjustment(data: pd.DataFrame, x: str, y: str, adjust: Iterable[str], *, x_value, y_value) -> float:
    """P(y = y_value | do(x = x_value)) by the adjustment formula sum_z P(y | x, z) P(z), from a table of samples.

    ``data`` holds discrete columns; ``adjust`` is a valid backdoor set.  Strata in
    which x never takes ``x_value`` make the formula undefined and raise an error.
    """
    adjust = list(adjust)
    for name in [x, y, *adjust]:
        check_known(name, list(data.columns), "data column")
    if not adjust:
        rows = data[data[x] == x_value]
        if rows.empty:
            raise ValueError(f"no rows with {x} = {x_value!r}.")
        return float((rows[y] == y_value).mean())
    total = 0.0
    for z, stratum in data.groupby(adjust, observed=True):
        treated = stratum[stratum[x] == x_value]
        if treated.empty:
            raise ValueError(f"no rows with {x} = {x_value!r} in the stratum {dict(zip(adjust, np.atleast_1d(z)))}; "
                             "the adjustment formula needs every stratum to contain both treatments.")
        total += float((treated[y] == y_value).mean()) * len(stratum) / len(data)
    return total


def is_backdoor_set(graph: nx.DiGraph, x: str, y: str, adjust: Iterable[str]) -> bool:
    """Does ``adjust`` satisfy Pearl's backdoor criterion for the effect of ``x`` on ``y``?

    (i) no member is a descendant of x; (ii) it blocks every path from x to y that
    starts with an arrow into x (d-separation of x and y once x's outgoing edges are removed).
    """
    graph = as_dag(graph, name="graph")
    check_known(x, list(graph.nodes), "x")
    check_known(y, list(graph.nodes), "y")
    adjust = set(adjust)
    for z in adjust:
        check_known(z, list(graph.nodes), "adjust")
    if x in adjust or y in adjust:
        return False
    if adjust & nx.descendants(graph, x):
        return False
    cut = graph.copy()
    cut.remove_edges_from(list(graph.out_edges(x)))
    return nx.is_d_separator(cut, {x}, {y}, adjust)
