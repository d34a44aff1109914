"""Lesson 12: causality and dynamics.  A linear dynamical system, its equilibrium SCM, and where they part.

A :class:`LinearSystem` is ``dx/dt = A x + b`` over named variables, simulated with
``scipy.integrate.solve_ivp``.  Clamping a variable (a hard intervention) deletes its
equation and holds it at a value; the rest settles, if it is stable, at the solution of
the remaining equations set to zero.  :meth:`LinearSystem.equilibrium_scm` writes those
equations as structural equations, one per variable, solved for that variable
(Mooij, Janzing & Schölkopf 2013): ``do()`` on that SCM gives where the clamped system
settles, provided the clamped system is stable (:meth:`LinearSystem.is_stable`, from the
eigenvalues).  The SCM is cyclic when the system has feedback (Bongers et al. 2021).

The lesson's house (:func:`house`): the room temperature ``T``, a thermometer ``M`` that
follows it with a lag, and a heater ``H``; with the thermostat on, the heater follows
``gain * (setpoint - M)``, which closes the loop T -> M -> H -> T.

>>> home = house(gain=4.0)
>>> round(home.equilibrium_scm().solve()["T"], 2)
17.0
>>> home.is_stable(), house(gain=12.0).is_stable()
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ._validate import check_count, check_known, check_mapping, check_positive, check_probability, check_real, check_seed

__all__ = ["LinearSystem", "EquilibriumSCM", "Trajectory", "house", "settling_time", "overshoot",
           "unrolled_graph", "critical_gain", "random_system", "HOUSE_VARIABLES"]

#: The house's variables, in order: room temperature, thermometer reading, heater output.
HOUSE_VARIABLES = ("T", "M", "H")


def _check_clamp(clamp, variables: Sequence[str]) -> dict[str, float]:
    if clamp is None:
        return {}
    check_mapping(clamp, "clamp")
    out = {}
    for name, value in clamp.items():
        check_known(name, variables, "clamp")
        out[name] = check_real(value, f"clamp[{name!r}]")
    return out


@dataclass(frozen=True)
class Trajectory:
    """A simulated path: ``times`` (shape (n,)) and ``values`` (shape (n, variables)), by ``variables``."""

    variables: tuple[str, ...]
    times: np.ndarray
    values: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[:, self.variables.index(check_known(name, self.variables, "name"))]

    def final(self) -> dict[str, float]:
        """The last value of every variable."""
        return {v: float(self.values[-1, i]) for i, v in enumerate(self.variables)}


class EquilibriumSCM:
    """Linear structural equations ``x_i := c_i + sum_j B_ij x_j``, possibly cyclic, with ``do()``.

    ``weights`` is ``{(cause, effect): B}``, ``intercepts`` ``{variable: c}``.  :meth:`solve`
    finds the one joint solution (it exists when ``I - B`` restricted to the free variables is
    invertible: the SCM is *uniquely solvable*).
    """

    def __init__(self, variables: Sequence[str], weights: Mapping[tuple[str, str], float],
                 intercepts: Mapping[str, float], fixed: Mapping[str, float] | None = None):
        self.variables = tuple(variables)
        self.weights = {k: float(w) for k, w in weights.items() if w != 0}
        self.intercepts = {v: float(intercepts.get(v, 0.0)) for v in self.variables}
        self.fixed = _check_clamp(fixed, self.variables)

    @property
    def graph(self) -> nx.DiGraph:
        """The causal graph: an edge cause -> effect for every nonzero weight (clamped variables lose their parents)."""
        g = nx.DiGraph()
        g.add_nodes_from(self.variables)
        for (u, v), w in self.weights.items():
            if v not in self.fixed:
                g.add_edge(u, v, weight=round(w, 3))
        return g

    def is_cyclic(self) -> bool:
        """Does the graph have a feedback loop?"""
        return not nx.is_directed_acyclic_graph(self.graph)

    def equations(self) -> list[str]:
        """The structural equations as text, e.g. ``'T := 5 + 1*H'``."""
        lines = []
        for v in self.variables:
            if v in self.fixed:
                lines.append(f"{v} := {self.fixed[v]:g}")
                continue
            terms = [f"{self.intercepts[v]:g}"] + [f"{w:+g}*{u}" for (u, t), w in self.weights.items() if t == v]
            lines.append(f"{v} := " + " ".join(terms).replace("+", "+ ").replace(" -", " - "))
        return lines

    def do(self, clamp: Mapping[str, float]) -> EquilibriumSCM:
        """The SCM with each clamped variable's equation replaced by its value."""
        clamp = _check_clamp(clamp, self.variables)
        return EquilibriumSCM(self.variables, self.weights, self.intercepts, {**self.fixed, **clamp})

    def solve(self) -> dict[str, float]:
        """The values that satisfy every equation at once; a clear error if there is not exactly one."""
        n, idx = len(self.variables), {v: i for i, v in enumerate(self.variables)}
        a, rhs = np.eye(n), np.zeros(n)
        for v in self.variables:
            i = idx[v]
            if v in self.fixed:
                rhs[i] = self.fixed[v]
                continue
            rhs[i] = self.intercepts[v]
            for (u, t), w in self.weights.items():
                if t == v:
                    a[i, idx[u]] -= w
        if abs(np.linalg.det(a)) < 1e-12:
            raise ValueError("these structural equations have no unique solution (I - B is singular).")
        x = np.linalg.solve(a, rhs)
        return {v: float(x[idx[v]]) for v in self.variables}


class LinearSystem:
    """``dx/dt = A x + b`` over named ``variables``; ``A`` is ``{(source, target): rate}`` (d target/dt per source)."""

    def __init__(self, variables: Sequence[str], rates: Mapping[tuple[str, str], float],
                 inputs: Mapping[str, float] | None = None):
        self.variables = tuple(variables)
        check_mapping(rates, "rates")
        n, self._idx = len(self.variables), {v: i for i, v in enumerate(self.variables)}
        self.A, self.b = np.zeros((n, n)), np.zeros(n)
        for (u, v), r in rates.items():
            check_known(u, self.variables, "rates")
            check_known(v, self.variables, "rates")
            self.A[self._idx[v], self._idx[u]] = check_real(r, f"rates[{(u, v)!r}]")
        for v, r in (inputs or {}).items():
            check_known(v, self.variables, "inputs")
            self.b[self._idx[v]] = check_real(r, f"inputs[{v!r}]")

    def _free(self, clamp: Mapping[str, float]) -> list[int]:
        return [i for i, v in enumerate(self.variables) if v not in clamp]

    def eigenvalues(self, clamp: Mapping[str, float] | None = None) -> np.ndarray:
        """Eigenvalues of the free (unclamped) variables' part of ``A``."""
        free = self._free(_check_clamp(clamp, self.variables))
        return np.linalg.eigvals(self.A[np.ix_(free, free)]) if free else np.array([])

    def is_stable(self, clamp: Mapping[str, float] | None = None) -> bool:
        """Does the (clamped) system settle from every start?  Every eigenvalue has a negative real part."""
        eig = self.eigenvalues(clamp)
        return bool(eig.size == 0 or eig.real.max() < -1e-9)

    def equilibrium(self, clamp: Mapping[str, float] | None = None) -> dict[str, float]:
        """Where the clamped system's derivatives are all zero (a fixed point; reached only if it is stable)."""
        clamp = _check_clamp(clamp, self.variables)
        free = self._free(clamp)
        x = np.zeros(len(self.variables))
        for v, c in clamp.items():
            x[self._idx[v]] = c
        if free:
            fixed = [self._idx[v] for v in clamp]
            rhs = -self.b[free] - self.A[np.ix_(free, fixed)] @ x[fixed]
            x[free] = np.linalg.solve(self.A[np.ix_(free, free)], rhs)
        return {v: float(x[i]) for i, v in enumerate(self.variables)}

    def simulate(self, hours: float = 24.0, start: Mapping[str, float] | None = None,
                 clamp: Mapping[str, float] | None = None, points: int = 241) -> Trajectory:
        """Integrate with ``solve_ivp`` from ``start`` (default all zero); clamped variables are held at their value."""
        from scipy.integrate import solve_ivp

        hours = check_positive(hours, "hours")
        clamp = _check_clamp(clamp, self.variables)
        x0 = np.zeros(len(self.variables))
        for v, value in (start or {}).items():
            x0[self._idx[check_known(v, self.variables, "start")]] = check_real(value, f"start[{v!r}]")
        held = np.array([v in clamp for v in self.variables])
        for v, c in clamp.items():
            x0[self._idx[v]] = c

        def rhs(_t, x):
            dx = self.A @ x + self.b
            dx[held] = 0.0
            return dx

        times = np.linspace(0.0, hours, points)
        sol = solve_ivp(rhs, (0.0, hours), x0, t_eval=times, method="RK45", rtol=1e-8, atol=1e-10)
        return Trajectory(self.variables, sol.t, sol.y.T)

    def equilibrium_scm(self) -> EquilibriumSCM:
        """Each equation ``dx_i/dt = 0`` solved for ``x_i`` (needs every ``A_ii != 0``: each variable self-regulates)."""
        weights, intercepts = {}, {}
        for v in self.variables:
            i = self._idx[v]
            if self.A[i, i] == 0:
                raise ValueError(f"variable {v!r} has no self-regulation (rate ({v!r}, {v!r}) is 0): "
                                 "its equation cannot be solved for it.")
            intercepts[v] = -self.b[i] / self.A[i, i]
            for u in self.variables:
                j = self._idx[u]
                if j != i and self.A[i, j] != 0:
                    weights[(u, v)] = -self.A[i, j] / self.A[i, i]
        return EquilibriumSCM(self.variables, weights, intercepts)


def house(gain: float = 4.0, *, thermostat: bool = True, dial: float = 15.0, outside: float = 5.0,
          setpoint: float = 20.0, loss_rate: float = 1.0, heating: float = 1.0, thermometer_rate: float = 1.0,
          heater_rate: float = 1.0) -> LinearSystem:
    """The lesson's house (times in hours, temperatures in °C, heater output in kW).

    * room: ``dT/dt = loss_rate (outside - T) + heating H``;
    * thermometer: ``dM/dt = thermometer_rate (T - M)``;
    * heater, thermostat on: ``dH/dt = heater_rate (gain (setpoint - M) - H)``; off: ``heater_rate (dial - H)``.
    """
    a = check_positive(loss_rate, "loss_rate")
    s, r = check_positive(thermometer_rate, "thermometer_rate"), check_positive(heater_rate, "heater_rate")
    g = check_real(heating, "heating")
    rates = {("T", "T"): -a, ("H", "T"): g, ("T", "M"): s, ("M", "M"): -s, ("H", "H"): -r}
    inputs = {"T": a * check_real(outside, "outside")}
    if thermostat:
        k = check_real(gain, "gain", minimum=0.0)
        rates[("M", "H")] = -r * k
        inputs["H"] = r * k * check_real(setpoint, "setpoint")
    else:
        inputs["H"] = r * check_real(dial, "dial")
    return LinearSystem(HOUSE_VARIABLES, rates, inputs)


def settling_time(trajectory: Trajectory, name: str, target: float, *, band: float = 0.5) -> float:
    """The first time after which ``name`` stays within ``band`` of ``target`` (``inf`` if it never does)."""
    x, band = trajectory[name], check_positive(band, "band")
    outside = np.nonzero(np.abs(x - check_real(target, "target")) > band)[0]
    if outside.size == 0:
        return 0.0
    if outside[-1] == len(x) - 1:
        return float("inf")
    return float(trajectory.times[outside[-1] + 1])


def overshoot(trajectory: Trajectory, name: str, target: float) -> float:
    """How far ``name`` goes past ``target`` on the far side from where it started (0 if it never does)."""
    x, target = trajectory[name], check_real(target, "target")
    direction = np.sign(target - x[0]) or 1.0
    return float(max(0.0, np.max(direction * (x - target))))


def unrolled_graph(system: LinearSystem, steps: int = 3) -> nx.DiGraph:
    """The time-unrolled DAG: node ``f"{v}{t}"`` for each variable and step; ``u_t -> v_{t+1}`` where u enters dv/dt.

    Every edge goes forward in time, so it is acyclic even when the equilibrium SCM is not.
    """
    g = nx.DiGraph()
    for t in range(steps):
        g.add_nodes_from(f"{v}{t}" for v in system.variables)
    for t in range(steps - 1):
        for i, v in enumerate(system.variables):
            for j, u in enumerate(system.variables):
                if i == j or system.A[i, j] != 0:
                    g.add_edge(f"{u}{t}", f"{v}{t + 1}")
    return g


def critical_gain(high: float = 100.0, **house_options) -> float:
    """The thermostat gain at which the house stops settling (bisection on :meth:`LinearSystem.is_stable`)."""
    low, high = 0.0, check_positive(high, "high")
    if house(high, **house_options).is_stable():
        return float("inf")
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if house(mid, **house_options).is_stable() else (low, mid)
    return (low + high) / 2


def random_system(n: int = 3, seed: int | None = None, *, density: float = 0.6) -> LinearSystem:
    """A random ``n``-variable system: each variable self-regulates (rate -1 to -3), other rates N(0, 1)."""
    rng = np.random.default_rng(check_seed(seed))
    names = [f"X{i}" for i in range(check_count(n, "n"))]
    density = check_probability(density, "density")
    rates = {(u, v): float(rng.normal()) for u in names for v in names if u != v and rng.random() < density}
    rates.update({(v, v): -float(rng.uniform(1.0, 3.0)) for v in names})
    return LinearSystem(names, rates, {v: float(rng.normal()) for v in names})
