"""Directed acyclic graphs: checking, ordering, random generation, enumeration and equivalence.

Graphs are :class:`networkx.DiGraph` objects whose nodes are variable names
(strings) and whose edges may carry a ``weight`` attribute.  The exact
enumeration functions work on small graphs (n <= 5) and return adjacency
matrices, because there are tens of thousands of them.

>>> g = random_dag(4, seed=0)
>>> topological_order(g) == list(nx.lexicographical_topological_sort(g))
True
>>> len(all_dags(3)), len(markov_equivalence_classes(3))
(25, 11)
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np

from ._validate import check_count, check_int, check_name, check_probability, check_real, check_seed

__all__ = [
    "MAX_ENUMERATION_N",
    "variable_names",
    "as_dag",
    "find_cycle",
    "topological_order",
    "random_dag",
    "all_dags",
    "check_enumeration_n",
    "clear_caches",
    "adjacency_to_dag",
    "dag_to_adjacency",
    "markov_equivalence_classes",
    "mec_labels",
    "equivalence_keys",
    "v_structures",
    "cpdag",
    "undirected_edges",
    "meek_orient",
    "dag_layout",
]

#: Largest number of variables for the exact enumeration (n = 6 has 3.8 million DAGs).
MAX_ENUMERATION_N = 5


def variable_names(n: int) -> list[str]:
    """The course's default names for ``n`` variables: ``A``, ``B``, ``C``, ...

    >>> variable_names(5)
    ['A', 'B', 'C', 'D', 'E']
    """
    n = check_count(n, "n")
    if n > 26:
        raise ValueError(f"n must be at most 26 for single-letter names, got {n}.")
    return list(string.ascii_uppercase[:n])


def find_cycle(graph: nx.DiGraph) -> list[str] | None:
    """Return one directed cycle as a list of nodes (first node repeated at the end), or None."""
    try:
        cycle = nx.find_cycle(graph, orientation="original")
    except nx.NetworkXNoCycle:
        return None
    nodes = [edge[0] for edge in cycle]
    return nodes + [nodes[0]]


def as_dag(edges: Any, *, nodes: Iterable[str] = (), name: str = "edges") -> nx.DiGraph:
    """Build and check a DAG from a DiGraph, a ``{(parent, child): weight}`` dict or a list of pairs.

    Raises a clear error for a name that is not a string, a self-loop, a duplicate
    edge, a non-finite weight or a cycle (the cycle is named in the message).
    A dict's values become the ``weight`` edge attribute.
    """
    graph = nx.DiGraph()
    for node in nodes:
        graph.add_node(check_name(node, f"{name}: variable name"))
    if isinstance(edges, nx.DiGraph):
        pairs = [((u, v), data.get("weight")) for u, v, data in edges.edges(data=True)]
        for node in edges.nodes:
            graph.add_node(check_name(node, f"{name}: variable name"))
    elif isinstance(edges, Mapping):
        pairs = list(edges.items())
    elif isinstance(edges, Iterable) and not isinstance(edges, (str, bytes)):
        pairs = [(pair, None) for pair in edges]
    else:
        raise TypeError(
            f"{name} must be a dict {{(parent, child): weight}}, a list of (parent, child) pairs "
            f"or a networkx.DiGraph, got {type(edges).__name__}."
        )
    for pair, weight in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"{name}: each edge must be a (parent, child) pair, got {pair!r}.")
        parent, child = pair
        check_name(parent, f"{name}: parent in edge {pair!r}")
        check_name(child, f"{name}: child in edge {pair!r}")
        if parent == child:
            raise ValueError(f"{name}: self-loop {parent!r} -> {child!r}; a variable cannot cause itself.")
        if graph.has_edge(parent, child):
            raise ValueError(f"{name}: duplicate edge {parent!r} -> {child!r}; list each edge once.")
        attrs = {}
        if weight is not None:
            attrs["weight"] = check_real(weight, f"{name}: weight of {parent} -> {child}")
        graph.add_edge(parent, child, **attrs)
    cycle = find_cycle(graph)
    if cycle is not None:
        raise ValueError(f"{name}: the graph has a cycle {' -> '.join(cycle)}; a causal DAG must be acyclic.")
    return graph


def topological_order(graph: nx.DiGraph) -> list[str]:
    """Causes before effects; ties broken alphabetically, so the order is reproducible."""
    graph = as_dag(graph, name="graph")
    return list(nx.lexicographical_topological_sort(graph))


def random_dag(
    n: int = 5,
    *,
    weights: Sequence[float] | None = (-1.0, 0.0, 1.0),
    weight_range: tuple[float, float] | None = None,
    density: float | None = None,
    seed: int | None = None,
    names: Sequence[str] | None = None,
) -> nx.DiGraph:
    """A random weighted DAG, reproducible from ``seed``.

    A random causal order is drawn; then every ordered pair (earlier, later)
    gets a weight.  With a discrete ``weights`` set and no ``density``, the weight
    is drawn uniformly from the set, and a 0 means "no edge" (the course default,
    {-1, 0, +1}, gives each pair an edge with probability 2/3).  With ``density``,
    each pair gets an edge with that probability and a weight drawn from the
    non-zero values (or from ``weight_range``).  ``weight_range=(low, high)``
    draws weights uniformly from that interval instead of a set.
    """
    n = check_count(n, "n")
    seed = check_seed(seed)
    names = variable_names(n) if names is None else [check_name(x, "names") for x in names]
    if len(names) != n:
        raise ValueError(f"names must have n={n} entries, got {len(names)}.")
    if len(set(names)) != n:
        raise ValueError("names must be distinct.")
    if density is not None:
        density = check_probability(density, "density")
    rng = np.random.default_rng(seed)
    if weight_range is not None:
        if not isinstance(weight_range, (tuple, list)) or len(weight_range) != 2:
            raise TypeError(f"weight_range must be a (low, high) pair, got {weight_range!r}.")
        low = check_real(weight_range[0], "weight_range[0]")
        high = check_real(weight_range[1], "weight_range[1]")
        if high < low:
            raise ValueError(f"weight_range must have low <= high, got ({low:g}, {high:g}).")
        p_edge = 0.5 if density is None else density
    else:
        if weights is None or isinstance(weights, (str, bytes)) or len(weights) == 0:
            raise ValueError("weights must be a non-empty list of numbers such as (-1, 0, 1).")
        values = np.array([check_real(w, "weights") for w in weights])
        nonzero = values[values != 0]
        if density is not None and len(nonzero) == 0:
            raise ValueError("weights must contain a non-zero value when density is given.")
    order = rng.permutation(n)
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for a, b in itertools.combinations(range(n), 2):
        parent, child = names[order[a]], names[order[b]]
        if weight_range is not None:
            present = rng.random() < p_edge
            w = float(rng.uniform(low, high))
        elif density is None:
            w = float(values[rng.integers(len(values))])
            present = w != 0
        else:
            present = rng.random() < density
            w = float(nonzero[rng.integers(len(nonzero))])
        if present:
            graph.add_edge(parent, child, weight=w)
    return graph


# ----------------------------------------------------------------------------------------------
# Exact enumeration for small n
# ----------------------------------------------------------------------------------------------

def check_enumeration_n(n: int) -> int:
    """``n`` as an int if the DAGs on ``n`` labelled nodes can be enumerated (1 to :data:`MAX_ENUMERATION_N`)."""
    n = check_int(n, "n", minimum=1)
    if n > MAX_ENUMERATION_N:
        raise ValueError(
            f"n must be at most {MAX_ENUMERATION_N} for exact enumeration, got {n} "
            "(there are 3,781,503 DAGs on 6 labelled nodes)."
        )
    return n


@lru_cache(maxsize=None)
def _all_dags_cached(n: int) -> np.ndarray:
    pairs = list(itertools.combinations(range(n), 2))
    m = len(pairs)
    codes = np.array(list(itertools.product(range(3), repeat=m)), dtype=np.int8).reshape(3**m, m)
    adj = np.zeros((len(codes), n, n), dtype=np.int64)
    for k, (i, j) in enumerate(pairs):
        adj[:, i, j] = codes[:, k] == 1
        adj[:, j, i] = codes[:, k] == 2
    power = adj.copy()
    for _ in range(n - 1):
        power = np.minimum(power @ adj, 1)
    acyclic = ~power.any(axis=(1, 2))
    result = adj[acyclic].astype(bool)
    result.setflags(write=False)
    return result


def all_dags(n: int) -> np.ndarray:
    """Every DAG on ``n`` labelled nodes (n <= 5) as boolean adjacency matrices, shape (k, n, n).

    ``A[k, i, j]`` is True when the k-th DAG has the edge i -> j.  The counts are
    1, 3, 25, 543 and 29,281 for n = 1..5 (OEIS A003024).  The array is cached
    and read-only.
    """
    return _all_dags_cached(check_enumeration_n(n))


def adjacency_to_dag(adjacency: np.ndarray, names: Sequence[str] | None = None) -> nx.DiGraph:
    """A networkx DAG from a boolean adjacency matrix (``adjacency[i, j]`` means i -> j)."""
    adjacency = np.asarray(adjacency)
    if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
        raise ValueError(f"adjacency must be a square matrix, got shape {adjacency.shape}.")
    n = adjacency.shape[0]
    names = variable_names(n) if names is None else list(names)
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for i, j in zip(*np.nonzero(adjacency)):
        graph.add_edge(names[i], names[j])
    return graph


def dag_to_adjacency(graph: nx.DiGraph, names: Sequence[str] | None = None) -> np.ndarray:
    """Boolean adjacency matrix of ``graph`` with rows/columns in ``names`` order (default: sorted)."""
    names = sorted(graph.nodes) if names is None else list(names)
    index = {v: i for i, v in enumerate(names)}
    adj = np.zeros((len(names), len(names)), dtype=bool)
    for u, v in graph.edges:
        adj[index[u], index[v]] = True
    return adj


def equivalence_keys(adj: np.ndarray) -> np.ndarray:
    """For a batch of adjacency matrices (k, n, n): boolean rows that are equal exactly when the DAGs
    are Markov equivalent (same skeleton and same v-structures)."""
    adj = np.asarray(adj, dtype=bool)
    n = adj.shape[-1]
    skel = adj | np.swapaxes(adj, -1, -2)
    iu = np.triu_indices(n, 1)
    skel_bits = skel[:, iu[0], iu[1]]
    # v-structure i -> k <- j with i < j non-adjacent
    v = adj[:, :, None, :] & adj[:, None, :, :] & ~skel[:, :, :, None]  # [batch, i, j, k]
    v_bits = v[:, iu[0], iu[1], :].reshape(len(adj), -1)
    return np.concatenate([skel_bits, v_bits], axis=1)


@lru_cache(maxsize=None)
def _mec_labels_cached(n: int) -> np.ndarray:
    keys = equivalence_keys(all_dags(n))
    _, labels = np.unique(np.packbits(keys, axis=1), axis=0, return_inverse=True)
    labels = labels.reshape(-1)
    # renumber classes in order of first appearance, for reproducible ids
    _, first = np.unique(labels, return_index=True)
    rank = np.empty_like(first)
    rank[np.argsort(first)] = np.arange(len(first))
    result = rank[labels]
    result.setflags(write=False)
    return result


def mec_labels(n: int) -> np.ndarray:
    """For each DAG in :func:`all_dags` ``(n)``, the id of its Markov equivalence class."""
    return _mec_labels_cached(check_enumeration_n(n))


def clear_caches() -> None:
    """Forget the enumerated DAGs and their classes (they are computed once per ``n`` and kept): for timing a
    cold start."""
    _all_dags_cached.cache_clear()
    _mec_labels_cached.cache_clear()


def markov_equivalence_classes(n: int) -> list[np.ndarray]:
    """The Markov equivalence classes of DAGs on ``n`` nodes, as arrays of indices into ``all_dags(n)``.

    Two DAGs are Markov equivalent (imply the same conditional independences)
    exactly when they have the same skeleton and the same v-structures
    (Verma & Pearl 1990).  There are 1, 2, 11, 185 and 8,782 classes for n = 1..5.
    """
    labels = mec_labels(n)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, bounds)


def v_structures(graph: nx.DiGraph) -> list[tuple[str, str, str]]:
    """All v-structures ``(a, c, b)`` meaning a -> c <- b with a, b non-adjacent (a < b), sorted."""
    found = []
    for c in graph.nodes:
        parents = sorted(graph.predecessors(c))
        for a, b in itertools.combinations(parents, 2):
            if not graph.has_edge(a, b) and not graph.has_edge(b, a):
                found.append((a, c, b))
    return sorted(found)


def undirected_edges(pdag: nx.DiGraph) -> list[tuple[str, str]]:
    """Edges of a partially directed graph stored in both directions, as sorted pairs."""
    return sorted({tuple(sorted((u, v))) for u, v in pdag.edges if pdag.has_edge(v, u)})


def meek_orient(pdag: nx.DiGraph) -> nx.DiGraph:
    """Apply Meek's rules R1-R4 until no more undirected edges can be oriented.

    ``pdag`` stores an undirected edge as two opposite arcs and a directed edge as
    one arc.  Returns a new graph; the input is unchanged.
    """
    g = pdag.copy()

    def undirected(a, b):
        return g.has_edge(a, b) and g.has_edge(b, a)

    def directed(a, b):
        return g.has_edge(a, b) and not g.has_edge(b, a)

    def adjacent(a, b):
        return g.has_edge(a, b) or g.has_edge(b, a)

    changed = True
    while changed:
        changed = False
        for a, b in sorted(undirected_edges(g)):
            for x, y in ((a, b), (b, a)):
                if not undirected(x, y):
                    continue
                orient = False
                # R1: z -> x - y, z and y non-adjacent  =>  x -> y
                if any(directed(z, x) and not adjacent(z, y) for z in g.nodes if z not in (x, y)):
                    orient = True
                # R2: x -> z -> y and x - y  =>  x -> y
                elif any(directed(x, z) and directed(z, y) for z in g.nodes if z not in (x, y)):
                    orient = True
                else:
                    others = [z for z in g.nodes if z not in (x, y)]
                    # R3: x - z1 -> y, x - z2 -> y, z1 and z2 non-adjacent  =>  x -> y
                    cands = [z for z in others if undirected(x, z) and directed(z, y)]
                    if any(not adjacent(z1, z2) for z1, z2 in itertools.combinations(cands, 2)):
                        orient = True
                    # R4: x - z, z -> w -> y, x adjacent to w, w and z ... (Meek 1995)
                    if not orient:
                        for z in others:
                            if not undirected(x, z):
                                continue
                            for w in others:
                                if w != z and directed(z, w) and directed(w, y) and adjacent(x, w) \
                                        and not adjacent(z, y):
                                    orient = True
                                    break
                            if orient:
                                break
                if orient:
                    g.remove_edge(y, x)
                    changed = True
                    break
            if changed:
                break
    return g


def cpdag(graph: nx.DiGraph) -> nx.DiGraph:
    """The completed partially directed graph (essential graph) of a DAG's Markov equivalence class.

    Edges that every DAG in the class shares keep their direction; edges that
    differ within the class are returned in both directions (undirected).  Use
    :func:`undirected_edges` to list them.
    """
    dag = as_dag(graph, name="graph")
    g = nx.DiGraph()
    g.add_nodes_from(dag.nodes)
    for u, v in dag.edges:
        g.add_edge(u, v)
        g.add_edge(v, u)
    for a, c, b in v_structures(dag):
        for parent in (a, b):
            if g.has_edge(c, parent):
                g.remove_edge(c, parent)
    return meek_orient(g)


def dag_layout(nodes: Iterable[str] | nx.DiGraph, *, radius: float = 1.0) -> dict[str, tuple[float, float]]:
    """Fixed positions for drawing: nodes on a circle in alphabetical order, the first at the top.

    The layout depends only on the node names, never on the edges, so the same
    variables sit in the same places in every figure of the course.
    """
    names = sorted(nodes.nodes if isinstance(nodes, nx.DiGraph) else nodes)
    n = len(names)
    if n == 0:
        return {}
    if n == 1:
        return {names[0]: (0.0, 0.0)}
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    return {name: (radius * float(np.cos(a)), radius * float(np.sin(a))) for name, a in zip(names, angles)}
