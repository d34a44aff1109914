"""How many experiments are still needed to identify a causal DAG, exactly for small n and adaptively on a CPDAG.

The ideal model of the exact analysis (:func:`experiment_analysis`)
    The true causal graph G is one of the labelled DAGs on n nodes
    (:func:`causal_lessons.graphs.all_dags`), each equally likely a priori.
    Data are unlimited and faithful, so:

    * observational data reveal the Markov equivalence class of G;
    * a single-variable experiment do(X) (X set by the experimenter, independently
      of everything else) reveals the Markov equivalence class of G with the
      edges into X removed (the "mutilated" graph).

    A DAG D stays a *candidate* while it would have produced the same results as
    G: the same class (when observational data are available) and, for every X
    experimented on, the same class after removing the edges into X.  With
    observational data plus do(X) this is Hauser & Bühlmann's (2012)
    interventional Markov equivalence.  The learner is done when exactly one DAG
    is left: it must identify the DAG, not only its class.  Observation is free
    (0 experiments); a strategy is *adaptive* when it chooses each experiment
    after seeing the results of the previous ones.

On a CPDAG: the outcomes of an experiment (:func:`experiment_outcomes`), a
greedy chooser (:func:`greedy_experiment`) and adaptive learning
(:func:`adaptive_experiments`).  Matplotlib is imported inside the figures.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import networkx as nx
import numpy as np

from .. import graphs
from .._validate import check_int, check_known
from .observation import check_pdag

__all__ = [
    "STRATEGIES",
    "count_labelled_dags",
    "dag_index",
    "experiment_results",
    "consistent_mask",
    "consistent_dags",
    "ExperimentAnalysis",
    "experiment_analysis",
    "expected_experiments",
    "informative_variables",
    "experiment_outcomes",
    "apply_experiment",
    "greedy_experiment",
    "guaranteed_experiments",
    "adaptive_experiments",
    "draw_candidates",
    "plot_experiment_counts",
]


#: The strategies :func:`experiment_analysis` knows.
STRATEGIES = {
    "optimal": "fewest experiments on average (uniform prior over the candidates)",
    "minimax": "fewest experiments in the worst case",
    "greedy": "each experiment settles the most pairs of variables in the worst case (Hauser & Bühlmann's "
              "OptSingle idea: with observational data, the most edges oriented)",
}


def count_labelled_dags(n: int) -> int:
    """The number of DAGs on ``n`` labelled nodes, by Robinson's (1973) recurrence (no enumeration needed).

    ``a(n) = sum_{k=1..n} (-1)^(k+1) C(n, k) 2^(k (n - k)) a(n - k)``, ``a(0) = 1``: choose
    the k nodes with no parents, let each send edges to any of the others.

    >>> [count_labelled_dags(n) for n in range(1, 7)]
    [1, 3, 25, 543, 29281, 3781503]
    """
    n = check_int(n, "n", minimum=0)
    counts = [1]
    for m in range(1, n + 1):
        counts.append(sum((-1) ** (k + 1) * math.comb(m, k) * 2 ** (k * (m - k)) * counts[m - k]
                          for k in range(1, m + 1)))
    return counts[n]


def _check_names(dag: nx.DiGraph, n: int) -> None:
    expected = graphs.variable_names(n)
    if sorted(dag.nodes) != expected:
        raise ValueError(
            f"the exact analysis names the variables {', '.join(expected)}; the DAG has "
            f"{', '.join(sorted(map(str, dag.nodes))) or 'no variables'}."
        )


@lru_cache(maxsize=None)
def _index_tables(n: int):
    dags = graphs.all_dags(n)
    weights = (1 << np.arange(n * n, dtype=np.int64)).reshape(n, n)
    codes = (dags * weights).sum(axis=(1, 2))
    order = np.argsort(codes)
    return weights, codes[order], order


def _indices_of(adjacency: np.ndarray, n: int) -> np.ndarray:
    weights, sorted_codes, order = _index_tables(n)
    codes = (np.asarray(adjacency, dtype=bool) * weights).sum(axis=(-2, -1))
    pos = np.searchsorted(sorted_codes, codes)
    return order[pos]


def dag_index(dag: nx.DiGraph) -> int:
    """The position of ``dag`` in :func:`causal_lessons.graphs.all_dags` (variables named A, B, C, ...).

    >>> dag_index(graphs.as_dag([], nodes="ABC"))
    0
    """
    dag = graphs.as_dag(dag, name="dag")
    n = dag.number_of_nodes()
    if n < 1 or n > graphs.MAX_ENUMERATION_N:
        raise ValueError(f"the exact analysis works with 1 to {graphs.MAX_ENUMERATION_N} variables; "
                         f"the DAG has {n}.")
    _check_names(dag, n)
    return int(_indices_of(graphs.dag_to_adjacency(dag, graphs.variable_names(n)), n))


@lru_cache(maxsize=None)
def _experiment_results_cached(n: int) -> np.ndarray:
    dags = graphs.all_dags(n)
    labels = graphs.mec_labels(n)
    result = np.empty((n, len(dags)), dtype=np.int64)
    for x in range(n):
        mutilated = dags.copy()
        mutilated[:, :, x] = False  # remove the edges into x
        result[x] = labels[_indices_of(mutilated, n)]
    result.setflags(write=False)
    return result


def experiment_results(n: int) -> np.ndarray:
    """What each experiment reveals, for every DAG: ``R[x, k]`` = class id of DAG k with the edges into x removed.

    Class ids are those of :func:`causal_lessons.graphs.mec_labels`.  Two DAGs
    give the same result under do(x) exactly when their ``R[x]`` entries agree.
    """
    return _experiment_results_cached(graphs.check_enumeration_n(n))


def consistent_mask(dag: nx.DiGraph, experiments: Sequence[str], observational: bool) -> np.ndarray:
    """Which of the labelled DAGs on ``dag``'s nodes (in :func:`causal_lessons.graphs.all_dags` order) are still
    candidates after ``experiments`` (and observational data, if ``observational``): see :func:`consistent_dags`."""
    n = dag.number_of_nodes()
    names = graphs.variable_names(n)
    k = dag_index(dag)
    mask = np.ones(len(graphs.all_dags(n)), dtype=bool)
    if observational:
        labels = graphs.mec_labels(n)
        mask &= labels == labels[k]
    results = experiment_results(n)
    for x in experiments:
        i = names.index(check_known(x, names, "experiments"))
        mask &= results[i] == results[i, k]
    return mask


def consistent_dags(dag: nx.DiGraph, experiments: Iterable[str] = (), *, observational: bool = True) -> list[nx.DiGraph]:
    """The candidate DAGs left when the truth is ``dag``, after observing (if ``observational``) and the ``experiments``.

    Uses the ideal model of this module's docstring.  The list follows the order
    of :func:`causal_lessons.graphs.all_dags`.

    >>> chain = graphs.as_dag([("A", "B"), ("B", "C")])
    >>> len(consistent_dags(chain, observational=False)), len(consistent_dags(chain)), len(consistent_dags(chain, ["B"]))
    (25, 3, 1)
    """
    dag = graphs.as_dag(dag, name="dag")
    if isinstance(experiments, str):
        experiments = [experiments]
    mask = consistent_mask(dag, list(experiments), bool(observational))
    names = graphs.variable_names(dag.number_of_nodes())
    return [graphs.adjacency_to_dag(a, names) for a in graphs.all_dags(dag.number_of_nodes())[mask]]


@dataclass(frozen=True)
class ExperimentAnalysis:
    """How many experiments a strategy needs for each labelled DAG on ``n`` nodes (the truth).

    ``experiments[k]`` is the number the strategy uses when the truth is
    ``all_dags(n)[k]``; under the uniform prior the expected number is their mean.
    """

    n: int
    observational: bool
    strategy: str
    experiments: np.ndarray

    @property
    def n_dags(self) -> int:
        """The number of labelled DAGs analysed (all of them, for this n)."""
        return len(self.experiments)

    @property
    def expected_exact(self) -> Fraction:
        """The expected number of experiments as an exact fraction."""
        return Fraction(int(self.experiments.sum()), self.n_dags)

    @property
    def expected(self) -> float:
        """The expected number of experiments, rounded to 2 decimals."""
        return round(float(self.expected_exact), 2)

    @property
    def worst_case(self) -> int:
        """The most experiments the strategy ever needs."""
        return int(self.experiments.max())

    def distribution(self) -> dict[int, int]:
        """How many DAGs need 0, 1, 2, ... experiments."""
        counts = np.bincount(self.experiments)
        return {k: int(c) for k, c in enumerate(counts)}


class _Planner:
    """Dynamic programming over sets of candidate DAGs (sorted index arrays), memoised."""

    def __init__(self, n: int, strategy: str):
        self.n = n
        self.strategy = strategy
        self.results = experiment_results(n)
        dags = graphs.all_dags(n)
        i, j = np.triu_indices(n, 1)
        # relation of each pair (i < j): 0 none, 1 i->j, 2 j->i
        self.pairs = dags[:, i, j].astype(np.int8) + 2 * dags[:, j, i].astype(np.int8)
        self.memo: dict[bytes, tuple[int, int]] = {}

    def split(self, S: np.ndarray, x: int) -> list[np.ndarray]:
        """The groups of S that do(x) tells apart (each stays sorted)."""
        labels = self.results[x][S]
        order = np.argsort(labels, kind="stable")
        ordered = labels[order]
        bounds = [0, *(np.flatnonzero(ordered[1:] != ordered[:-1]) + 1).tolist(), len(S)]
        members = S[order]
        return [members[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    def settled(self, P: np.ndarray) -> int:
        rows = self.pairs[P]
        return int((rows == rows[0]).all(axis=0).sum())

    def solve(self, S: np.ndarray) -> tuple[int, int]:
        """(value, best experiment) for the candidate set S; value = total or worst-case experiments."""
        if len(S) == 1:
            return 0, -1
        key = S.tobytes()
        if key in self.memo:
            return self.memo[key]
        if len(S) == 2:  # every strategy takes the first experiment that tells the two apart
            x = next(x for x in range(self.n) if self.results[x][S[0]] != self.results[x][S[1]])
            self.memo[key] = (1 if self.strategy == "minimax" else 2, x)
            return self.memo[key]
        options = []
        for x in range(self.n):
            parts = self.split(S, x)
            if len(parts) > 1:
                options.append((x, parts))
        if self.strategy == "greedy":
            scores = [min(self.settled(P) for P in parts) for _, parts in options]
            x, parts = options[int(np.argmax(scores))]  # first of the best: the alphabetically first variable
            best = (len(S) + sum(self.solve(P)[0] for P in parts), x)
        else:
            best = None
            for x, parts in options:
                if self.strategy == "optimal":  # total experiments over the DAGs in S
                    value = len(S) + sum(self.solve(P)[0] for P in parts)
                else:  # minimax: experiments in the worst case
                    value = 1 + max(self.solve(P)[0] for P in parts)
                if best is None or value < best[0]:
                    best = (value, x)
        self.memo[key] = best
        return best

    def assign(self, S: np.ndarray, depth: int, out: np.ndarray) -> None:
        """Follow the strategy from S and record the number of experiments for every DAG."""
        if len(S) == 1:
            out[S[0]] = depth
            return
        _, x = self.solve(S)
        for P in self.split(S, x):
            self.assign(P, depth + 1, out)


@lru_cache(maxsize=None)
def _planner(n: int, strategy: str) -> _Planner:
    # The value of a candidate set does not depend on how it was reached, so both starting points share one memo.
    return _Planner(n, strategy)


@lru_cache(maxsize=None)
def _analysis_cached(n: int, observational: bool, strategy: str) -> ExperimentAnalysis:
    planner = _planner(n, strategy)
    K = len(graphs.all_dags(n))
    starts = graphs.markov_equivalence_classes(n) if observational else [np.arange(K)]
    experiments = np.zeros(K, dtype=np.int64)
    for S in starts:
        planner.assign(np.sort(S).astype(np.int64), 0, experiments)
    experiments.setflags(write=False)
    return ExperimentAnalysis(n, observational, strategy, experiments)


def experiment_analysis(n: int, *, observational: bool = True, strategy: str = "optimal") -> ExperimentAnalysis:
    """Exact number of single-variable experiments needed to identify the DAG, for every DAG on ``n`` <= 5 nodes.

    The ideal model is in this module's docstring.  The learner starts from all
    labelled DAGs (``observational=False``) or from the true DAG's Markov
    equivalence class (``observational=True``: observation is free), performs one
    experiment do(X) at a time, chosen adaptively, and stops when one DAG is left.

    ``strategy`` (see :data:`STRATEGIES`):

    * ``"optimal"``: minimises the expected number of experiments under the uniform
      prior, by dynamic programming over sets of candidate DAGs:
      ``V(S) = 0`` if ``|S| = 1``, else ``1 + min_X sum_P |P|/|S| V(P)``, where the
      groups P are the candidates that do(X) tells apart.  An experiment that
      tells nothing apart is never chosen (it would only add a step).
    * ``"minimax"``: minimises the worst case, ``M(S) = 1 + min_X max_P M(P)``.
    * ``"greedy"``: chooses the X whose worst outcome settles the most pairs of
      variables (a pair is settled when every remaining candidate relates it in
      the same way: no edge, i -> j or j -> i).  With observational data the
      skeleton is known and this is "most edges oriented in the worst case", as in
      Hauser & Bühlmann's (2014) OptSingle.  Ties go to the alphabetically first.

    Ties among optimal experiments go to the alphabetically first too; the
    expected value does not depend on ties, the per-DAG counts may.  Results are
    cached; n = 5 takes a few seconds.

    >>> a = experiment_analysis(3)
    >>> a.expected_exact, a.worst_case
    (Fraction(1, 1), 2)
    """
    n = graphs.check_enumeration_n(n)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}.")
    if not isinstance(observational, bool):
        raise TypeError(f"observational must be True or False, got {observational!r}.")
    return _analysis_cached(n, observational, strategy)


def expected_experiments(dag: nx.DiGraph, *, observational: bool = True, strategy: str = "optimal") -> float:
    """Expected experiments of ``strategy`` over the DAGs the learner cannot yet tell from ``dag``.

    With ``observational=True`` that is the Markov equivalence class of ``dag``
    (uniform over it); otherwise every DAG on the same number of nodes.
    """
    dag = graphs.as_dag(dag, name="dag")
    n = dag.number_of_nodes()
    index = dag_index(dag)
    analysis = experiment_analysis(n, observational=observational, strategy=strategy)
    if not observational:
        return float(np.mean(analysis.experiments))
    labels = graphs.mec_labels(n)
    return float(np.mean(analysis.experiments[labels == labels[index]]))


def informative_variables(pdag: nx.DiGraph) -> list[str]:
    """The variables touching an undirected edge: the only experiments that can teach anything new."""
    check_pdag(pdag)
    return sorted({v for edge in graphs.undirected_edges(pdag) for v in edge})


def _undirected_neighbours(pdag: nx.DiGraph, x: str) -> list[str]:
    return sorted(v for v in pdag.successors(x) if pdag.has_edge(v, x))


def _orient_at(pdag: nx.DiGraph, x: str, parents: Iterable[str]) -> nx.DiGraph:
    parents = set(parents)
    g = pdag.copy()
    for u in _undirected_neighbours(pdag, x):
        if u in parents:
            g.remove_edge(x, u)
        else:
            g.remove_edge(u, x)
    return graphs.meek_orient(g)


def experiment_outcomes(pdag: nx.DiGraph, x: str) -> list[tuple[tuple[str, ...], nx.DiGraph]]:
    """Every result do(x) can give, starting from the (interventional) essential graph ``pdag``.

    The experiment shows which of x's undirected neighbours are its parents.  Any
    clique of them can be (Hauser & Bühlmann 2012); after orienting x's edges,
    Meek's rules orient what follows.  Returns ``(parents, new_pdag)`` pairs,
    sorted by parents.
    """
    check_pdag(pdag)
    check_known(x, sorted(pdag.nodes), "x")
    neighbours = _undirected_neighbours(pdag, x)
    outcomes = []
    for size in range(len(neighbours) + 1):
        for parents in itertools.combinations(neighbours, size):
            if all(pdag.has_edge(a, b) or pdag.has_edge(b, a) for a, b in itertools.combinations(parents, 2)):
                outcomes.append((parents, _orient_at(pdag, x, parents)))
    return outcomes


def apply_experiment(pdag: nx.DiGraph, x: str, dag: nx.DiGraph) -> nx.DiGraph:
    """The essential graph after do(x) when the truth is ``dag``: x's undirected edges oriented as in ``dag``, then Meek's rules."""
    check_pdag(pdag)
    dag = graphs.as_dag(dag, name="dag")
    check_known(x, sorted(pdag.nodes), "x")
    if set(dag.nodes) != set(pdag.nodes):
        raise ValueError("dag and pdag must have the same variables.")
    return _orient_at(pdag, x, [u for u in _undirected_neighbours(pdag, x) if dag.has_edge(u, x)])


def _directed_count(pdag: nx.DiGraph) -> int:
    return sum(1 for u, v in pdag.edges if not pdag.has_edge(v, u))


def greedy_experiment(pdag: nx.DiGraph) -> str | None:
    """The experiment whose worst outcome orients the most edges (ties: alphabetically first); None when all are oriented.

    After Hauser & Bühlmann's (2014) OptSingle strategy for single-vertex interventions.
    """
    best, best_score = None, -1
    for x in informative_variables(pdag):
        score = min(_directed_count(g) for _, g in experiment_outcomes(pdag, x))
        if score > best_score:
            best, best_score = x, score
    return best


def guaranteed_experiments(pdag: nx.DiGraph) -> list[str]:
    """The variables whose single experiment orients every remaining edge, whatever its result."""
    return [x for x in informative_variables(pdag)
            if all(not graphs.undirected_edges(g) for _, g in experiment_outcomes(pdag, x))]


def adaptive_experiments(dag: nx.DiGraph, *, start: nx.DiGraph | None = None) -> list[tuple[str, nx.DiGraph]]:
    """Run the greedy strategy against the true ``dag`` until every edge is oriented.

    ``start`` is what the learner knows before experimenting (default: the CPDAG
    of ``dag``, i.e. ideal observational data).  Returns the experiments in order,
    each with the graph known after it; its length is the number of experiments.
    """
    dag = graphs.as_dag(dag, name="dag")
    pdag = graphs.cpdag(dag) if start is None else check_pdag(start, "start").copy()
    if start is not None:
        if set(pdag.nodes) != set(dag.nodes):
            raise ValueError("start and dag must have the same variables.")
        if not all(pdag.has_edge(u, v) for u, v in dag.edges) or \
                any(not (dag.has_edge(u, v) or dag.has_edge(v, u)) for u, v in pdag.edges):
            raise ValueError("start must contain the true DAG: same adjacencies, and every directed edge as in dag.")
    steps = []
    while (x := greedy_experiment(pdag)) is not None:
        pdag = apply_experiment(pdag, x, dag)
        steps.append((x, pdag))
    return steps


def draw_candidates(candidates: Sequence[nx.DiGraph], axes, *, keep: Iterable[int] = (), truth: int | None = None):
    """Draw small DAGs, one per axis; those whose position is in ``keep`` get an orange frame, ``truth`` a thick one.

    Extra axes are hidden.  Returns the axes.
    """
    from ..plotting import COLORS, draw_dag, set_alt_text

    axes = np.atleast_1d(axes).ravel()
    if len(candidates) > len(axes):
        raise ValueError(f"need at least {len(candidates)} axes for {len(candidates)} DAGs, got {len(axes)}.")
    keep = set(keep)
    for i, ax in enumerate(axes):
        if i >= len(candidates):
            ax.set_visible(False)
            continue
        draw_dag(candidates[i], ax, node_size=120, show_weights=False)
        for text in ax.texts:
            text.set_fontsize(6)
        ax.set_axis_on()
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(i in keep)
            spine.set_color(COLORS["orange"])
            spine.set_linewidth(3.0 if i == truth else 1.5)
    set_alt_text(axes[0].figure, _candidates_description(candidates, keep, truth))
    return axes


def _candidates_description(candidates: Sequence[nx.DiGraph], keep: set[int], truth: int | None) -> str:
    """The alt text of :func:`draw_candidates`: how many graphs, and which are framed (listed by their edges)."""
    def edges(g):
        return ", ".join(f"{u} → {v}" for u, v in sorted(g.edges)) or "no edges"

    nodes = sorted({v for g in candidates for v in g.nodes})
    text = f"{len(candidates)} small causal graphs on {', '.join(map(str, nodes))}, one per panel"
    if keep:
        text += (f"; {len(keep)} framed in orange: " + "; ".join(edges(candidates[i]) for i in sorted(keep)))
    if truth is not None:
        text += f"; the thick frame marks the true graph ({edges(candidates[truth])})"
    return text


def plot_experiment_counts(analyses: Mapping[str, Sequence[ExperimentAnalysis]], ax):
    """Bars of expected experiments against n, one group per label in ``analyses``; the worst case as dots."""
    from ..plotting import COLORS

    labels = list(analyses)
    width = 0.8 / max(len(labels), 1)
    colors = [COLORS["grey"], COLORS["blue"], COLORS["green"], COLORS["orange"]]
    for i, label in enumerate(labels):
        series = list(analyses[label])
        ns = np.array([a.n for a in series])
        means = [float(a.expected_exact) for a in series]
        ax.bar(ns + (i - (len(labels) - 1) / 2) * width, means, width, label=label, color=colors[i % len(colors)])
    ns = sorted({a.n for series in analyses.values() for a in series})
    ax.plot(ns, [n - 1 for n in ns], "k_", markersize=30, mew=2, label="worst case, n − 1")
    ax.set_xticks(ns)
    ax.set_xlabel("number of variables n")
    ax.set_ylabel("experiments needed")
    ax.legend(fontsize=8, loc="upper left")
    return ax
