"""Causality and generalization (lesson 10): one SCM, many operations; causal predictors survive shift.

Part 1, **one model, several operations.**  An online shop tries a new checkout page.
Three variables describe a visit::

    M (mobile visitor, 0/1) -> T (sees the new page, 0/1) -> Y (basket value),   M -> Y

Every question a shop asks is an operation on this one structural causal model:

* watching the logs is sampling it as it is (visitors opt in to the new page
  themselves: rung 1, confounded by M);
* an **A/B test** replaces T's mechanism by a coin (:func:`randomized`), which is
  ``do(T)`` for a random half: it answers a rung-2 question for the population it
  ran on (:func:`run_ab_test`, :func:`difference_in_means`);
* a **simulation** or **digital twin** samples the model with a mechanism changed by
  hand: a roll-out policy for T, or another mix of visitors for M
  (:func:`change_mechanism`, :func:`simulate_policies`);
* **transporting** an experiment's result to another population re-weights its
  per-stratum effects by the target's mix of the effect modifier
  (:func:`effects_by_stratum`, :func:`transport`; Pearl and Bareinboim 2011);
* a **counterfactual** about one visitor is rung 3 (``SCM.counterfactual``): no
  experiment settles it (see the ``ranks`` option of :func:`shop_scm`).

>>> shop = shop_scm()
>>> shop.variables
['M', 'T', 'Y']
>>> round(average_effect(shop, n=20_000, seed=0), 1)      # 0.5 + 3.0 * 0.3
1.4

Part 2, **distribution shift.**  A hospital predicts a patient's disease severity from
a risk exposure (a cause) and a lab marker (an effect of the disease)::

    Exposure -> Severity -> Marker

The marker is very predictive where the model is trained.  A new hospital's assay
reads higher (its mechanism for Marker changed): the predictor that uses the
marker degrades, the one built on the causal parent does not.  Risks are exact,
from the model's means and covariances (:func:`risk`).

>>> source = hospital_scm()
>>> causal = population_least_squares(source, "Severity", ["Exposure"])
>>> round(risk(causal, hospital_scm(marker_offset=3.0)), 2)
1.0
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from ._validate import (
    check_count,
    check_known,
    check_mapping,
    check_positive,
    check_probability,
    check_real,
    check_seed,
)
from .scm import SCM, Bernoulli, LinearGaussianSCM, Mechanism, Normal, Uniform

__all__ = [
    # part 1: one SCM, several operations
    "BASKET", "MOBILE_BASKET", "OPT_IN", "ASSIGNMENTS",
    "shop_scm", "mobile_share", "assignment", "randomized", "change_mechanism",
    "run_ab_test", "EffectEstimate", "difference_in_means", "effects_by_stratum", "transport",
    "average_effect", "simulate_policies", "plot_effects",
    # part 2: distribution shift
    "hospital_scm", "LinearPredictor", "fit_least_squares", "population_least_squares", "risk",
    "empirical_risk", "risk_table", "shifted_risks", "crossover_shift", "invariant_subsets", "ICPResult", "icp",
]

# ==================================================================================================
# Part 1: one SCM, several operations
# ==================================================================================================

#: Mean basket value of a desktop visit with the old page (euros).
BASKET = 10.0
#: How much more a mobile visit spends with the old page.
MOBILE_BASKET = 2.0
#: Chance that a visitor opts in to the new page when nobody assigns it: desktop, mobile.
OPT_IN = {0: 0.2, 1: 0.7}
#: The ways T can be set: today's opt-in, a randomized test, and three roll-out policies.
ASSIGNMENTS = ("self-selected", "randomized", "everyone", "nobody", "mobile only")


def _identity(value, **_):
    return np.asarray(value, dtype=float)


def _any_noise(value, **_):
    """Inverse of a mechanism that ignores its noise: every noise value reproduces the facts."""
    return np.zeros_like(np.asarray(value, dtype=float))


def mobile_share(p_mobile: float) -> Mechanism:
    """The mechanism of M: a visitor is on a phone with probability ``p_mobile``."""
    p = check_probability(p_mobile, "p_mobile")
    return Mechanism((), lambda u: u, Bernoulli(p), _identity)


def randomized(share: float = 0.5) -> Mechanism:
    """A coin that ignores everything else: the mechanism an A/B test gives its treatment.

    ``share`` is the chance of the treatment arm; both arms must be possible.
    """
    share = check_probability(share, "share")
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must be strictly between 0 and 1 (both arms need visitors), got {share:g}.")
    return Mechanism((), lambda u: u, Bernoulli(share), _identity)


def assignment(rule: str = "self-selected", *, share: float = 0.5) -> Mechanism:
    """The mechanism of T (who sees the new page) under one of :data:`ASSIGNMENTS`.

    * ``"self-selected"``: visitors opt in, mobile visitors more often (:data:`OPT_IN`);
    * ``"randomized"``: a coin with chance ``share`` (an A/B test);
    * ``"everyone"`` / ``"nobody"``: the page for all or none (the same as ``do(T = 1)`` / ``do(T = 0)``);
    * ``"mobile only"``: the page exactly for mobile visitors (T := M).
    """
    if not isinstance(rule, str) or rule not in ASSIGNMENTS:
        raise ValueError(f"rule must be one of {', '.join(repr(a) for a in ASSIGNMENTS)}; got {rule!r}.")
    if rule == "self-selected":
        def opt_in(u, M):
            return (u < np.where(M == 1, OPT_IN[1], OPT_IN[0])).astype(float)
        return Mechanism(("M",), opt_in, Uniform(0.0, 1.0))
    if rule == "randomized":
        return randomized(share)
    if rule == "mobile only":
        return Mechanism(("M",), lambda u, M: np.asarray(M, dtype=float), Bernoulli(0.5), _any_noise)
    value = 1.0 if rule == "everyone" else 0.0
    return Mechanism((), lambda u: np.full(np.shape(u), value), Bernoulli(0.5), _any_noise)


def shop_scm(p_mobile: float = 0.3, *, rule: str = "self-selected", base_effect: float = 0.5,
             mobile_extra: float = 3.0, noise_std: float = 2.5, ranks: str = "kept") -> SCM:
    """The shop: ``M -> T -> Y`` and ``M -> Y``, with an effect of T that depends on M.

    ``Y := BASKET + MOBILE_BASKET * M + T * (base_effect + mobile_extra * M) + noise``: the new
    page adds ``base_effect`` to a desktop basket and ``base_effect + mobile_extra`` to a mobile one.

    ``ranks`` says how the noise U (everything else about a visitor) enters:

    * ``"kept"``: ``+ U`` whatever the page, so a big spender stays a big spender;
    * ``"reversed"``: ``+ U`` with the old page and ``- U`` with the new one.

    U is symmetric, so the two versions give *the same* distribution of Y under
    ``do(T = 0)`` and under ``do(T = 1)`` in every stratum of M: no experiment tells
    them apart, yet they disagree about what one visitor would have spent.
    T must be 0 or 1.
    """
    base_effect = check_real(base_effect, "base_effect")
    mobile_extra = check_real(mobile_extra, "mobile_extra")
    noise = Normal(check_positive(noise_std, "noise_std"))
    if ranks not in ("kept", "reversed"):
        raise ValueError(f"ranks must be 'kept' or 'reversed', got {ranks!r}.")

    def mean(M, T):
        return BASKET + MOBILE_BASKET * M + T * (base_effect + mobile_extra * M)

    if ranks == "kept":
        outcome = Mechanism(("M", "T"), lambda u, M, T: mean(M, T) + u, noise,
                            lambda y, M, T: y - mean(M, T))
    else:
        outcome = Mechanism(("M", "T"), lambda u, M, T: mean(M, T) + (1 - 2 * T) * u, noise,
                            lambda y, M, T: (y - mean(M, T)) / (1 - 2 * T))
    return SCM({"M": mobile_share(p_mobile), "T": assignment(rule), "Y": outcome})


def change_mechanism(scm: SCM, variable: str, mechanism: Mechanism) -> SCM:
    """The same model with one equation replaced: a policy change, a new population, a randomized test.

    Every other mechanism is kept, and so are the model's interventions on other
    variables.  The original model is unchanged.
    """
    if not isinstance(scm, SCM):
        raise TypeError(f"scm must be an SCM (causal_lessons.scm.SCM), got {type(scm).__name__}.")
    check_known(variable, scm.variables, "variable")
    if not isinstance(mechanism, Mechanism):
        raise TypeError(f"mechanism must be a Mechanism, such as randomized(0.5), got {type(mechanism).__name__}.")
    new = SCM({**scm.mechanisms, variable: mechanism})
    kept = {v: x for v, x in scm.interventions.items() if v != variable}
    return new.do(kept) if kept else new


def run_ab_test(scm: SCM, treatment: str = "T", *, n: int = 4000, share: float = 0.5,
                seed: int | None = 0) -> pd.DataFrame:
    """The log of an A/B test: ``n`` visitors, ``treatment`` set by a coin, every variable recorded."""
    check_known(treatment, scm.variables, "treatment")
    n = check_count(n, "n")
    return change_mechanism(scm, treatment, randomized(share)).sample(n, seed=check_seed(seed))


@dataclass(frozen=True)
class EffectEstimate:
    """An estimated average effect with its standard error and a normal confidence interval."""

    effect: float
    std_error: float
    low: float
    high: float
    confidence: float = 0.95
    n_treated: int | None = None
    n_control: int | None = None

    def covers(self, value: float) -> bool:
        """Does the confidence interval contain ``value``?"""
        return self.low <= check_real(value, "value") <= self.high

    def text(self, digits: int = 2) -> str:
        """``"1.4 (95% CI 1.2 to 1.6)"``, rounded to ``digits`` decimals."""
        return (f"{self.effect:.{digits}f} ({self.confidence:.0%} CI {self.low:.{digits}f} "
                f"to {self.high:.{digits}f})")


def _z(confidence: float) -> float:
    confidence = check_probability(confidence, "confidence")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, e.g. 0.95; got {confidence:g}.")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _arms(log: pd.DataFrame, treatment: str, outcome: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(log, pd.DataFrame):
        raise TypeError(f"log must be a pandas DataFrame (one row per unit), got {type(log).__name__}.")
    check_known(treatment, list(log.columns), "treatment")
    check_known(outcome, list(log.columns), "outcome")
    t = log[treatment].to_numpy(dtype=float)
    y = log[outcome].to_numpy(dtype=float)
    if not np.all(np.isin(t, (0.0, 1.0))):
        raise ValueError(f"the {treatment} column must hold 0 (control) or 1 (treated) only.")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"the {outcome} column must contain only finite numbers.")
    treated, control = y[t == 1], y[t == 0]
    if len(treated) < 2 or len(control) < 2:
        raise ValueError(f"each arm needs at least 2 units; got {len(treated)} treated and {len(control)} control.")
    return treated, control


def difference_in_means(log: pd.DataFrame, treatment: str = "T", outcome: str = "Y", *,
                        confidence: float = 0.95) -> EffectEstimate:
    """The A/B test's estimate: mean outcome of the treated minus that of the controls.

    Standard error ``sqrt(s1^2 / n1 + s0^2 / n0)`` (sample variances), interval
    ``effect +- z * std_error`` with the normal quantile ``z`` (1.96 for 95%).
    """
    z = _z(confidence)
    treated, control = _arms(log, treatment, outcome)
    effect = float(treated.mean() - control.mean())
    se = math.sqrt(treated.var(ddof=1) / len(treated) + control.var(ddof=1) / len(control))
    return EffectEstimate(effect, se, effect - z * se, effect + z * se, confidence, len(treated), len(control))


def effects_by_stratum(log: pd.DataFrame, by: str, treatment: str = "T", outcome: str = "Y", *,
                       confidence: float = 0.95) -> pd.DataFrame:
    """One A/B estimate per value of ``by`` (an effect modifier recorded in the log).

    Columns: ``share`` (of the log's units), ``effect``, ``std_error``, ``low``, ``high``, ``n``.
    """
    if not isinstance(log, pd.DataFrame):
        raise TypeError(f"log must be a pandas DataFrame (one row per unit), got {type(log).__name__}.")
    check_known(by, list(log.columns), "by")
    rows = {}
    for value, group in log.groupby(by, sort=True):
        est = difference_in_means(group, treatment, outcome, confidence=confidence)
        rows[value] = {"share": len(group) / len(log), "effect": est.effect, "std_error": est.std_error,
                       "low": est.low, "high": est.high, "n": len(group)}
    table = pd.DataFrame.from_dict(rows, orient="index")
    if all(float(v).is_integer() for v in table.index):
        table.index = table.index.astype(int)  # 0/1 strata read as 0 and 1, not 0.0 and 1.0
    table.index.name = by
    return table


def transport(strata: pd.DataFrame, target_shares: Mapping, *, confidence: float = 0.95) -> EffectEstimate:
    """Re-weight per-stratum effects to a target population: ``sum_m P*(m) * effect(m)``.

    ``strata`` comes from :func:`effects_by_stratum`; ``target_shares`` maps each stratum
    to its share in the target population (the shares add up to 1).  This is Pearl and
    Bareinboim's transport formula for the simplest case, valid when the populations
    differ only in the distribution of the stratifying variable.
    """
    if not isinstance(strata, pd.DataFrame) or not {"effect", "std_error"} <= set(strata.columns):
        raise TypeError("strata must be the table from effects_by_stratum (columns effect and std_error).")
    check_mapping(target_shares, "target_shares")
    known = [str(k) for k in strata.index]
    for key in target_shares:
        if key not in strata.index:
            raise KeyError(f"target_shares: unknown stratum {key!r}; the strata are {', '.join(known)}. "
                           "The experiment must contain every stratum of the target.")
    shares = {k: check_probability(p, f"target_shares[{k!r}]") for k, p in target_shares.items()}
    if abs(sum(shares.values()) - 1.0) > 1e-9:
        raise ValueError(f"target_shares must add up to 1, got {sum(shares.values()):g}.")
    z = _z(confidence)
    effect = float(sum(p * strata.loc[k, "effect"] for k, p in shares.items()))
    se = math.sqrt(sum(p * p * strata.loc[k, "std_error"] ** 2 for k, p in shares.items()))
    return EffectEstimate(effect, se, effect - z * se, effect + z * se, confidence)


def average_effect(scm: SCM, treatment: str = "T", outcome: str = "Y", *, n: int = 200_000,
                   seed: int | None = 0, treated: float = 1.0, control: float = 0.0) -> float:
    """The true average effect in the model's population, by simulation: ``E[Y | do(treated)] - E[Y | do(control)]``.

    Both worlds are sampled with the same seed, so every simulated unit keeps its noise
    (common random numbers): the difference is each unit's own effect, and only the
    mix of units varies from run to run.  A digital twin can do this; an experiment
    on real units cannot.
    """
    check_known(treatment, scm.variables, "treatment")
    check_known(outcome, scm.variables, "outcome")
    n, seed = check_count(n, "n"), check_seed(seed)
    y1 = scm.do({treatment: treated}).sample(n, seed=seed)[outcome].to_numpy()
    y0 = scm.do({treatment: control}).sample(n, seed=seed)[outcome].to_numpy()
    return float(np.mean(y1 - y0))


def simulate_policies(scm: SCM, policies: Mapping[str, Mechanism], variable: str = "T", outcome: str = "Y", *,
                      n: int = 100_000, seed: int | None = 0) -> pd.DataFrame:
    """A digital twin's table: the mean ``outcome`` (and the share with ``variable`` = 1) under each policy.

    Each policy is a mechanism for ``variable`` (see :func:`assignment`); all are
    simulated with the same seed, so they are compared on the same simulated units.
    """
    check_mapping(policies, "policies")
    check_known(variable, scm.variables, "variable")
    check_known(outcome, scm.variables, "outcome")
    n, seed = check_count(n, "n"), check_seed(seed)
    rows = {}
    for name, mechanism in policies.items():
        data = change_mechanism(scm, variable, mechanism).sample(n, seed=seed)
        rows[name] = {f"share {variable} = 1": float(data[variable].mean()),
                      f"mean {outcome}": float(data[outcome].mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


def plot_effects(estimates: Mapping[str, EffectEstimate | float], ax=None, *, title: str = ""):
    """Estimates with their confidence intervals (dots and bars) and true values (crosses), one row each."""
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    check_mapping(estimates, "estimates")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 0.45 * len(estimates) + 1.2))
    labels = list(estimates)
    for row, label in enumerate(labels):
        value = estimates[label]
        y = len(labels) - 1 - row
        if isinstance(value, EffectEstimate):
            ax.errorbar(value.effect, y, xerr=[[value.effect - value.low], [value.high - value.effect]], fmt="o",
                        color=COLORS["interventional"], capsize=4)
        else:
            ax.plot(check_real(value, f"estimates[{label!r}]"), y, "X", color=COLORS["black"], markersize=9)
    ax.set_yticks(range(len(labels)), labels[::-1])
    ax.set_xlabel("average effect of the new page on the basket (euros)")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return ax


# ==================================================================================================
# Part 2: distribution shift
# ==================================================================================================

def hospital_scm(*, exposure_mean: float = 0.0, severity_offset: float = 0.0, marker_offset: float = 0.0,
                 marker_weight: float = 2.0, marker_noise: float = 0.5) -> LinearGaussianSCM:
    """``Exposure -> Severity -> Marker``, linear and Gaussian.

    ``Exposure := exposure_mean + U_E``; ``Severity := severity_offset + Exposure + U_S``;
    ``Marker := marker_offset + marker_weight * Severity + U_M``, with unit noise for
    Exposure and Severity and ``marker_noise`` for the marker.  A hospital is one
    choice of these numbers: another population (``exposure_mean``), another form of
    the disease (``severity_offset``), another assay (``marker_offset``,
    ``marker_weight``, ``marker_noise``).
    """
    return LinearGaussianSCM(
        {("Exposure", "Severity"): 1.0, ("Severity", "Marker"): check_real(marker_weight, "marker_weight")},
        noise_std={"Exposure": 1.0, "Severity": 1.0, "Marker": check_positive(marker_noise, "marker_noise")},
        intercepts={"Exposure": check_real(exposure_mean, "exposure_mean"),
                    "Severity": check_real(severity_offset, "severity_offset"),
                    "Marker": check_real(marker_offset, "marker_offset")},
        variables=["Exposure", "Severity", "Marker"],
    )


@dataclass(frozen=True)
class LinearPredictor:
    """``target ~ intercept + sum(coef * features)``: a fitted linear predictor."""

    target: str
    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float

    def predict(self, data: pd.DataFrame) -> np.ndarray:
        """Predictions for the rows of ``data`` (which must have the feature columns)."""
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
        for f in self.features:
            check_known(f, list(data.columns), "data column")
        x = data[list(self.features)].to_numpy(dtype=float)
        return self.intercept + x @ np.asarray(self.coef, dtype=float)

    def weight(self, feature: str) -> float:
        """The coefficient of ``feature`` (0 if the predictor does not use it)."""
        return self.coef[self.features.index(feature)] if feature in self.features else 0.0

    def __str__(self) -> str:
        terms = "".join(f" {'-' if round(c, 2) < 0 else '+'} {abs(c):.2f}*{f}"
                        for f, c in zip(self.features, self.coef))
        return f"{self.target} ~ {round(self.intercept, 2) + 0.0:.2f}{terms}"  # + 0.0: no "-0.00"


def _features(features, known: Sequence[str], target: str) -> tuple[str, ...]:
    if isinstance(features, str) or not hasattr(features, "__iter__"):
        raise TypeError(f"features must be a list of variable names, e.g. ['Exposure'], got {features!r}.")
    features = tuple(features)
    for f in features:
        check_known(f, known, "features")
    if target in features:
        raise ValueError(f"features must not contain the target {target!r} itself.")
    if len(set(features)) != len(features):
        raise ValueError(f"features lists a variable twice: {list(features)}.")
    return features


def fit_least_squares(data: pd.DataFrame, target: str, features: Sequence[str]) -> LinearPredictor:
    """Ordinary least squares with an intercept, from a table of samples (``features`` may be empty)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    check_known(target, list(data.columns), "target")
    features = _features(features, list(data.columns), target)
    if len(data) < len(features) + 2:
        raise ValueError(f"data needs at least {len(features) + 2} rows to fit {len(features)} feature(s) "
                         f"and an intercept, got {len(data)}.")
    x = np.column_stack([np.ones(len(data))] + [data[f].to_numpy(dtype=float) for f in features])
    y = data[target].to_numpy(dtype=float)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("data must contain only finite numbers (no NaN or infinity).")
    beta, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    if rank < x.shape[1]:
        raise ValueError(f"the features {list(features)} are collinear or one of them does not vary; "
                         "least squares has no unique answer.")
    return LinearPredictor(target, features, tuple(float(b) for b in beta[1:]), float(beta[0]))


def _linear(scm) -> LinearGaussianSCM:
    if not isinstance(scm, LinearGaussianSCM):
        raise TypeError(f"scm must be a LinearGaussianSCM (exact means and covariances), got {type(scm).__name__}.")
    return scm


def population_least_squares(scm: LinearGaussianSCM, target: str, features: Sequence[str]) -> LinearPredictor:
    """The least-squares predictor with unlimited data from ``scm``: ``coef = Cov(X)^-1 Cov(X, y)``."""
    scm = _linear(scm)
    check_known(target, scm.variables, "target")
    features = _features(features, scm.variables, target)
    mean, cov = scm.mean(), scm.covariance()
    if not features:
        return LinearPredictor(target, (), (), float(mean[target]))
    sxx = cov.loc[list(features), list(features)].to_numpy()
    if np.linalg.matrix_rank(sxx) < len(features):
        raise ValueError(f"the features {list(features)} are collinear or one is held fixed by do(); "
                         "least squares has no unique answer.")
    coef = np.linalg.solve(sxx, cov.loc[list(features), target].to_numpy())
    intercept = float(mean[target] - coef @ mean[list(features)].to_numpy())
    return LinearPredictor(target, features, tuple(float(c) for c in coef), intercept)


def _residual(predictor: LinearPredictor, scm: LinearGaussianSCM) -> tuple[float, float, np.ndarray]:
    """Mean and variance of ``target - prediction`` under ``scm``, and the residual's weights on the variables."""
    if not isinstance(predictor, LinearPredictor):
        raise TypeError(f"predictor must be a LinearPredictor, got {type(predictor).__name__}.")
    scm = _linear(scm)
    check_known(predictor.target, scm.variables, "predictor.target")
    a = pd.Series(0.0, index=scm.variables)
    a[predictor.target] = 1.0
    for f, c in zip(predictor.features, predictor.coef):
        check_known(f, scm.variables, "predictor.features")
        a[f] -= c
    mean = float(a @ scm.mean() - predictor.intercept)
    var = float(a @ scm.covariance() @ a)
    return mean, var, a.to_numpy()


def risk(predictor: LinearPredictor, scm: LinearGaussianSCM) -> float:
    """Exact mean squared error of ``predictor`` on the population of ``scm``: variance + squared bias."""
    mean, var, _ = _residual(predictor, scm)
    return var + mean * mean


def empirical_risk(predictor: LinearPredictor, data: pd.DataFrame) -> float:
    """Mean squared error of ``predictor`` on the rows of ``data``."""
    if not isinstance(predictor, LinearPredictor):
        raise TypeError(f"predictor must be a LinearPredictor, got {type(predictor).__name__}.")
    prediction = predictor.predict(data)
    check_known(predictor.target, list(data.columns), "data column")
    return float(np.mean((data[predictor.target].to_numpy(dtype=float) - prediction) ** 2))


def risk_table(predictors: Mapping[str, LinearPredictor], environments: Mapping) -> pd.DataFrame:
    """Exact risks: one row per environment (a label and a LinearGaussianSCM), one column per predictor."""
    check_mapping(predictors, "predictors")
    check_mapping(environments, "environments")
    rows = {label: {name: risk(p, env) for name, p in predictors.items()} for label, env in environments.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def _shift_parabola(predictor: LinearPredictor, scm: LinearGaussianSCM, shifted: str) -> tuple[float, float, float]:
    """``(m0, var, s)``: offsetting ``shifted``'s intercept by ``delta`` makes the risk ``var + (m0 + s * delta)^2``.

    Adding ``delta`` to the intercept of ``shifted`` moves the mean of every
    variable by ``delta`` times its total effect and leaves the covariance alone.
    """
    scm = _linear(scm)
    check_known(shifted, scm.variables, "shifted")
    if shifted in scm.interventions:
        raise ValueError(f"{shifted!r} is held fixed by do() in this model; its mechanism cannot be offset.")
    m0, var, a = _residual(predictor, scm)
    return m0, var, float(a @ scm.total_effects().loc[shifted].to_numpy())


def shifted_risks(predictor: LinearPredictor, scm: LinearGaussianSCM, shifted: str, offsets) -> np.ndarray:
    """Exact risks of ``predictor`` when the intercept of ``shifted`` is offset by each of ``offsets``, at once.

    The same numbers as :func:`risk` on each shifted model (to rounding), without
    building one model per offset: the risk is ``Var(residual) + (m0 + s * delta)^2``
    (see :func:`crossover_shift`).

    >>> source = hospital_scm()
    >>> both = population_least_squares(source, "Severity", ["Exposure", "Marker"])
    >>> [round(float(r), 3) for r in shifted_risks(both, source, "Marker", [0.0, 1.0, 2.0])]
    [0.059, 0.28, 0.945]
    >>> round(risk(both, hospital_scm(marker_offset=2.0)), 3)
    0.945
    """
    offsets = np.asarray(offsets, dtype=float)
    if offsets.ndim != 1 or not np.all(np.isfinite(offsets)):
        raise ValueError(f"offsets must be a list of finite numbers, got {offsets!r}.")
    m0, var, s = _shift_parabola(predictor, scm, shifted)
    mean = m0 + s * offsets
    return var + mean * mean


def crossover_shift(predictor: LinearPredictor, scm: LinearGaussianSCM, shifted: str,
                    reference_risk: float) -> float:
    """The smallest offset ``delta >= 0`` of ``shifted``'s intercept at which ``predictor``'s risk reaches a reference.

    Adding ``delta`` to the intercept of ``shifted`` moves the mean of every
    variable by ``delta`` times its total effect and leaves the covariance alone, so
    the risk is ``Var(residual) + (m0 + s * delta)^2``: a parabola solved exactly.
    Returns 0 if the risk already reaches the reference and ``inf`` if it never does.
    """
    reference_risk = check_real(reference_risk, "reference_risk", minimum=0.0)
    m0, var, s = _shift_parabola(predictor, scm, shifted)
    room = reference_risk - var
    if room <= m0 * m0:
        return 0.0
    if s == 0:
        return math.inf
    return (math.sqrt(room) - m0 * math.copysign(1.0, s)) / abs(s)


def _subsets(candidates: Sequence[str]) -> list[frozenset]:
    return [frozenset(c) for k in range(len(candidates) + 1) for c in itertools.combinations(candidates, k)]


def invariant_subsets(environments: Sequence[LinearGaussianSCM], target: str, candidates: Sequence[str], *,
                      tol: float = 1e-9) -> list[frozenset]:
    """The feature sets whose population regression of ``target`` is the same in every environment.

    Same coefficients, same intercept and same residual variance (to ``tol``): the
    conditional distribution of the target given the set does not change.  The
    causal parents always qualify when only other mechanisms change.
    """
    if isinstance(environments, Mapping) or len(environments) < 2:
        raise ValueError("environments must be a list of at least 2 models (LinearGaussianSCM).")
    check_positive(tol, "tol")
    for env in environments:
        _features(candidates, _linear(env).variables, target)
    invariant = []
    for subset in _subsets(sorted(candidates)):
        fits = [population_least_squares(env, target, sorted(subset)) for env in environments]
        summary = np.array([[p.intercept, *p.coef, risk(p, env)] for p, env in zip(fits, environments)])
        if np.all(np.abs(summary - summary[0]) <= tol * np.maximum(1.0, np.abs(summary[0]))):
            invariant.append(subset)
    return invariant


@dataclass(frozen=True)
class ICPResult:
    """What :func:`icp` found: the accepted sets, every set's p-value, and their intersection."""

    accepted: tuple[frozenset, ...]
    p_values: dict
    parents: frozenset

    @property
    def all_rejected(self) -> bool:
        """No set was accepted: the model class (linear, Gaussian, no hidden variables) does not fit."""
        return not self.accepted


def icp(datasets: Sequence[pd.DataFrame], target: str, candidates: Sequence[str], *,
        alpha: float = 0.05) -> ICPResult:
    """Invariant causal prediction (Peters, Bühlmann and Meinshausen 2016), the fast approximate version.

    For every subset S of ``candidates``: fit least squares of ``target`` on S to the
    pooled data; in each environment, compare the residuals with those of the other
    environments (Welch t-test of the means, F-test of the variances, Bonferroni over
    the two tests and the environments).  S is accepted when its p-value exceeds
    ``alpha``.  The estimate of the target's causal parents is the intersection of
    the accepted sets, which are the parents with probability at least 1 - alpha
    when the assumptions hold.
    """
    from scipy import stats

    if isinstance(datasets, (pd.DataFrame, Mapping)) or len(datasets) < 2:
        raise ValueError("datasets must be a list of at least 2 DataFrames, one per environment.")
    alpha = check_probability(alpha, "alpha")
    for data in datasets:
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"each dataset must be a pandas DataFrame, got {type(data).__name__}.")
        check_known(target, list(data.columns), "target")
        _features(candidates, list(data.columns), target)
    pooled = pd.concat(datasets, ignore_index=True)
    env = np.concatenate([np.full(len(d), i) for i, d in enumerate(datasets)])
    compared = range(len(datasets)) if len(datasets) > 2 else [0]
    p_values, accepted = {}, []
    for subset in _subsets(sorted(candidates)):
        fit = fit_least_squares(pooled, target, sorted(subset))
        residual = pooled[target].to_numpy(dtype=float) - fit.predict(pooled)
        smallest = 1.0
        for e in compared:
            inside, outside = residual[env == e], residual[env != e]
            p_mean = stats.ttest_ind(inside, outside, equal_var=False).pvalue
            ratio = inside.var(ddof=1) / outside.var(ddof=1)
            cdf = stats.f.cdf(ratio, len(inside) - 1, len(outside) - 1)
            p_var = 2 * min(cdf, 1 - cdf)
            smallest = min(smallest, 2 * min(p_mean, p_var))
        p = float(min(1.0, len(compared) * smallest))
        p_values[subset] = p
        if p > alpha:
            accepted.append(subset)
    parents = frozenset.intersection(*accepted) if accepted else frozenset()
    return ICPResult(tuple(accepted), p_values, parents)
