"""What observation tells about a causal graph: its Markov equivalence class, from an oracle or from samples.

With ideal data, observing a system reveals the Markov equivalence class of its
causal DAG: the DAGs with the same skeleton and v-structures, drawn as a CPDAG
whose undirected edges are the ones observation cannot orient.
:func:`oracle_cpdag` runs the PC algorithm (pgmpy) with an exact
conditional-independence oracle (d-separation in the true graph);
:func:`learn_cpdag` runs it on samples, where the tests can err.

pgmpy is imported (through :mod:`causal_lessons._pgmpy`) only when the PC algorithm runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import networkx as nx
import numpy as np
import pandas as pd

from .. import graphs
from .._validate import check_count, check_int, check_known, check_probability, check_real, check_seed
from ..scm import LinearGaussianSCM

__all__ = [
    "check_pdag",
    "d_separation_oracle",
    "oracle_cpdag",
    "learn_cpdag",
    "pdag_differences",
    "random_linear_scm",
    "weakest_partial_correlation",
    "fisher_z_threshold",
]


def check_pdag(pdag, name: str = "pdag") -> nx.DiGraph:
    """``pdag`` if it is a networkx.DiGraph (a CPDAG: an undirected edge is two opposite arcs), else a TypeError."""
    if not isinstance(pdag, nx.DiGraph):
        raise TypeError(
            f"{name} must be a networkx.DiGraph (a CPDAG stores an undirected edge as two opposite arcs), "
            f"got {type(pdag).__name__}."
        )
    return pdag


def d_separation_oracle(dag: nx.DiGraph) -> Callable[..., bool]:
    """A conditional-independence test that never errs: X ⊥ Y | Z exactly when Z d-separates X and Y in ``dag``.

    The returned function has the signature pgmpy's PC expects,
    ``test(X, Y, Z, significance_level=...)``, and ignores the significance level.

    >>> test = d_separation_oracle(graphs.as_dag([("A", "B"), ("B", "C")]))
    >>> test("A", "C", []), test("A", "C", ["B"])
    (False, True)
    """
    dag = graphs.as_dag(dag, name="dag")
    nodes = list(dag.nodes)

    def test(X, Y, Z=(), significance_level=0.05, **kwargs) -> bool:
        check_known(X, nodes, "X")
        check_known(Y, nodes, "Y")
        for z in Z:
            check_known(z, nodes, "Z")
        return bool(nx.is_d_separator(dag, {X}, {Y}, set(Z)))

    return test


def _run_pc(data: pd.DataFrame, ci_test, significance_level: float) -> nx.DiGraph:
    from .._pgmpy import load

    load()
    from pgmpy.causal_discovery import PC

    estimator = PC(variant="stable", ci_test=ci_test, significance_level=significance_level,
                   return_type="pdag", show_progress=False)
    pdag = estimator.fit(data).causal_graph_
    result = nx.DiGraph()
    result.add_nodes_from(sorted(data.columns))
    result.add_edges_from(sorted(pdag.edges()))
    return result


def oracle_cpdag(dag: nx.DiGraph) -> nx.DiGraph:
    """What observation reveals with unlimited, faithful data: PC (pgmpy) run with :func:`d_separation_oracle`.

    Returns a CPDAG: an undirected edge is stored as two opposite arcs.  It equals
    :func:`causal_lessons.graphs.cpdag` (the unit tests check this on every DAG with 4 nodes).
    """
    dag = graphs.as_dag(dag, name="dag")
    if dag.number_of_nodes() < 2:
        raise ValueError("dag must have at least 2 variables for the PC algorithm.")
    # pgmpy reads the variable names from a table; the oracle never looks at its values.
    names = sorted(dag.nodes)
    table = pd.DataFrame(np.zeros((2, len(names))), columns=names)
    return _run_pc(table, d_separation_oracle(dag), 0.05)


def learn_cpdag(data: pd.DataFrame, *, significance_level: float = 0.01) -> nx.DiGraph:
    """The PC algorithm (pgmpy, stable variant) with Fisher's z test on linear-Gaussian samples.

    Finite samples make some tests wrong (a weak dependence looks like independence),
    so the answer may differ from the true CPDAG; compare with :func:`pdag_differences`.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame of samples (one column per variable), "
                        f"got {type(data).__name__}.")
    if data.shape[1] < 2:
        raise ValueError(f"data must have at least 2 columns (variables), got {data.shape[1]}.")
    if len(data) < 10:
        raise ValueError(f"data must have at least 10 rows (samples) for the independence tests, got {len(data)}.")
    level = check_real(significance_level, "significance_level", minimum=0.0, maximum=1.0, strict_minimum=True)
    return _run_pc(data, "fisher_z", level)


def _pair_kind(pdag: nx.DiGraph, u: str, v: str) -> str:
    forward, backward = pdag.has_edge(u, v), pdag.has_edge(v, u)
    if forward and backward:
        return "undirected"
    if forward:
        return "forward"
    if backward:
        return "backward"
    return "none"


def pdag_differences(estimate: nx.DiGraph, truth: nx.DiGraph) -> dict[str, int]:
    """Compare two partially directed graphs pair by pair.

    Returns ``missing`` (adjacent in ``truth`` only), ``extra`` (adjacent in
    ``estimate`` only), ``misoriented`` (adjacent in both, marked differently:
    directed the other way, or directed in one and undirected in the other) and
    ``shd``, their sum (the structural Hamming distance).
    """
    check_pdag(estimate, "estimate")
    check_pdag(truth, "truth")
    if set(estimate.nodes) != set(truth.nodes):
        raise ValueError(f"estimate and truth must have the same variables, got {sorted(estimate.nodes)} "
                         f"and {sorted(truth.nodes)}.")
    counts = {"missing": 0, "extra": 0, "misoriented": 0}
    for u, v in itertools.combinations(sorted(truth.nodes), 2):
        a, b = _pair_kind(estimate, u, v), _pair_kind(truth, u, v)
        if a == b:
            continue
        if a == "none":
            counts["missing"] += 1
        elif b == "none":
            counts["extra"] += 1
        else:
            counts["misoriented"] += 1
    counts["shd"] = sum(counts.values())
    return counts


def random_linear_scm(n: int = 5, *, density: float = 0.5, seed: int | None = None) -> LinearGaussianSCM:
    """A random linear-Gaussian SCM for structure learning: edges with probability ``density``.

    The graph comes from :func:`causal_lessons.graphs.random_dag`; each weight has a
    size uniform in [0.5, 1.5] and a random sign (random signs make exact or near
    cancellations along paths rarer than all-positive weights do); unit noise.
    """
    n = check_count(n, "n")
    density = check_probability(density, "density")
    seed = check_seed(seed)
    dag = graphs.random_dag(n, weight_range=(0.5, 1.5), density=density, seed=seed)
    rng = np.random.default_rng(seed)
    edges = {(u, v): float(d["weight"] * rng.choice([-1.0, 1.0])) for u, v, d in sorted(dag.edges(data=True))}
    return LinearGaussianSCM(edges, noise_std=1.0, variables=sorted(dag.nodes))


def weakest_partial_correlation(scm: LinearGaussianSCM) -> float:
    """The smallest |partial correlation| of two adjacent variables, over every edge and every conditioning set.

    Exact, from the model's covariance.  PC removes an edge when one of its tests
    finds independence; a true edge whose partial correlation is tiny given some
    set looks independent at any realistic sample size ("near-unfaithfulness").
    """
    if not isinstance(scm, LinearGaussianSCM):
        raise TypeError(f"scm must be a LinearGaussianSCM, got {type(scm).__name__}.")
    if not scm.edges:
        raise ValueError("scm has no edges, so there is no adjacent pair to measure.")
    cov = scm.covariance()
    weakest = 1.0
    for u, v in sorted(scm.edges):
        others = [x for x in scm.variables if x not in (u, v)]
        for size in range(len(others) + 1):
            for given in itertools.combinations(others, size):
                names = [u, v, *given]
                precision = np.linalg.inv(cov.loc[names, names].to_numpy())
                r = -precision[0, 1] / math.sqrt(precision[0, 0] * precision[1, 1])
                weakest = min(weakest, abs(r))
    return float(weakest)


def fisher_z_threshold(samples: int, significance_level: float = 0.01, conditioning: int = 0) -> float:
    """The smallest |partial correlation| that Fisher's z test calls a dependence, at this sample size.

    The test rejects independence when ``sqrt(samples - conditioning - 3) |atanh(r)|``
    exceeds the normal quantile ``z(1 - significance_level / 2)``.
    """
    from scipy.stats import norm

    samples = check_int(samples, "samples", minimum=5)
    conditioning = check_int(conditioning, "conditioning", minimum=0)
    if samples - conditioning - 3 < 1:
        raise ValueError(f"samples must exceed conditioning + 3, got samples={samples}, conditioning={conditioning}.")
    level = check_real(significance_level, "significance_level", minimum=0.0, maximum=1.0, strict_minimum=True)
    return float(np.tanh(norm.ppf(1 - level / 2) / math.sqrt(samples - conditioning - 3)))
