"""Unit tests of causal_lessons.graphs."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from causal_lessons import graphs


def test_variable_names():
    assert graphs.variable_names(3) == ["A", "B", "C"]
    with pytest.raises(ValueError, match="n must be"):
        graphs.variable_names(0)


def test_as_dag_accepts_dict_pairs_and_digraph():
    from_dict = graphs.as_dag({("A", "B"): 1.0, ("B", "C"): -2.0})
    assert from_dict.edges["B", "C"]["weight"] == -2.0
    from_pairs = graphs.as_dag([("A", "B"), ("B", "C")])
    assert sorted(from_pairs.edges) == [("A", "B"), ("B", "C")]
    again = graphs.as_dag(from_dict)
    assert sorted(again.edges(data="weight")) == sorted(from_dict.edges(data="weight"))


def test_topological_order_is_lexicographic_and_valid():
    g = graphs.as_dag([("C", "A"), ("B", "A"), ("D", "C")])
    order = graphs.topological_order(g)
    assert order == ["B", "D", "C", "A"]
    pos = {v: i for i, v in enumerate(order)}
    assert all(pos[u] < pos[v] for u, v in g.edges)


@pytest.mark.parametrize("seed", range(5))
def test_random_dag_default_weights(seed):
    g = graphs.random_dag(5, seed=seed)
    assert sorted(g.nodes) == list("ABCDE")
    assert nx.is_directed_acyclic_graph(g)
    assert {d["weight"] for *_, d in g.edges(data=True)} <= {-1.0, 1.0}
    # same seed, same graph
    h = graphs.random_dag(5, seed=seed)
    assert sorted(g.edges(data="weight")) == sorted(h.edges(data="weight"))


def test_random_dag_edge_frequency_matches_weight_set():
    # with {-1, 0, +1} each of the 10 pairs has an edge with probability 2/3
    counts = [graphs.random_dag(5, seed=s).number_of_edges() for s in range(400)]
    assert abs(np.mean(counts) - 10 * 2 / 3) < 0.25


def test_random_dag_density_and_range():
    g = graphs.random_dag(6, weight_range=(0.5, 2.0), density=1.0, seed=3)
    assert g.number_of_edges() == 15
    assert all(0.5 <= w <= 2.0 for *_, w in g.edges(data="weight"))
    empty = graphs.random_dag(4, density=0.0, seed=1)
    assert empty.number_of_edges() == 0


@pytest.mark.parametrize("n,expected", [(1, 1), (2, 3), (3, 25), (4, 543), (5, 29281)])
def test_all_dags_counts(n, expected):
    dags = graphs.all_dags(n)
    assert dags.shape == (expected, n, n)
    assert not dags.flags.writeable


def test_all_dags_are_distinct_acyclic_and_complete_for_n3():
    dags = graphs.all_dags(3)
    assert len({d.tobytes() for d in dags}) == len(dags)
    for d in dags:
        assert nx.is_directed_acyclic_graph(nx.DiGraph(d))
    # brute force: every directed graph on 3 nodes without 2-cycles or self-loops that is acyclic
    brute = 0
    pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
    for mask in itertools.product([0, 1], repeat=len(pairs)):
        g = nx.DiGraph()
        g.add_nodes_from(range(3))
        g.add_edges_from(p for p, m in zip(pairs, mask) if m)
        if nx.is_directed_acyclic_graph(g):
            brute += 1
    assert brute == 25


@pytest.mark.parametrize("n,expected", [(1, 1), (2, 2), (3, 11), (4, 185), (5, 8782)])
def test_markov_equivalence_class_counts(n, expected):
    classes = graphs.markov_equivalence_classes(n)
    assert len(classes) == expected
    assert sum(len(c) for c in classes) == len(graphs.all_dags(n))


def test_equivalence_classes_agree_with_cpdag_for_n4():
    dags = graphs.all_dags(4)
    labels = graphs.mec_labels(4)
    keys = {}
    for adj, label in zip(dags, labels):
        c = graphs.cpdag(graphs.adjacency_to_dag(adj))
        key = tuple(sorted(c.edges))
        keys.setdefault(key, set()).add(int(label))
    assert len(keys) == 185
    assert all(len(v) == 1 for v in keys.values())


def test_cpdag_examples():
    chain = graphs.as_dag([("A", "B"), ("B", "C")])
    assert graphs.undirected_edges(graphs.cpdag(chain)) == [("A", "B"), ("B", "C")]
    collider = graphs.as_dag([("A", "C"), ("B", "C")])
    c = graphs.cpdag(collider)
    assert graphs.undirected_edges(c) == []
    assert sorted(c.edges) == [("A", "C"), ("B", "C")]
    # v-structure plus a downstream edge: Meek R1 orients C -> D
    g = graphs.as_dag([("A", "C"), ("B", "C"), ("C", "D")])
    assert sorted(graphs.cpdag(g).edges) == [("A", "C"), ("B", "C"), ("C", "D")]
    assert graphs.v_structures(g) == [("A", "C", "B")]


def test_meek_rule_two():
    # A -> B -> C with A - C undirected: R2 orients A -> C
    pdag = nx.DiGraph([("A", "B"), ("B", "C"), ("A", "C"), ("C", "A")])
    oriented = graphs.meek_orient(pdag)
    assert oriented.has_edge("A", "C") and not oriented.has_edge("C", "A")


def test_adjacency_round_trip():
    g = graphs.random_dag(5, seed=7)
    adj = graphs.dag_to_adjacency(g)
    back = graphs.adjacency_to_dag(adj)
    assert sorted(back.edges) == sorted(g.edges)


def test_dag_layout_is_fixed_by_names_only():
    a = graphs.dag_layout(graphs.random_dag(5, seed=1))
    b = graphs.dag_layout(graphs.random_dag(5, seed=2))
    assert a == b
    assert a["A"][0] == pytest.approx(0.0) and a["A"][1] == pytest.approx(1.0)
    assert graphs.dag_layout([]) == {}


def test_enumeration_limit_is_explained():
    with pytest.raises(ValueError, match="at most 5"):
        graphs.all_dags(6)
