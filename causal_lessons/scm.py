"""Structural causal models: the one object that answers seeing, doing and imagining questions.

Two classes share one surface (``variables``, ``graph``, ``sample``, ``do``,
``counterfactual``):

* :class:`LinearGaussianSCM` -- every variable is a weighted sum of its parents
  plus an intercept and its own Gaussian noise.  Means, covariances and total
  effects are exact.
* :class:`SCM` -- every variable is any function of its parents and its own
  noise (nonlinear, discrete, ...).

>>> scm = LinearGaussianSCM({("Z", "X"): 1.0, ("Z", "Y"): 1.0, ("X", "Y"): 0.5}, noise_std=1.0)
>>> scm.variables
['Z', 'X', 'Y']
>>> scm.total_effect("X", "Y")
0.5
>>> round(scm.observational_slope("X", "Y"), 3)   # confounded: larger than 0.5
1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from . import graphs
from ._validate import (
    check_count,
    check_known,
    check_mapping,
    check_positive,
    check_probability,
    check_real,
    check_seed,
)

__all__ = ["LinearGaussianSCM", "SCM", "Mechanism", "Normal", "Uniform", "Bernoulli", "additive"]


def _check_interventions(interventions: Any, known: Sequence[str], name: str = "interventions") -> dict[str, float]:
    check_mapping(interventions, name)
    result = {}
    for var, value in interventions.items():
        check_known(var, known, f"{name}")
        result[var] = check_real(value, f"{name}[{var!r}] (the value to set {var} to)")
    return result


def _check_observed(observed: Any, known: Sequence[str]) -> dict[str, float]:
    check_mapping(observed, "observed")
    for var in observed:
        check_known(var, known, "observed")
    missing = [v for v in known if v not in observed]
    if missing:
        raise ValueError(
            f"observed must give a value for every variable; missing {', '.join(missing)}. "
            "A counterfactual starts from a complete set of facts."
        )
    return {v: check_real(observed[v], f"observed[{v!r}]") for v in known}


class LinearGaussianSCM:
    """A linear structural causal model with independent Gaussian noise.

    ``V := intercept[V] + sum(weight * parent) + U_V`` with ``U_V ~ N(0, noise_std[V]^2)``.

    Parameters
    ----------
    edges:
        ``{(parent, child): weight}``.  A zero weight declares both variables but
        no edge.
    noise_std:
        One positive number for every variable, or a dict per variable.
    intercepts:
        Optional dict of constant terms (default 0).
    variables:
        Extra variable names with no edges (isolated variables).
    """

    def __init__(
        self,
        edges: Mapping[tuple[str, str], float],
        noise_std: float | Mapping[str, float] = 1.0,
        intercepts: Mapping[str, float] | None = None,
        *,
        variables: Iterable[str] = (),
    ):
        check_mapping(edges, "edges")
        dag = graphs.as_dag(dict(edges), nodes=variables, name="edges")
        self._edges = {(u, v): float(d["weight"]) for u, v, d in dag.edges(data=True)}
        for (u, v), w in list(self._edges.items()):
            if w == 0:
                dag.remove_edge(u, v)
                del self._edges[(u, v)]
        self._variables = graphs.topological_order(dag)
        if not self._variables:
            raise ValueError("edges must name at least one variable (or pass variables=[...]).")
        self._graph = dag
        self._index = {v: i for i, v in enumerate(self._variables)}
        n = len(self._variables)
        self._w = np.zeros((n, n))
        for (u, v), w in self._edges.items():
            self._w[self._index[u], self._index[v]] = w

        if isinstance(noise_std, Mapping):
            for var in noise_std:
                check_known(var, self._variables, "noise_std")
            missing = [v for v in self._variables if v not in noise_std]
            if missing:
                raise ValueError(f"noise_std must give a scale for every variable; missing {', '.join(missing)}.")
            self._noise = np.array([check_positive(noise_std[v], f"noise_std[{v!r}]") for v in self._variables])
        else:
            self._noise = np.full(n, check_positive(noise_std, "noise_std"))

        self._b = np.zeros(n)
        if intercepts is not None:
            check_mapping(intercepts, "intercepts")
            for var, value in intercepts.items():
                check_known(var, self._variables, "intercepts")
                self._b[self._index[var]] = check_real(value, f"intercepts[{var!r}]")
        self._fixed: dict[str, float] = {}

    # ------------------------------------------------------------------ description
    @property
    def variables(self) -> list[str]:
        """Variable names in topological order (causes first, ties alphabetical)."""
        return list(self._variables)

    @property
    def graph(self) -> nx.DiGraph:
        """A copy of the causal graph; each edge has a ``weight`` attribute."""
        return self._graph.copy()

    @property
    def edges(self) -> dict[tuple[str, str], float]:
        return dict(self._edges)

    @property
    def noise_std(self) -> dict[str, float]:
        """Noise scale per variable (0 for variables fixed by an intervention)."""
        return {v: (0.0 if v in self._fixed else float(s)) for v, s in zip(self._variables, self._noise)}

    @property
    def intercepts(self) -> dict[str, float]:
        return {v: float(b) for v, b in zip(self._variables, self._b)}

    @property
    def interventions(self) -> dict[str, float]:
        """The variables this model holds fixed (after :meth:`do`), with their values."""
        return dict(self._fixed)

    @property
    def weight_matrix(self) -> np.ndarray:
        """``W[i, j]`` = weight of ``variables[i] -> variables[j]``."""
        return self._w.copy()

    def parents(self, variable: str) -> list[str]:
        check_known(variable, self._variables, "variable")
        return sorted(self._graph.predecessors(variable))

    def equations(self) -> list[str]:
        """The structural equations as readable text, one per variable."""
        lines = []
        for v in self._variables:
            if v in self._fixed:
                lines.append(f"{v} := {self._fixed[v]:g}   (set by do)")
                continue
            terms = []
            b = self._b[self._index[v]]
            if b:
                terms.append(f"{b:g}")
            for p in self.parents(v):
                terms.append(f"{self._edges[(p, v)]:g}*{p}")
            terms.append(f"U_{v}")
            lines.append(f"{v} := {' + '.join(terms).replace('+ -', '- ')},   U_{v} ~ N(0, {self._noise[self._index[v]]:g}^2)")
        return lines

    def __repr__(self) -> str:
        edges = ", ".join(f"{u}->{v}: {w:g}" for (u, v), w in sorted(self._edges.items()))
        extra = f", do={self._fixed}" if self._fixed else ""
        return f"LinearGaussianSCM({{{edges}}}, variables={self._variables}{extra})"

    # ------------------------------------------------------------------ internals
    def _effective(self):
        """Noise scales and intercepts with intervened variables fixed."""
        noise = self._noise.copy()
        b = self._b.copy()
        for var, value in self._fixed.items():
            i = self._index[var]
            noise[i] = 0.0
            b[i] = value
        return noise, b

    def _total_matrix(self) -> np.ndarray:
        """``T = I + W + W^2 + ...`` (finite because W is nilpotent): T[i, j] = total effect of i on j."""
        n = len(self._variables)
        total = np.eye(n)
        power = np.eye(n)
        for _ in range(n - 1):
            power = power @ self._w
            total = total + power
        return total

    # ------------------------------------------------------------------ rung 1: seeing
    def sample(self, n: int, seed: int | None = None) -> pd.DataFrame:
        """Draw ``n`` independent rows; columns are the variables in topological order."""
        n = check_count(n, "n")
        seed = check_seed(seed)
        rng = np.random.default_rng(seed)
        noise, b = self._effective()
        u = rng.standard_normal((n, len(self._variables))) * noise + b
        values = u @ self._total_matrix()
        return pd.DataFrame(values, columns=self._variables)

    def mean(self) -> pd.Series:
        """Exact expected value of every variable."""
        _, b = self._effective()
        return pd.Series(b @ self._total_matrix(), index=self._variables)

    def covariance(self) -> pd.DataFrame:
        """Exact covariance matrix of the variables."""
        noise, _ = self._effective()
        t = self._total_matrix()
        cov = t.T @ np.diag(noise**2) @ t
        return pd.DataFrame(cov, index=self._variables, columns=self._variables)

    def observational_slope(self, x: str, y: str, given: Iterable[str] = ()) -> float:
        """Exact coefficient of ``x`` in the least-squares regression of ``y`` on ``x`` (and the variables ``given``).

        With nothing given this is Cov(x, y) / Var(x), the slope that infinite
        observational data show; with ``given`` it is the *adjusted* slope, which
        equals the total effect of x on y when ``given`` is a backdoor set.

        >>> scm = LinearGaussianSCM({("Z", "X"): 1.0, ("Z", "Y"): 1.0, ("X", "Y"): 0.5})
        >>> round(scm.observational_slope("X", "Y"), 3), round(scm.observational_slope("X", "Y", given=["Z"]), 3)
        (1.0, 0.5)
        """
        check_known(x, self._variables, "x")
        check_known(y, self._variables, "y")
        if isinstance(given, str):
            raise TypeError(f"given must be a collection of variable names such as ['Z'], got the string {given!r}.")
        given = sorted({check_known(v, self._variables, "given") for v in given} - {x})
        if y in given:
            raise ValueError(f"given must not contain y={y!r}, the variable being regressed.")
        cov = self.covariance()
        if cov.loc[x, x] == 0:
            raise ValueError(f"x={x!r} has zero variance (it is fixed by an intervention); no slope exists.")
        if not given:
            return float(cov.loc[x, y] / cov.loc[x, x])
        cols = [x, *given]
        coef, *_ = np.linalg.lstsq(cov.loc[cols, cols].to_numpy(), cov.loc[cols, y].to_numpy(), rcond=None)
        return float(coef[0])

    # ------------------------------------------------------------------ rung 2: doing
    def do(self, interventions: Mapping[str, float]) -> LinearGaussianSCM:
        """A new model in which each variable in ``interventions`` is set to its value.

        The edges into an intervened variable are removed; the original model is unchanged.
        """
        interventions = _check_interventions(interventions, self._variables)
        new = object.__new__(LinearGaussianSCM)
        new.__dict__.update(self.__dict__)
        new._graph = self._graph.copy()
        new._edges = dict(self._edges)
        new._w = self._w.copy()
        new._fixed = dict(self._fixed)
        for var, value in interventions.items():
            for parent in list(new._graph.predecessors(var)):
                new._graph.remove_edge(parent, var)
                del new._edges[(parent, var)]
                new._w[self._index[parent], self._index[var]] = 0.0
            new._fixed[var] = value
        return new

    def total_effect(self, cause: str, effect: str) -> float:
        """Exact total causal effect d E[effect | do(cause = x)] / dx: the sum over directed paths of weight products."""
        check_known(cause, self._variables, "cause")
        check_known(effect, self._variables, "effect")
        if cause == effect:
            return 1.0
        return float(self._total_matrix()[self._index[cause], self._index[effect]])

    def total_effects(self) -> pd.DataFrame:
        """All total effects: row = cause, column = effect (diagonal 1)."""
        return pd.DataFrame(self._total_matrix(), index=self._variables, columns=self._variables)

    # ------------------------------------------------------------------ rung 3: imagining
    def abduct(self, observed: Mapping[str, float]) -> dict[str, float]:
        """The noise values that, with the structural equations, reproduce the observed facts."""
        x = np.array([v for v in _check_observed(observed, self._variables).values()])
        _, b = self._effective()
        u = x - b - x @ self._w
        for var in self._fixed:
            i = self._index[var]
            if abs(x[i] - self._fixed[var]) > 1e-9 * max(1.0, abs(self._fixed[var])):
                raise ValueError(
                    f"observed[{var!r}] = {x[i]:g} contradicts this model, which holds {var} at {self._fixed[var]:g}."
                )
            u[i] = 0.0
        return {v: float(ui) for v, ui in zip(self._variables, u)}

    def counterfactual(self, observed: Mapping[str, float], interventions: Mapping[str, float]) -> dict[str, float]:
        """What every variable would have been, had ``interventions`` been made, given the facts ``observed``.

        Abduction (infer the noise from the facts), action (apply ``do``), prediction
        (recompute with the same noise).
        """
        noise = self.abduct(observed)
        world = self.do(interventions)
        _, b = world._effective()
        u = np.array([noise[v] for v in self._variables])
        for var in world._fixed:
            u[self._index[var]] = 0.0
        x = (b + u) @ world._total_matrix()
        return {v: float(xi) for v, xi in zip(self._variables, x)}

    # ------------------------------------------------------------------ interoperability
    def to_pgmpy(self):
        """This model as a pgmpy ``LinearGaussianBayesianNetwork`` (imports pgmpy, which takes a few seconds)."""
        from ._pgmpy import load

        load()
        from pgmpy.factors.continuous import LinearGaussianCPD
        from pgmpy.models import LinearGaussianBayesianNetwork

        model = LinearGaussianBayesianNetwork()
        model.add_nodes_from(self._variables)
        model.add_edges_from(sorted(self._graph.edges))
        noise, b = self._effective()
        cpds = []
        for v in self._variables:
            parents = self.parents(v)
            beta = [float(b[self._index[v]])] + [self._edges[(p, v)] for p in parents]
            # pgmpy needs a positive scale; an intervened variable gets a negligible one.
            std = float(noise[self._index[v]]) or 1e-12
            cpds.append(LinearGaussianCPD(variable=v, beta=beta, std=std, evidence=parents))
        model.add_cpds(*cpds)
        return model


# ==================================================================================================
# General SCM
# ==================================================================================================

@dataclass(frozen=True)
class Normal:
    """Gaussian noise with mean 0 and standard deviation ``std``."""

    std: float = 1.0

    def __post_init__(self):
        check_positive(self.std, "Normal(std)")

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(0.0, self.std, n)


@dataclass(frozen=True)
class Uniform:
    """Noise uniform on [low, high)."""

    low: float = 0.0
    high: float = 1.0

    def __post_init__(self):
        check_real(self.low, "Uniform(low)")
        check_real(self.high, "Uniform(high)")
        if not self.high > self.low:
            raise ValueError(f"Uniform needs low < high, got low={self.low:g}, high={self.high:g}.")

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


@dataclass(frozen=True)
class Bernoulli:
    """Noise that is 1 with probability ``p`` and 0 otherwise."""

    p: float = 0.5

    def __post_init__(self):
        check_probability(self.p, "Bernoulli(p)")

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return (rng.random(n) < self.p).astype(float)


@dataclass(frozen=True)
class Mechanism:
    """How one variable is made: ``value = f(u, **parents)``.

    ``f`` receives the variable's noise ``u`` and its parents as keyword
    arguments (numpy arrays).  ``inverse(value, **parents) -> u``, when given,
    recovers the noise from the facts and makes counterfactuals exact; without it,
    counterfactuals average over the noise values consistent with the facts.
    """

    parents: tuple[str, ...]
    f: Callable[..., Any]
    noise: Any = Normal(1.0)
    inverse: Callable[..., Any] | None = None


def additive(parents: Sequence[str], f: Callable[..., Any] | None = None, noise: Any = Normal(1.0)) -> Mechanism:
    """An additive-noise mechanism ``value = f(**parents) + u`` (exactly invertible).

    With ``f=None`` the variable is pure noise.
    """
    parents = tuple(parents)
    g = f if f is not None else (lambda **_: 0.0)
    return Mechanism(parents, lambda u, **p: g(**p) + u, noise, lambda value, **p: value - g(**p))


class SCM:
    """A structural causal model with arbitrary mechanisms.

    >>> scm = SCM({
    ...     "Rain": Mechanism((), lambda u: u, Bernoulli(0.3)),
    ...     "Sprinkler": Mechanism(("Rain",), lambda u, Rain: u * (1 - Rain), Bernoulli(0.5)),
    ...     "Wet": Mechanism(("Rain", "Sprinkler"), lambda u, Rain, Sprinkler: np.maximum(Rain, Sprinkler), Bernoulli(0.5)),
    ... })
    >>> scm.variables
    ['Rain', 'Sprinkler', 'Wet']
    """

    def __init__(self, mechanisms: Mapping[str, Mechanism]):
        check_mapping(mechanisms, "mechanisms")
        if not mechanisms:
            raise ValueError("mechanisms must define at least one variable.")
        for var, mech in mechanisms.items():
            if not isinstance(mech, Mechanism):
                raise TypeError(f"mechanisms[{var!r}] must be a Mechanism, got {type(mech).__name__}.")
            if not callable(mech.f):
                raise TypeError(f"mechanisms[{var!r}].f must be a function of (u, **parents).")
            if not hasattr(mech.noise, "draw"):
                raise TypeError(f"mechanisms[{var!r}].noise must be a noise distribution such as Normal(1.0).")
        edges = []
        for var, mech in mechanisms.items():
            for p in mech.parents:
                check_known(p, list(mechanisms), f"mechanisms[{var!r}].parents")
                edges.append((p, var))
        self._graph = graphs.as_dag(edges, nodes=list(mechanisms), name="mechanisms")
        self._variables = graphs.topological_order(self._graph)
        self._mechanisms = dict(mechanisms)
        self._fixed: dict[str, float] = {}

    @property
    def variables(self) -> list[str]:
        return list(self._variables)

    @property
    def graph(self) -> nx.DiGraph:
        return self._graph.copy()

    @property
    def interventions(self) -> dict[str, float]:
        return dict(self._fixed)

    @property
    def mechanisms(self) -> dict[str, Mechanism]:
        """A copy of the mechanisms by variable, as given (``do`` does not change them)."""
        return dict(self._mechanisms)

    def __repr__(self) -> str:
        edges = ", ".join(f"{u}->{v}" for u, v in sorted(self._graph.edges))
        extra = f", do={self._fixed}" if self._fixed else ""
        return f"SCM(variables={self._variables}, edges=[{edges}]{extra})"

    def _draw_noise(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        return {v: np.asarray(self._mechanisms[v].noise.draw(rng, n), dtype=float) for v in self._variables}

    def _propagate(self, noise: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        values: dict[str, np.ndarray] = {}
        for v in self._variables:
            if v in self._fixed:
                values[v] = np.full(n, self._fixed[v])
                continue
            mech = self._mechanisms[v]
            out = mech.f(noise[v], **{p: values[p] for p in mech.parents})
            out = np.broadcast_to(np.asarray(out, dtype=float), (n,)).copy()
            if np.isnan(out).any():
                raise ValueError(f"the mechanism of {v!r} returned NaN; check its formula.")
            values[v] = out
        return values

    def sample(self, n: int, seed: int | None = None) -> pd.DataFrame:
        """Draw ``n`` independent rows; columns are the variables in topological order."""
        n = check_count(n, "n")
        rng = np.random.default_rng(check_seed(seed))
        return pd.DataFrame(self._propagate(self._draw_noise(rng, n), n), columns=self._variables)

    def do(self, interventions: Mapping[str, float]) -> SCM:
        """A new model with each variable in ``interventions`` held at its value (the original is unchanged)."""
        interventions = _check_interventions(interventions, self._variables)
        new = object.__new__(SCM)
        new.__dict__.update(self.__dict__)
        new._graph = self._graph.copy()
        new._fixed = dict(self._fixed)
        for var, value in interventions.items():
            new._graph.remove_edges_from(list(new._graph.in_edges(var)))
            new._fixed[var] = value
        return new

    def counterfactual(
        self,
        observed: Mapping[str, float],
        interventions: Mapping[str, float],
        *,
        n_samples: int = 100_000,
        seed: int | None = 0,
    ) -> dict[str, float]:
        """Counterfactual values given complete facts ``observed``, had ``interventions`` been made.

        When every mechanism has an ``inverse`` the noise is recovered exactly and the
        answer is exact.  Otherwise noise is drawn ``n_samples`` times, the draws that
        reproduce the facts are kept (abduction by rejection), and the answer is the
        mean counterfactual value over them (for a 0/1 variable: a probability).
        """
        facts = _check_observed(observed, self._variables)
        n_samples = check_count(n_samples, "n_samples")
        world = self.do(interventions)
        if all(self._mechanisms[v].inverse is not None or v in self._fixed for v in self._variables):
            u = {}
            for v in self._variables:
                if v in self._fixed:
                    u[v] = np.zeros(1)
                    continue
                mech = self._mechanisms[v]
                u[v] = np.atleast_1d(np.asarray(
                    mech.inverse(np.array([facts[v]]), **{p: np.array([facts[p]]) for p in mech.parents}), dtype=float))
            result = world._propagate(u, 1)
            return {v: float(result[v][0]) for v in self._variables}
        rng = np.random.default_rng(check_seed(seed))
        noise = self._draw_noise(rng, n_samples)
        factual = self._propagate(noise, n_samples)
        keep = np.ones(n_samples, dtype=bool)
        for v in self._variables:
            keep &= np.isclose(factual[v], facts[v], rtol=0, atol=1e-9)
        if not keep.any():
            raise ValueError(
                "no noise draw reproduces the observed facts; they may be impossible under this model, "
                "or continuous mechanisms need an inverse (use additive(...))."
            )
        kept = {v: u[keep] for v, u in noise.items()}
        result = world._propagate(kept, int(keep.sum()))
        return {v: float(np.mean(result[v])) for v in self._variables}
