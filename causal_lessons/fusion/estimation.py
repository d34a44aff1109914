"""Fusion for effect estimation: a large confounded observational study plus a small randomized trial.

The world (:func:`fusion_scm`): a treatment dose T, an outcome Y, a measured
covariate Z and an unmeasured U.  Four estimators of the effect of T on Y
(:data:`ESTIMATORS`) are simulated on many pairs of studies
(:func:`simulate_estimators`) and compared by bias, spread and RMSE
(:func:`summarize_estimates`, :func:`compare_estimators`).  Matplotlib is
imported inside the figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validate import check_int, check_known, check_real, check_seed
from ..scm import LinearGaussianSCM

__all__ = [
    "ESTIMATORS",
    "fusion_scm",
    "regression_coefficient",
    "ols_effect",
    "combine_estimates",
    "simulate_estimators",
    "summarize_estimates",
    "compare_estimators",
    "plot_estimator_errors",
]


#: The four estimators compared in lesson 08, in display order.
ESTIMATORS = ("trial", "naive", "adjusted", "combined")


def fusion_scm(confounding: float = 1.0, *, effect: float = 1.0, randomized: bool = False) -> LinearGaussianSCM:
    """The world of the estimation example: treatment dose T, outcome Y, measured covariate Z, unmeasured U.

    ``Z -> T``, ``Z -> Y`` with weight 1; ``U -> T``, ``U -> Y`` with weight
    ``confounding``; ``T -> Y`` with weight ``effect``; unit noise everywhere.
    With ``randomized=True`` the dose is assigned at random (T has no parents):
    the randomized trial.
    """
    confounding = check_real(confounding, "confounding")
    effect = check_real(effect, "effect")
    edges = {("Z", "Y"): 1.0, ("U", "Y"): confounding, ("T", "Y"): effect}
    if not randomized:
        edges.update({("Z", "T"): 1.0, ("U", "T"): confounding})
    return LinearGaussianSCM(edges, noise_std=1.0, variables=["U", "Z", "T", "Y"])


def regression_coefficient(scm: LinearGaussianSCM, outcome: str, treatment: str, adjust: Iterable[str] = ()) -> float:
    """The coefficient of ``treatment`` in the least-squares regression of ``outcome`` on ``treatment`` and ``adjust``.

    Exact, from the model's covariance: what the regression estimate tends to with unlimited data.
    """
    if not isinstance(scm, LinearGaussianSCM):
        raise TypeError(f"scm must be a LinearGaussianSCM, got {type(scm).__name__}.")
    names = scm.variables
    check_known(outcome, names, "outcome")
    check_known(treatment, names, "treatment")
    adjust = [adjust] if isinstance(adjust, str) else list(adjust)
    for a in adjust:
        check_known(a, names, "adjust")
    regressors = [treatment] + [a for a in adjust if a != treatment]
    cov = scm.covariance()
    sxx = cov.loc[regressors, regressors].to_numpy()
    sxy = cov.loc[regressors, outcome].to_numpy()
    if abs(np.linalg.det(sxx)) < 1e-12:
        raise ValueError(f"the regressors {regressors} are perfectly collinear in this model; no unique coefficient.")
    return float(np.linalg.solve(sxx, sxy)[0])


def ols_effect(t: np.ndarray, y: np.ndarray, z: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficient of ``t`` (with an intercept, and ``z`` if given) and its estimated variance.

    Works along the last axis, so each row of 2-D arrays is its own data set.
    The variance is the usual ``s² / sum(t̃²)``, where t̃ is t with the intercept
    (and z) regressed out.
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    if t.shape != y.shape or (z is not None and np.shape(z) != t.shape):
        raise ValueError(f"t, y (and z) must have the same shape, got {t.shape} and {y.shape}"
                         + ("" if z is None else f" and {np.shape(z)}") + ".")
    n = t.shape[-1]
    k = 2 if z is None else 3
    if n <= k:
        raise ValueError(f"need more than {k} samples for this regression, got {n}.")
    tc = t - t.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    if z is not None:
        zc = np.asarray(z, dtype=float) - np.mean(z, axis=-1, keepdims=True)
        zz = (zc * zc).sum(axis=-1, keepdims=True)
        tc = tc - zc * (tc * zc).sum(axis=-1, keepdims=True) / zz
        yc = yc - zc * (yc * zc).sum(axis=-1, keepdims=True) / zz
    tt = (tc * tc).sum(axis=-1)
    beta = (tc * yc).sum(axis=-1) / tt
    residual = yc - beta[..., None] * tc
    variance = (residual * residual).sum(axis=-1) / (n - k) / tt
    return beta, variance


def combine_estimates(observational, observational_var, trial, trial_var) -> tuple[np.ndarray, np.ndarray]:
    """Shrink the trial's estimate towards the observational one, as far as their disagreement allows.

    ``combined = trial + w (observational - trial)`` with
    ``w = trial_var / max(d², trial_var + observational_var)``, ``d = observational - trial``.
    The mean-squared-error-optimal weight is ``trial_var / (trial_var + observational_var + bias²)``,
    and ``d²`` estimates that denominator; the floor keeps ``w`` below the
    no-bias precision weight.  When the two agree, the precise observational
    estimate dominates; when they disagree (confounding), the trial does.  In the
    spirit of Green & Strawderman (1991) and Rosenman et al. (2023).  Returns
    ``(combined, w)``.
    """
    obs = np.asarray(observational, dtype=float)
    obs_var = np.asarray(observational_var, dtype=float)
    tr = np.asarray(trial, dtype=float)
    tr_var = np.asarray(trial_var, dtype=float)
    if np.any(obs_var < 0) or np.any(tr_var <= 0):
        raise ValueError("observational_var must be >= 0 and trial_var > 0 (they are variances).")
    d = obs - tr
    w = tr_var / np.maximum(d * d, tr_var + obs_var)
    return tr + w * d, w


def _draw(scm: LinearGaussianSCM, reps: int, size: int, seed: int) -> dict[str, np.ndarray]:
    data = scm.sample(reps * size, seed=seed)
    return {v: data[v].to_numpy().reshape(reps, size) for v in ("Z", "T", "Y")}


@lru_cache(maxsize=64)
def observational_estimates(confounding: float, effect: float, size: int, reps: int,
                             seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The naive and adjusted estimates (and the adjusted one's variance) in ``reps`` observational studies.

    They do not depend on the trial, so a widget that changes only the trial's size
    reuses them: kept for the last 64 worlds (read-only arrays).
    """
    obs = _draw(fusion_scm(confounding, effect=effect), reps, size, seed)
    naive, _ = ols_effect(obs["T"], obs["Y"])
    adjusted, adjusted_var = ols_effect(obs["T"], obs["Y"], obs["Z"])
    for array in (naive, adjusted, adjusted_var):
        array.flags.writeable = False
    return naive, adjusted, adjusted_var


def simulate_estimators(
    trial_size: int,
    confounding: float,
    *,
    observational_size: int = 2000,
    reps: int = 200,
    effect: float = 1.0,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Draw ``reps`` pairs of studies and estimate the effect of T on Y with each of :data:`ESTIMATORS`.

    * ``trial``: regression of Y on T in the randomized trial (``trial_size`` people);
    * ``naive``: regression of Y on T in the observational study (``observational_size`` people);
    * ``adjusted``: the same, adjusting for the measured covariate Z (U stays unmeasured);
    * ``combined``: :func:`combine_estimates` of ``adjusted`` and ``trial``.

    Returns one row per draw, plus the column ``weight`` (the combination's weight on the observational study).
    """
    trial_size = check_int(trial_size, "trial_size", minimum=5)
    observational_size = check_int(observational_size, "observational_size", minimum=5)
    reps = check_int(reps, "reps", minimum=2)
    seed = check_seed(seed)
    confounding = check_real(confounding, "confounding")
    effect = check_real(effect, "effect")
    study_seed, trial_seed = np.random.default_rng(seed).integers(2**31 - 1, size=2)
    naive, adjusted, adjusted_var = observational_estimates(confounding, effect, observational_size, reps,
                                                             int(study_seed))
    trial = _draw(fusion_scm(confounding, effect=effect, randomized=True), reps, trial_size, int(trial_seed))
    trial_est, trial_var = ols_effect(trial["T"], trial["Y"])
    combined, weight = combine_estimates(adjusted, adjusted_var, trial_est, trial_var)
    return pd.DataFrame({"trial": trial_est, "naive": naive.copy(), "adjusted": adjusted.copy(), "combined": combined,
                         "weight": weight})


def summarize_estimates(estimates: pd.DataFrame, truth: float) -> pd.DataFrame:
    """Bias, standard deviation and root-mean-squared error of each estimator column against ``truth``."""
    truth = check_real(truth, "truth")
    if not isinstance(estimates, pd.DataFrame):
        raise TypeError(f"estimates must be a DataFrame (one column per estimator), got {type(estimates).__name__}.")
    columns = [c for c in ESTIMATORS if c in estimates.columns]
    if not columns:
        raise ValueError(f"estimates has none of the estimator columns {', '.join(ESTIMATORS)}.")
    values = estimates[columns]
    error = values - truth
    return pd.DataFrame({
        "bias": error.mean(),
        "sd": values.std(ddof=1),
        "rmse": np.sqrt((error**2).mean()),
    })


def compare_estimators(trial_size: int, confounding: float, *, observational_size: int = 2000, reps: int = 200,
                       effect: float = 1.0, seed: int | None = 0) -> pd.DataFrame:
    """:func:`simulate_estimators` summarised: bias, sd and RMSE of each estimator (rows)."""
    estimates = simulate_estimators(trial_size, confounding, observational_size=observational_size, reps=reps,
                                    effect=effect, seed=seed)
    return summarize_estimates(estimates, effect)


def plot_estimator_errors(summary: pd.DataFrame, ax, *, title: str | None = None):
    """Bars of each estimator's |bias|, standard deviation and RMSE (a row per estimator in ``summary``)."""
    from ..plotting import COLORS

    names = list(summary.index)
    x = np.arange(len(names))
    ax.bar(x - 0.25, summary["bias"].abs(), 0.25, label="|bias|", color=COLORS["vermillion"])
    ax.bar(x, summary["sd"], 0.25, label="standard deviation", color=COLORS["sky"])
    ax.bar(x + 0.25, summary["rmse"], 0.25, label="RMSE", color=COLORS["black"])
    ax.set_xticks(x, names)
    ax.set_ylabel("error of the effect estimate")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return ax
