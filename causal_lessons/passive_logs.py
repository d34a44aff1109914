"""Passive logs: other people's records, some of which are their experiments.

A *passive* learner only reads; it never acts.  That does not make its data
*observational*.  A log of other people's records (papers, bug reports, forum
threads, conversations) mixes rows in which someone merely looked with rows in
which someone **set** a variable and reported what followed.  If each row says
what was done, a learner that scores causal hypotheses correctly can read the
direction of cause and effect out of the log, which no amount of pure
observation can give it.

The scoring rule for a record of an experiment: the variable that was set has
its own mechanism cut, so under any hypothesis its value contributes no
likelihood term; every other variable still follows its mechanism, with the
same parameters as in the observational rows (the mechanisms are invariant).

Everything here is closed form (least squares per mechanism), so thousands of
logs are scored in a second.

>>> from causal_lessons.scm import LinearGaussianSCM
>>> scm = LinearGaussianSCM({("X", "Y"): 0.8})
>>> log = make_log(scm, 500, 0.0, seed=1)          # observations only
>>> a, b = log_likelihood(log, [("X", "Y")]), log_likelihood(log, [("Y", "X")])
>>> bool(abs(a - b) < 1e-9)
True
>>> log = make_log(scm, 500, 0.2, seed=1)          # 20% of the rows are marked experiments
>>> bool(log_likelihood(log, [("X", "Y")]) > log_likelihood(log, [("Y", "X")]))
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from . import graphs
from ._validate import check_count, check_known, check_name, check_positive, check_probability, check_real, check_seed
from .scm import LinearGaussianSCM

__all__ = [
    "PassiveLog",
    "make_log",
    "check_log",
    "FittedMechanism",
    "fit_mechanism",
    "log_likelihood",
    "bic",
    "all_hypotheses",
    "graph_label",
    "hypothesis_scores",
    "best_hypotheses",
    "LogStudy",
    "study_logs",
    "study_logs_both_ways",
    "accuracy_grid",
    "interventional_class",
    "identifying_experiments",
]

#: Label of a row in which nobody set anything.
OBSERVED = "observed"


# ==================================================================================================
# The log
# ==================================================================================================

@dataclass(frozen=True, eq=False)
class PassiveLog:
    """Rows of other people's records.

    ``values[i, j]`` is the value of ``variables[j]`` in row ``i``;
    ``setter[i]`` is the index of the variable that the row's author set
    (``-1`` when the row is a plain observation).  A log whose rows carry no
    record of what was done is :meth:`unmarked`: every ``setter`` is ``-1``,
    though some rows may still be experiments.
    """

    variables: tuple[str, ...]
    values: np.ndarray
    setter: np.ndarray
    marked: bool = True

    def __post_init__(self):
        values = np.array(self.values, dtype=float)
        setter = np.array(self.setter, dtype=int)
        if values.ndim != 2 or values.shape[1] != len(self.variables):
            raise ValueError(f"values must have one column per variable ({len(self.variables)}), "
                             f"got shape {values.shape}.")
        if setter.shape != (values.shape[0],):
            raise ValueError(f"setter must have one entry per row ({values.shape[0]}), got shape {setter.shape}.")
        if setter.size and (setter.min() < -1 or setter.max() >= len(self.variables)):
            raise ValueError("setter entries must be -1 (observed) or the index of a variable.")
        values.setflags(write=False)
        setter.setflags(write=False)
        object.__setattr__(self, "variables", tuple(self.variables))
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "setter", setter)

    @property
    def n_rows(self) -> int:
        """Number of rows in the log."""
        return int(self.values.shape[0])

    def column(self, variable: str) -> np.ndarray:
        """The values of one variable, row by row."""
        check_known(variable, self.variables, "variable")
        return self.values[:, self.variables.index(variable)]

    def was_set(self, variable: str) -> np.ndarray:
        """Boolean mask of the rows whose record says that ``variable`` was set by someone."""
        check_known(variable, self.variables, "variable")
        return self.setter == self.variables.index(variable)

    def counts(self) -> dict[str, int]:
        """How many rows are observations and how many set each variable, by the log's own record."""
        out = {OBSERVED: int(np.sum(self.setter == -1))}
        for j, v in enumerate(self.variables):
            out[f"set {v}"] = int(np.sum(self.setter == j))
        return out

    def unmarked(self) -> PassiveLog:
        """The same numbers with the record of what was done erased: every row reads as an observation."""
        return PassiveLog(self.variables, self.values, np.full(self.n_rows, -1), marked=False)

    def to_frame(self):
        """The log as a table (pandas), with a ``record`` column: ``observed`` or ``set X``."""
        import pandas as pd

        frame = pd.DataFrame(self.values, columns=list(self.variables))
        frame["record"] = [OBSERVED if s < 0 else f"set {self.variables[s]}" for s in self.setter]
        return frame

    def __repr__(self) -> str:
        kind = "marked" if self.marked else "unmarked"
        return f"PassiveLog({self.n_rows} rows of {', '.join(self.variables)}, {kind}, {self.counts()})"


def _check_scm(scm: Any):
    if not isinstance(scm, LinearGaussianSCM):
        raise TypeError(f"scm must be a LinearGaussianSCM, got {type(scm).__name__}.")
    if scm.interventions:
        raise ValueError("scm must be the unintervened model (call make_log on the model before .do(...)).")
    return scm


def _target_indices(targets: Any, variables: Sequence[str]) -> np.ndarray:
    if targets is None:
        return np.arange(len(variables))
    if isinstance(targets, str):
        raise TypeError(f"targets must be a list of variable names, got the string {targets!r}; "
                        f"write [{targets!r}].")
    names = [check_known(t, variables, "targets") for t in targets]
    if not names:
        raise ValueError("targets must name at least one variable that experimenters may set.")
    return np.array(sorted({list(variables).index(t) for t in names}))


def _draw_logs(scm, n_rows: int, p: float, reps: int, targets: Any, set_std: float,
               seed: int | None) -> tuple[np.ndarray, np.ndarray]:
    """``reps`` logs at once: values of shape (reps, n_rows, d) and setter codes of shape (reps, n_rows).

    The model is sampled once per kind of row (observed, set X, set Y, ...) for
    all the logs together, so that many logs cost little more than one.
    """
    scm = _check_scm(scm)
    n_rows = check_count(n_rows, "n_rows")
    p = check_probability(p, "p")
    set_std = check_positive(set_std, "set_std")
    seed = check_seed(seed)
    variables = scm.variables
    target_idx = _target_indices(targets, variables)
    rng = np.random.default_rng(seed)
    n_exp = int(round(p * n_rows))
    setter = np.full((reps, n_rows), -1)
    positions = np.argsort(rng.random((reps, n_rows)), axis=1)[:, :n_exp]
    np.put_along_axis(setter, positions, target_idx[rng.integers(len(target_idx), size=(reps, n_exp))], axis=1)
    set_values = rng.normal(0.0, set_std, size=(reps, n_rows))
    seeds = rng.integers(2**31, size=len(variables) + 1)
    values = np.empty((reps, n_rows, len(variables)))
    total = scm.total_effects().to_numpy()
    for code in range(-1, len(variables)):
        rows = setter == code
        count = int(rows.sum())
        if count == 0:
            continue
        if code < 0:
            values[rows] = scm.sample(count, seed=int(seeds[0])).to_numpy()
        else:
            # Linear model: do(v = a) equals do(v = 0) shifted by a times v's total effects.
            base = scm.do({variables[code]: 0.0}).sample(count, seed=int(seeds[code + 1])).to_numpy()
            values[rows] = base + set_values[rows][:, None] * total[code]
    return values, setter


def make_log(scm, n_rows: int, p: float, *, targets: Iterable[str] | None = None, set_std: float = 2.0,
             seed: int | None = None) -> PassiveLog:
    """A passive log of ``n_rows`` records from ``scm``; a fraction ``p`` of them are experiments.

    ``round(p * n_rows)`` rows, at random places, are other people's experiments:
    each picks one variable from ``targets`` (default: every variable) at random,
    sets it to a value drawn from N(0, ``set_std``²), and records every variable;
    the row says which variable was set.  The other rows are observations.
    The learner who reads the log never chooses anything.
    """
    values, setter = _draw_logs(scm, n_rows, p, 1, targets, set_std, seed)
    return PassiveLog(tuple(scm.variables), values[0], setter[0])


def check_log(log: Any) -> PassiveLog:
    """``log`` if it is a :class:`PassiveLog`, else a TypeError that says how to make one."""
    if not isinstance(log, PassiveLog):
        raise TypeError(f"log must be a PassiveLog (made by make_log), got {type(log).__name__}.")
    return log


# ==================================================================================================
# Scoring hypotheses
# ==================================================================================================

@dataclass(frozen=True)
class FittedMechanism:
    """The maximum-likelihood fit of one mechanism ``child := intercept + Σ weight·parent + N(0, noise_std²)``.

    Fitted on the rows in which ``child`` was not set (``n_rows`` of them).
    ``log_likelihood`` is the maximized Gaussian log-likelihood of those rows;
    ``n_params`` counts the intercept, the weights and the noise variance.
    """

    child: str
    parents: tuple[str, ...]
    intercept: float
    weights: dict[str, float]
    noise_std: float
    log_likelihood: float
    n_rows: int
    n_params: int

    @property
    def bic(self) -> float:
        """Schwarz's criterion for this mechanism: ``log_likelihood - n_params/2 * log(n_rows)`` (larger is better)."""
        return self.log_likelihood - 0.5 * self.n_params * math.log(self.n_rows)


def _moments(values: np.ndarray, setter: np.ndarray, child: int):
    """Row counts, means and covariances (divisor n) of the rows where ``child`` was not set, per log."""
    used = (setter != child).astype(float)
    n_used = used.sum(axis=1)
    safe = np.maximum(n_used, 1.0)
    mean = np.einsum("rn,rnd->rd", used, values) / safe[:, None]
    centered = values - mean[:, None, :]
    cov = np.einsum("rn,rni,rnj->rij", used, centered, centered) / safe[:, None, None]
    return n_used, mean, cov


def _fit(variables: Sequence[str], moments, child: int, parents: tuple[int, ...]):
    """Closed-form maximum-likelihood fit of one mechanism in every log: (log-lik, BIC, weights, intercept, var).

    Least squares with an intercept, written with the moments: the weights solve
    ``Σ_PP w = Σ_Pc`` and the residual variance is ``Σ_cc - Σ_cP w``.
    """
    n_used, mean, cov = moments
    n_params = len(parents) + 2
    if n_used.min() < n_params:
        raise ValueError(
            f"only {int(n_used.min())} rows of the log leave {variables[child]} unset: too few to fit its "
            f"mechanism with {len(parents)} parent(s); use a longer log or fewer experiments."
        )
    if parents:
        idx = list(parents)
        s_pp = cov[:, idx][:, :, idx]
        s_pc = cov[:, idx, child]
        try:
            weights = np.linalg.solve(s_pp, s_pc[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            raise ValueError(f"the parents {[variables[i] for i in idx]} of {variables[child]} are exactly "
                             "collinear in the log; their effects cannot be told apart.") from None
        var = cov[:, child, child] - np.sum(s_pc * weights, axis=1)
        intercept = mean[:, child] - np.sum(mean[:, idx] * weights, axis=1)
    else:
        weights = np.zeros((len(n_used), 0))
        var = cov[:, child, child]
        intercept = mean[:, child]
    var = np.maximum(var, 1e-300)
    loglik = -0.5 * n_used * (np.log(2 * math.pi * var) + 1.0)
    return loglik, loglik - 0.5 * n_params * np.log(n_used), weights, intercept, var


def fit_mechanism(log: PassiveLog, child: str, parents: Iterable[str] = ()) -> FittedMechanism:
    """Fit ``child``'s mechanism on its ``parents`` by least squares, using only the rows where ``child`` was not set.

    In an unmarked log every row is used, including experiments on ``child``
    that nobody recorded, which is how the record's absence biases estimates.
    """
    log = check_log(log)
    check_known(child, log.variables, "child")
    if isinstance(parents, str):
        parents = [parents]
    parents = tuple(check_known(p, log.variables, "parents") for p in parents)
    if child in parents:
        raise ValueError(f"parents must not include the child {child!r} itself.")
    if len(set(parents)) != len(parents):
        raise ValueError(f"parents must be distinct, got {list(parents)}.")
    idx = tuple(log.variables.index(p) for p in parents)
    c = log.variables.index(child)
    moments = _moments(log.values[None], log.setter[None], c)
    loglik, _, weights, intercept, var = _fit(log.variables, moments, c, idx)
    return FittedMechanism(child, parents, float(intercept[0]), {p: float(w) for p, w in zip(parents, weights[0])},
                           math.sqrt(var[0]), float(loglik[0]), int(moments[0][0]), len(parents) + 2)


def _as_hypothesis(graph: Any, variables: Sequence[str], name: str = "graph") -> nx.DiGraph:
    dag = graphs.as_dag(graph, name=name)
    for v in dag.nodes:
        check_known(v, variables, f"{name}: variable")
    dag.add_nodes_from(variables)
    return dag


def _batch_scores(variables: Sequence[str], values: np.ndarray, setter: np.ndarray,
                  hypotheses: Sequence[nx.DiGraph]) -> np.ndarray:
    """Log-likelihood and BIC of every hypothesis on every log: shape (logs, hypotheses, 2).

    The score decomposes over mechanisms, so each (child, parents) family is fitted once.
    """
    index = {v: i for i, v in enumerate(variables)}
    out = np.zeros((values.shape[0], len(hypotheses), 2))
    moments: dict[Any, Any] = {}
    cache: dict[tuple[int, tuple[int, ...]], tuple[np.ndarray, np.ndarray]] = {}
    set_somewhere = {i for i in range(len(variables)) if (setter == i).any()}
    for h, dag in enumerate(hypotheses):
        for v in variables:
            key = (index[v], tuple(sorted(index[p] for p in dag.predecessors(v))))
            if key not in cache:
                # a variable set in no row leaves every row to its fit: the same moments for all such variables
                rows = key[0] if key[0] in set_somewhere else "every row"
                if rows not in moments:
                    moments[rows] = _moments(values, setter, key[0])
                cache[key] = _fit(variables, moments[rows], *key)[:2]
            out[:, h, 0] += cache[key][0]
            out[:, h, 1] += cache[key][1]
    return out


def _family_scores(log: PassiveLog, hypotheses: Sequence[nx.DiGraph]) -> np.ndarray:
    """(log-likelihood, BIC) of every hypothesis on one log: shape (hypotheses, 2)."""
    return _batch_scores(log.variables, log.values[None], log.setter[None], hypotheses)[0]


def log_likelihood(log: PassiveLog, graph: Any) -> float:
    """The maximized log-likelihood of ``log`` under the causal hypothesis ``graph``.

    The sum over variables of the fitted mechanisms' log-likelihoods; a variable
    contributes nothing in the rows where someone set it (its mechanism was cut).
    ``graph`` is a DiGraph, a list of (cause, effect) pairs or a dict.
    """
    log = check_log(log)
    return float(_family_scores(log, [_as_hypothesis(graph, log.variables)])[0, 0])


def bic(log: PassiveLog, graph: Any) -> float:
    """Schwarz's Bayesian information criterion of ``graph`` on ``log`` (larger is better).

    The sum over mechanisms of ``log-likelihood - (parameters/2) log(rows used)``:
    a large-sample approximation of the log marginal likelihood, so that
    ``exp(BIC)``, normalized over the hypotheses, approximates the posterior
    under a uniform prior.
    """
    log = check_log(log)
    return float(_family_scores(log, [_as_hypothesis(graph, log.variables)])[0, 1])


def all_hypotheses(variables: Sequence[str]) -> list[nx.DiGraph]:
    """Every DAG on ``variables`` (3 for two variables, 25 for three), from :func:`graphs.all_dags`.

    Ordered by number of edges, then by their sorted edge lists, so the order is reproducible.
    """
    if isinstance(variables, str):
        raise TypeError(f"variables must be a list of names, got the string {variables!r}.")
    variables = [check_name(v, "variables") for v in variables]
    if len(set(variables)) != len(variables) or not variables:
        raise ValueError(f"variables must be distinct names (at least one), got {variables}.")
    dags = [graphs.adjacency_to_dag(a, variables) for a in graphs.all_dags(len(variables))]
    return sorted(dags, key=lambda g: (g.number_of_edges(), sorted(g.edges)))


def graph_label(graph: Any) -> str:
    """A short readable name for a hypothesis, e.g. ``X→Y, Y→Z`` (edges sorted) or ``no edges``."""
    dag = graphs.as_dag(graph, name="graph")
    edges = sorted(dag.edges)
    return ", ".join(f"{u}→{v}" for u, v in edges) if edges else "no edges"


def _hypothesis_list(log: PassiveLog, hypotheses: Any) -> list[nx.DiGraph]:
    if hypotheses is None:
        return all_hypotheses(log.variables)
    if isinstance(hypotheses, (nx.DiGraph, Mapping)) or not isinstance(hypotheses, Iterable):
        raise TypeError("hypotheses must be a list of graphs (each a DiGraph or a list of (cause, effect) pairs).")
    result = [_as_hypothesis(h, log.variables, f"hypotheses[{i}]") for i, h in enumerate(hypotheses)]
    if not result:
        raise ValueError("hypotheses must hold at least one graph.")
    return result


def _posterior(scores: np.ndarray) -> np.ndarray:
    z = scores - scores.max()
    w = np.exp(z)
    return w / w.sum()


def hypothesis_scores(log: PassiveLog, hypotheses: Iterable[Any] | None = None):
    """Score every hypothesis on the log: a table with ``log_likelihood``, ``bic`` and ``posterior``.

    ``posterior`` is ``exp(BIC)`` normalized over the hypotheses (uniform prior).
    The default hypotheses are all DAGs on the log's variables.  Rows keep the
    order of ``hypotheses`` and are indexed by :func:`graph_label`.
    """
    import pandas as pd

    log = check_log(log)
    dags = _hypothesis_list(log, hypotheses)
    scores = _family_scores(log, dags)
    return pd.DataFrame({"log_likelihood": scores[:, 0], "bic": scores[:, 1], "posterior": _posterior(scores[:, 1])},
                        index=pd.Index([graph_label(g) for g in dags], name="hypothesis"))


def best_hypotheses(table, *, column: str = "bic", rtol: float = 1e-9) -> list[str]:
    """The hypotheses tied for the best score in a :func:`hypothesis_scores` table, sorted.

    Scores within ``rtol`` (relative) of the best count as tied: Markov-equivalent
    graphs differ only by floating-point rounding.
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or column not in table.columns:
        raise TypeError(f"table must be a table from hypothesis_scores with a {column!r} column.")
    if column not in ("log_likelihood", "bic", "posterior"):
        raise ValueError(f"column must be 'log_likelihood', 'bic' or 'posterior', got {column!r}.")
    rtol = check_real(rtol, "rtol", minimum=0.0)
    scores = table[column].to_numpy()
    best = scores.max()
    return sorted(table.index[scores >= best - rtol * max(1.0, abs(best))])


# ==================================================================================================
# Repeated logs
# ==================================================================================================

@dataclass(frozen=True)
class LogStudy:
    """What a learner concludes over many independent logs of the same kind.

    ``posterior[r, h]`` is the posterior of hypothesis ``h`` on log ``r``;
    ``truth`` is the index of the true graph in ``labels``.  ``accuracy`` is the
    fraction of logs whose best-scoring hypothesis is the truth, a tie between
    ``k`` hypotheses counting ``1/k`` (a fair coin among them).
    """

    labels: list[str]
    truth: int
    posterior: np.ndarray
    accuracy: float

    @property
    def mean_posterior(self) -> np.ndarray:
        """The posterior of each hypothesis, averaged over the logs."""
        return self.posterior.mean(axis=0)

    @property
    def posterior_of_truth(self) -> float:
        """The mean posterior of the true graph."""
        return float(self.posterior[:, self.truth].mean())


def _truth_index(scm, dags: Sequence[nx.DiGraph]) -> int:
    true_edges = set(scm.graph.edges)
    for i, g in enumerate(dags):
        if set(g.edges) == true_edges:
            return i
    raise ValueError("the true graph of scm is not among the hypotheses.")


def study_logs(scm, n_rows: int, p: float, *, reps: int = 200, marked: bool = True,
               targets: Iterable[str] | None = None, set_std: float = 2.0, seed: int | None = 0) -> LogStudy:
    """Draw ``reps`` independent logs (see :func:`make_log`) and score all DAGs on each.

    With ``marked=False`` the learner reads each log with the record of what
    was done erased (:meth:`PassiveLog.unmarked`): the same numbers, all taken
    for observations.
    """
    if not isinstance(marked, bool):
        raise TypeError(f"marked must be True or False, got {marked!r}.")
    return _study_logs(scm, n_rows, p, reps, targets, set_std, seed, (marked,))[0]


def study_logs_both_ways(scm, n_rows: int, p: float, *, reps: int = 200, targets: Iterable[str] | None = None,
                         set_std: float = 2.0, seed: int | None = 0) -> tuple[LogStudy, LogStudy]:
    """``(marked, unmarked)``: :func:`study_logs` with ``marked=True`` and with ``marked=False``, on the same logs.

    The same numbers as the two calls (same ``seed``, so the same logs), for the cost
    of drawing the logs once: the learner that reads the record and the one that
    reads every row as an observation.
    """
    return _study_logs(scm, n_rows, p, reps, targets, set_std, seed, (True, False))


def _study_logs(scm, n_rows, p, reps, targets, set_std, seed, readings: tuple[bool, ...]) -> list[LogStudy]:
    """Draw ``reps`` logs once and score all DAGs on them, once per reading (marked or not)."""
    scm = _check_scm(scm)
    reps = check_count(reps, "reps")
    seed = check_seed(seed)
    dags = all_hypotheses(scm.variables)
    truth = _truth_index(scm, dags)
    labels = [graph_label(g) for g in dags]
    values, setter = _draw_logs(scm, n_rows, p, reps, targets, set_std, seed)
    studies = []
    for marked in readings:
        seen = setter if marked else np.full_like(setter, -1)
        score = _batch_scores(scm.variables, values, seen, dags)[:, :, 1]
        best = score.max(axis=1, keepdims=True)
        tied = score >= best - 1e-9 * np.maximum(1.0, np.abs(best))
        hits = float(np.sum(tied[:, truth] / tied.sum(axis=1)))
        post = np.exp(score - best)
        post /= post.sum(axis=1, keepdims=True)
        studies.append(LogStudy(list(labels), truth, post, hits / reps))
    return studies


def accuracy_grid(scm, ps: Iterable[float], sizes: Iterable[int], *, reps: int = 200, seed: int | None = 0,
                  **kwargs):
    """:func:`study_logs` for every fraction ``p`` in ``ps``, log size in ``sizes``, marked and unmarked.

    Returns a table with columns ``p``, ``n_rows``, ``marked``, ``accuracy`` and
    ``posterior_of_truth``.  Each cell uses its own seed derived from ``seed``.
    """
    import pandas as pd

    ps = [check_probability(p, "ps") for p in ps]
    sizes = [check_count(n, "sizes") for n in sizes]
    if not ps or not sizes:
        raise ValueError("ps and sizes must each hold at least one value.")
    seed = check_seed(seed)
    rows = []
    cell_seeds = np.random.default_rng(seed).integers(2**31, size=(len(sizes), len(ps)))
    for i, n in enumerate(sizes):
        for j, p in enumerate(ps):
            for marked in (True, False):
                st = study_logs(scm, n, p, reps=reps, marked=marked, seed=int(cell_seeds[i, j]), **kwargs)
                rows.append({"p": p, "n_rows": n, "marked": marked, "accuracy": st.accuracy,
                             "posterior_of_truth": st.posterior_of_truth})
    return pd.DataFrame(rows)


# ==================================================================================================
# Which experiments pin a graph down
# ==================================================================================================

def interventional_class(truth: Any, experiments: Iterable[str] = (), *,
                         variables: Sequence[str] | None = None) -> list[nx.DiGraph]:
    """The DAGs that no log of observations plus experiments on ``experiments`` can tell apart from ``truth``.

    With no experiments this is the Markov equivalence class (same skeleton and
    v-structures).  With experiments it is the interventional equivalence class
    of Hauser & Bühlmann (2012): for the observations and for each variable set,
    the graphs with that variable's incoming edges removed must share skeleton
    and v-structures.  Returned in :func:`all_hypotheses` order (n <= 5).
    """
    if variables is None:
        variables = sorted(graphs.as_dag(truth, name="truth").nodes)
    dags = all_hypotheses(variables)
    target = _as_hypothesis(truth, variables, "truth")
    if isinstance(experiments, str):
        experiments = [experiments]
    experiments = sorted({check_known(e, variables, "experiments") for e in experiments})
    adj = np.array([graphs.dag_to_adjacency(g, variables) for g in dags + [target]])
    keys = [graphs.equivalence_keys(adj)]
    for e in experiments:
        cut = adj.copy()
        cut[:, :, list(variables).index(e)] = False
        keys.append(graphs.equivalence_keys(cut))
    keys = np.concatenate(keys, axis=1)
    same = np.all(keys[:-1] == keys[-1], axis=1)
    return [g for g, s in zip(dags, same) if s]


def identifying_experiments(truth: Any, *, variables: Sequence[str] | None = None) -> set[str]:
    """The variables such that observations plus experiments on that one variable single out ``truth``."""
    if variables is None:
        variables = sorted(graphs.as_dag(truth, name="truth").nodes)
    return {v for v in variables if len(interventional_class(truth, [v], variables=variables)) == 1}
